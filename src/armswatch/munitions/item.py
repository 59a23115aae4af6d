"""A munition item: one recovered object (or its debris), described the FollowTheMoney way.

Properties follow what monitors record for an item (Conflict Armament Research's field reports, the
Panel of Experts' annexes): what it is (type, calibre, family), what is written on it (markings in the
original script with a romanisation, lot, year and factory codes), what it looks like (colour,
materials, condition), where and when it was recovered and by whom, what it is attributed to (origin
country and the basis for that), and its links: the sites (plants) and shipments (findings) it points
to, entities, and the evidence artifacts that show it. Every item keeps its sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Final, Literal, get_args

from armswatch.errors import InputError
from armswatch.munitions.marking import Marking
from armswatch.sites.model import SLUG_RE, normalise_country, slugify

ItemType = Literal[
    "missile", "rocket", "shell", "mortar-bomb", "small-arms", "launcher", "vehicle", "component", "other"
]
ITEM_TYPES: Final[tuple[str, ...]] = get_args(ItemType)
CONFIDENCE_TAGS: Final = ("OFFICIAL", "OSINT", "MEDIA", "UNVERIFIED")
_PARTIAL_DATE: Final = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_URL: Final = re.compile(r"^https?://\S+$")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_TEXT: Final = 4000
TEXT_FIELDS: Final = (
    "calibre",
    "family",
    "lot",
    "year",
    "factory_code",
    "colour",
    "materials",
    "condition",
    "recovered_place",
    "reported_by",
    "origin_basis",
    "notes",
)
LINK_FIELDS: Final = ("sources", "evidence", "sites", "shipments", "entities", "findings")


def _text(value: object, what: str, record: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, got {type(value).__name__}", record=record)
    text = value.strip()
    if len(text) > MAX_TEXT or _CONTROL.search(text):
        raise InputError(f"{what} is too long or holds control characters", record=record)
    return text


def _partial_date(value: object, record: str) -> str:
    text = _text(value, "recovered_at", record)
    if text and not _PARTIAL_DATE.match(text):
        raise InputError(f"recovered_at must be YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}", record=record)
    if len(text) == 10:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise InputError(f"recovered_at {text!r} is not a real date", record=record) from None
    return text


@dataclass(frozen=True, kw_only=True)
class MunitionItem:
    """One recovered munition item; build with keywords, validated on construction."""

    id: str
    type: ItemType
    calibre: str = ""
    family: str = ""
    markings: tuple[Marking, ...] = ()
    lot: str = ""
    year: str = ""
    factory_code: str = ""
    colour: str = ""
    materials: str = ""
    condition: str = ""
    recovered_at: str = ""
    recovered_place: str = ""
    recovered_country: str = ""
    lat: float | None = None
    lon: float | None = None
    reported_by: str = ""
    origin_country: str = ""
    origin_basis: str = ""
    confidence_tag: str = ""
    sources: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    shipments: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rid = self.id if isinstance(self.id, str) else repr(self.id)
        if not isinstance(self.id, str) or not SLUG_RE.match(self.id) or len(self.id) > 120:
            raise InputError(f"item id must match ^[a-z0-9][a-z0-9-]*$, got {self.id!r}", record=rid)
        kind = self.type.strip().lower() if isinstance(self.type, str) else self.type
        if kind not in ITEM_TYPES:
            raise InputError(f"type must be one of {', '.join(ITEM_TYPES)}; got {self.type!r}", record=rid)
        object.__setattr__(self, "type", kind)
        for name in TEXT_FIELDS:
            object.__setattr__(self, name, _text(getattr(self, name), name, rid))
        object.__setattr__(self, "recovered_at", _partial_date(self.recovered_at, rid))
        for name in ("recovered_country", "origin_country"):
            value = getattr(self, name)
            object.__setattr__(self, name, normalise_country(value, rid) if value else "")
        tag = (self.confidence_tag or "").strip().upper()
        if tag and tag not in CONFIDENCE_TAGS:
            raise InputError(f"confidence_tag must be one of {', '.join(CONFIDENCE_TAGS)}", record=rid)
        object.__setattr__(self, "confidence_tag", tag)
        self._check_position(rid)
        for name in LINK_FIELDS:
            values = getattr(self, name)
            if isinstance(values, str) or not all(isinstance(v, str) and v.strip() for v in values):
                raise InputError(f"{name} must be a list of non-empty text", record=rid)
            object.__setattr__(self, name, tuple(dict.fromkeys(v.strip() for v in values)))
        bad = [s for s in self.sources if not _URL.match(s)]
        if bad:
            raise InputError(f"sources must be http(s) URLs, got {bad[0]!r}", record=rid)
        object.__setattr__(self, "markings", tuple(Marking.from_value(m) for m in self.markings))

    def _check_position(self, rid: str) -> None:
        if (self.lat is None) != (self.lon is None):
            raise InputError("give both lat and lon, or neither", record=rid)
        if self.lat is not None and self.lon is not None:
            try:
                lat, lon = float(self.lat), float(self.lon)
            except (TypeError, ValueError):
                raise InputError(
                    f"lat, lon must be numbers, got {self.lat!r}, {self.lon!r}", record=rid
                ) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InputError(f"lat, lon out of range: {lat}, {lon}", record=rid)
            object.__setattr__(self, "lat", lat)
            object.__setattr__(self, "lon", lon)

    @property
    def label(self) -> str:
        what = " ".join(x for x in (self.calibre, self.family or self.type) if x)
        where = ", ".join(x for x in (self.recovered_place, self.recovered_country) if x)
        return f"{what} ({where}, {self.recovered_at})" if where and self.recovered_at else what

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "markings":
                value = [m.to_dict() for m in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MunitionItem:
        if not isinstance(data, dict):
            raise InputError(f"an item must be an object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        record = str(data.get("id") or "")
        if unknown:
            raise InputError(f"unknown item properties: {', '.join(unknown[:5])}", record=record or None)
        values = {k: v for k, v in data.items() if v is not None}
        if not values.get("id"):
            seed = " ".join(
                str(values.get(k, "")) for k in ("family", "type", "recovered_place", "recovered_at")
            )
            values["id"] = slugify(seed)[:120].strip("-")
        for name in (*LINK_FIELDS, "markings"):
            value = values.get(name, ())
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                raise InputError(f"{name} must be a list", record=record or None)
            values[name] = tuple(value)
        if not values.get("type"):
            raise InputError("an item needs a type", record=record or None)
        try:
            return cls(**values)
        except TypeError as exc:
            raise InputError(f"item properties of the wrong kind: {exc}", record=record or None) from None
