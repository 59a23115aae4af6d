"""User and broadcast text on its way out: never interpreted as markup or as a spreadsheet formula.

AIS ship names, call signs, list entries and file paths are free text written by strangers. These helpers
are the one place where such text is made inert for each kind of output:

- :func:`csv_cell` for every CSV cell armswatch writes (OWASP "CSV injection": a cell that starts with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` so that a spreadsheet shows it as
  text instead of evaluating it; plain numbers such as ``-12.5`` are left alone; carriage returns inside a
  cell become line feeds, which the CSV writer quotes);
- :func:`plain` for terminal output through rich (a :class:`rich.text.Text` is never parsed as markup, so
  ``[/x]`` or ``[link=…]`` in a name prints as written);
- :func:`one_line` for text placed on a single terminal line (control characters shown as escapes).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl
    from rich.text import Text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")


def csv_cell(text: str) -> str:
    """``text`` made safe for a CSV cell that a spreadsheet may open.

    >>> csv_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> csv_cell("-12.5")
    '-12.5'
    >>> csv_cell("KANG SONG NAM")
    'KANG SONG NAM'
    """
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        text = "'" + text
    # A bare carriage return is not quoted by Python's csv writer with "\n" line ends, which splits
    # the record for readers; inside a cell it becomes a (quoted) line feed.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def one_line(text: str) -> str:
    """Control characters (escape sequences, NUL, bell…) replaced by visible ``\\xNN`` escapes.

    >>> one_line("A\\x1b[31mB")
    'A\\\\x1b[31mB'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def plain(text: str) -> Text:
    """A rich ``Text`` that prints ``text`` literally (no markup, no terminal control sequences)."""
    from rich.text import Text

    return Text(one_line(text))


def csv_safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a polars frame passed through the :func:`csv_cell` rule, vectorised."""
    import polars as pl

    texts = [name for name, dtype in frame.schema.items() if dtype == pl.Utf8]
    if not texts:
        return frame
    risky = "^[=+\\-@\t\r]"
    number = "^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(risky) & ~pl.col(c).str.contains(number))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .str.replace_all("\r\n?", "\n")
        .alias(c)
        for c in texts
    )
