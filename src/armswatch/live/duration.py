"""Durations on the command line: ``90``, ``90s``, ``10m``, ``2h``, ``1d`` (seconds by default)."""

from __future__ import annotations

import math
import re

from armswatch.errors import InputError

_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_FORM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)


def parse_duration(text: str, option: str = "duration") -> float:
    """Seconds in ``text``; refuses zero, negative and unreadable values with one clear line."""
    m = _FORM.match(text or "")
    if m is None:
        raise InputError(f"{option} must be a number with an optional unit s, m, h or d (got {text!r})")
    seconds = float(m[1]) * _UNITS[m[2].lower()]
    if not math.isfinite(seconds) or seconds <= 0:
        raise InputError(f"{option} must be more than zero (got {text!r})")
    return seconds
