"""Spreadsheet formula-injection guard for CSV text cells, reversible.

A cell starting with ``=``, ``+``, ``-`` or ``@`` may run as a formula when a CSV file is opened in
Excel or LibreOffice (OWASP "CSV injection"). :func:`guard_cell` prefixes such a cell with ``'``
(which spreadsheets show as text); a cell that already starts with quotes before one of those
characters gets one more quote, so :func:`unguard_cell` restores every value exactly.
"""

from __future__ import annotations

import re
from typing import Final

_RISKY_RE: Final = re.compile(r"^'*[=+\-@]")


def guard_cell(value: str) -> str:
    """``"=1+1"`` → ``"'=1+1"``; ``"'=x"`` → ``"''=x"``; anything else unchanged."""
    return "'" + value if _RISKY_RE.match(value) else value


def unguard_cell(value: str) -> str:
    """Inverse of :func:`guard_cell`."""
    return value[1:] if value.startswith("'") and _RISKY_RE.match(value[1:]) else value
