"""Monitors and alerts as values: the five kinds, their checked parameters, and an alert draft."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from armswatch.errors import InputError
from armswatch.provenance.confidence import WORDS, clean_confidence

KINDS: Final = {
    "dark": "a watched vessel goes dark: no position for at least --hours (default 12)",
    "port": "a designated (listed) vessel enters the radius of a watched port",
    "encounter": "an encounter (two ships meeting at sea) within --radius-km of a watched site",
    "imagery": "a new imagery change finding at or above a confidence",
    "listing": "a new listing on an imported sanctions list that matches a case entity",
}
DEFAULT_MAX_PER_HOUR: Final = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Notify:
    """Where a monitor's alerts go besides the finding: email through SMTP, or a webhook."""

    email: str | None = None
    smtp: str | None = None
    sender: str = "armswatch@localhost"
    starttls: bool = False
    webhook: str | None = None

    def __post_init__(self) -> None:
        if self.email and self.webhook:
            raise InputError("give --email or --webhook, not both")
        if self.email and not _EMAIL.match(self.email):
            raise InputError(f"--email {self.email!r} is not an email address")
        if self.email and not self.smtp:
            raise InputError("--email needs --smtp HOST:PORT")
        if self.smtp and not self.email:
            raise InputError("--smtp needs --email ADDR")
        if self.webhook and not self.webhook.startswith(("http://", "https://")):
            raise InputError(f"--webhook must be an http:// or https:// URL (got {self.webhook!r})")

    @property
    def channel(self) -> str | None:
        return "email" if self.email else "webhook" if self.webhook else None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notify:
        return cls(**{k: data[k] for k in ("email", "smtp", "sender", "starttls", "webhook") if k in data})


@dataclass(frozen=True)
class Monitor:
    id: str
    kind: str
    name: str
    params: dict[str, Any]
    notify: Notify
    max_per_hour: int = DEFAULT_MAX_PER_HOUR
    watermark: int = 0
    created_at: str = ""
    removed_at: str | None = None


def monitor_id(kind: str, params: Mapping[str, Any]) -> str:
    body = json.dumps([kind, dict(params)], sort_keys=True, default=str)
    return "mon-" + hashlib.sha256(body.encode()).hexdigest()[:12]


def _positive(params: Mapping[str, Any], key: str, default: float) -> float:
    value = float(params.get(key, default))
    if not value > 0:
        raise InputError(f"--{key.replace('_', '-')} must be more than zero (got {value})")
    return value


def _place(params: Mapping[str, Any], radius_default: float) -> dict[str, Any]:
    """A watched place: a site id, or a point with a radius."""
    out: dict[str, Any] = {"radius_km": _positive(params, "radius_km", radius_default)}
    if params.get("site"):
        out["site"] = str(params["site"])
    elif params.get("lat") is not None and params.get("lon") is not None:
        lat, lon = float(params["lat"]), float(params["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"--lat/--lon {lat},{lon} is not a position")
        out.update(lat=lat, lon=lon, place=str(params.get("place") or f"{lat:.4f},{lon:.4f}"))
    else:
        raise InputError("give --site SITE or --lat and --lon")
    return out


def _mmsis(params: Mapping[str, Any], required: bool) -> list[int]:
    values = sorted({int(m) for m in params.get("mmsi") or []})
    if any(not 0 < m <= 999_999_999 for m in values):
        raise InputError("--mmsi must be a number of 1 to 9 digits")
    if required and not values:
        raise InputError("give the watched vessels with --mmsi N (repeatable) or --vessels FILE")
    return values


def check_params(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a monitor of ``kind``, checked and with their defaults filled in."""
    if kind == "dark":
        hours = _positive(params, "hours", 12.0)
        return {
            "mmsi": _mmsis(params, True),
            "hours": hours,
            "lookback_h": _positive(params, "lookback_h", hours + 24),
        }
    if kind == "port":
        return {
            **_place(params, 5.0),
            "mmsi": _mmsis(params, False),
            "threshold": float(params.get("threshold", 0.7)),
        }
    if kind == "encounter":
        return {**_place(params, 50.0), "lookback_h": _positive(params, "lookback_h", 24.0)}
    if kind == "imagery":
        sites = sorted(str(s) for s in params.get("site_list") or [])
        return {
            "sites": sites,
            "min_confidence": clean_confidence(str(params.get("min_confidence") or "likely")),
        }
    if kind == "listing":
        queries = [dict(q) for q in params.get("queries") or []]
        if not queries:
            raise InputError("give the case entities with --name NAME (repeatable) or --queries FILE.csv")
        threshold = float(params.get("threshold", 0.7))
        if not 0 < threshold <= 1:
            raise InputError(f"--threshold must be between 0 and 1 (got {threshold})")
        return {"queries": queries, "threshold": threshold}
    raise InputError(f"unknown monitor kind {kind!r}; one of {', '.join(KINDS)}")


def at_least(confidence: str, minimum: str) -> bool:
    return WORDS.index(confidence) >= WORDS.index(minimum)


@dataclass(frozen=True)
class AlertDraft:
    """What a monitor found: one event about one subject (``subject`` + ``event_key`` identify it)."""

    subject: str
    event_key: str
    title: str
    summary: str
    confidence: str = "roughly even chance"
    start: datetime | None = None
    end: datetime | None = None
    geometry: dict[str, Any] | None = None
    evidence: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


def alert_id(monitor: str, subject: str, event_key: str) -> str:
    body = "\x1f".join((monitor, subject, event_key))
    return "alr-" + hashlib.sha256(body.encode()).hexdigest()[:24]
