"""Time helpers: every stored time is an ISO 8601 UTC string."""

from __future__ import annotations

from datetime import UTC, date, datetime

from armswatch.errors import InputError


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def from_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value)


def parse_when(text: str) -> datetime:
    """Parse a user-given date or datetime (``2024-03-02`` or ``2024-03-02T10:00Z``) as UTC."""
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"not a date or datetime (use YYYY-MM-DD or ISO 8601): {text!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
