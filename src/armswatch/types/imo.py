"""IMO ship identification numbers (seven digits with a check digit).

The check digit is the last digit of the weighted sum of the first six digits with weights
7, 6, 5, 4, 3, 2 (IMO Resolution A.1078(28)). ``clean_imo("IMO 9161003")`` gives ``"9161003"``.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(?<!\d)(\d{7})(?!\d)")


def imo_check_digit_ok(number: str) -> bool:
    """True when a seven-digit string carries a valid IMO check digit."""
    if len(number) != 7 or not (number.isascii() and number.isdigit()) or number == "0000000":
        return False
    total = sum(int(d) * w for d, w in zip(number[:6], (7, 6, 5, 4, 3, 2), strict=True))
    return total % 10 == int(number[6])


def clean_imo(value: object) -> str | None:
    """Return the seven-digit IMO number in ``value`` when its check digit holds, else ``None``.

    Accepts ``9161003``, ``"IMO 9161003"``, ``"IMO9161003"`` and numbers inside free text such as
    OFAC remarks (``"Vessel Registration Identification IMO 9161003"``).
    """
    if value is None:
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    for match in _DIGITS.finditer(text):
        candidate = match.group(1)
        if imo_check_digit_ok(candidate):
            return candidate
    return None
