"""Spreadsheet formula-injection guard for CSV text cells, reversible.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return may run as a formula when a CSV
file is opened in Excel or LibreOffice (OWASP "CSV injection"; the same characters as
:data:`armswatch.io.text.FORMULA_START`). :func:`guard_cell` prefixes such a cell with ``'`` (which
spreadsheets show as text); a cell that already starts with quotes before one of those characters
gets one more quote, so :func:`unguard_cell` restores every value exactly. This is the reversible form
of :func:`armswatch.io.text.csv_cell`, used by the sites CSV, which armswatch reads back; it also
guards numbers such as ``-12`` (a name, never a number, in those columns).
"""

from __future__ import annotations

import re
from typing import Final

from armswatch.io.text import FORMULA_START

_RISKY_RE: Final = re.compile("^'*[" + re.escape("".join(FORMULA_START)) + "]")


def guard_cell(value: str) -> str:
    """``"=1+1"`` → ``"'=1+1"``; ``"'=x"`` → ``"''=x"``; anything else unchanged."""
    return "'" + value if _RISKY_RE.match(value) else value


def unguard_cell(value: str) -> str:
    """Inverse of :func:`guard_cell`."""
    return value[1:] if value.startswith("'") and _RISKY_RE.match(value[1:]) else value
