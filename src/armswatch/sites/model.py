"""The watched site: a named place (plant, port, rail node, depot) with an honest location precision.

A :class:`Site` is a frozen value. It validates itself on construction (slug id, ISO 3166 alpha-2
country, kind, precision, WGS84 geometry) and raises :class:`armswatch.errors.InputError` with the
site id as the record when something is wrong. ``to_dict``/``from_dict`` use a GeoJSON geometry so a
site can be stored as JSON and rebuilt unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal, cast, get_args

from normality import slugify as _normality_slugify
from rigour.territories import get_territory
from shapely.geometry import Point, Polygon

from armswatch.errors import InputError
from armswatch.sites.geometry import geometry_from_geojson, geometry_to_geojson, validate_geometry

SiteKind = Literal["production", "port", "rail", "depot", "test-site", "other"]
Precision = Literal["facility", "approximate", "settlement", "city"]

SITE_KINDS: Final[tuple[str, ...]] = get_args(SiteKind)
PRECISIONS: Final[tuple[str, ...]] = get_args(Precision)
SLUG_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_COUNTRY_RE: Final = re.compile(r"^[A-Z]{2}$")


def slugify(name: str) -> str:
    """Turn a display name (any script) into a site id: ``"Rajin (Najin) port"`` → ``"rajin-najin-port"``.

    Non-Latin scripts are transliterated (``"Восточный"`` → ``"vostochnyi"``). Raises InputError when
    nothing usable is left.
    """
    slug = _normality_slugify(name, sep="-")
    if not slug or not SLUG_RE.match(slug):
        raise InputError(f"cannot make a site id from name {name!r}")
    return slug


# C0/C1 control characters (Unicode category Cc), lone surrogates (Cs), and the XML-illegal U+FFFE/U+FFFF.
_CONTROL_RE: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _has_control(text: str, allowed: str = "") -> bool:
    """True when ``text`` holds a control character (other than those in ``allowed``)."""
    return any(ch not in allowed for ch in _CONTROL_RE.findall(text))


def _clean_line(value: object, what: str, site_id: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, got {type(value).__name__}", record=site_id)
    text = value.strip()
    if _has_control(text):
        raise InputError(f"{what} contains control characters: {text!r}", record=site_id)
    return text


def _clean_items(values: object, what: str, site_id: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise InputError(f"{what} must be a list of text, got {type(values).__name__}", record=site_id)
    items = tuple(_clean_line(v, what, site_id) for v in values)
    if any(not item for item in items):
        raise InputError(f"{what} contains an empty entry", record=site_id)
    return items


def normalise_country(code: object, site_id: str = "") -> str:
    """Validate an ISO 3166-1 alpha-2 code (any case) and return it upper-case."""
    if not isinstance(code, str) or not _COUNTRY_RE.match(code.strip().upper()):
        raise InputError(f"country must be an ISO 3166 alpha-2 code, got {code!r}", record=site_id or None)
    upper = code.strip().upper()
    territory = get_territory(upper.lower())
    if territory is None or territory.alpha3 is None or territory.is_historical:
        raise InputError(f"unknown ISO 3166 country code {upper!r}", record=site_id or None)
    return upper


@dataclass(frozen=True, kw_only=True)
class Site:
    """A watched place. Build with keywords; every field is validated in ``__post_init__``."""

    id: str
    name: str
    country: str
    kind: SiteKind
    geometry: Point | Polygon
    precision: Precision
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        sid = self.id if isinstance(self.id, str) else repr(self.id)
        if not isinstance(self.id, str) or not SLUG_RE.match(self.id):
            raise InputError(f"site id must match ^[a-z0-9][a-z0-9-]*$, got {self.id!r}", record=sid)
        name = _clean_line(self.name, "name", sid)
        if not name:
            raise InputError("name is empty", record=sid)
        for attr in ("kind", "precision"):  # accept "Port", " city " from hand-made files
            value = getattr(self, attr)
            if isinstance(value, str):
                object.__setattr__(self, attr, value.strip().lower())
        if self.kind not in SITE_KINDS:
            raise InputError(f"kind must be one of {', '.join(SITE_KINDS)}; got {self.kind!r}", record=sid)
        if self.precision not in PRECISIONS:
            raise InputError(
                f"precision must be one of {', '.join(PRECISIONS)}; got {self.precision!r}", record=sid
            )
        if not isinstance(self.notes, str):
            raise InputError("notes must be text", record=sid)
        notes = self.notes.replace("\r\n", "\n").replace("\r", "\n").strip()
        if _has_control(notes, allowed="\n\t"):
            raise InputError("notes contain control characters", record=sid)
        try:
            geometry = validate_geometry(self.geometry)
        except InputError as err:
            raise InputError(err.message, record=sid) from err
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "country", normalise_country(self.country, sid))
        object.__setattr__(self, "aliases", _clean_items(self.aliases, "aliases", sid))
        object.__setattr__(self, "sources", _clean_items(self.sources, "sources", sid))
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "geometry", geometry)

    @property
    def lonlat(self) -> tuple[float, float]:
        """A representative (lon, lat): the point itself, or a point inside the polygon."""
        pt = self.geometry if isinstance(self.geometry, Point) else self.geometry.representative_point()
        return (float(pt.x), float(pt.y))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; ``geometry`` is a GeoJSON geometry object."""
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "country": self.country,
            "kind": self.kind,
            "precision": self.precision,
            "geometry": geometry_to_geojson(self.geometry),
            "sources": list(self.sources),
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Site:
        """Inverse of :meth:`to_dict`. Missing ``id`` is made from the name; lists become tuples.

        ``geometry`` may be a GeoJSON geometry dict or an already built shapely Point/Polygon.
        """
        if not isinstance(data, dict):
            raise InputError(f"a site must be an object, got {type(data).__name__}")
        name = data.get("name")
        raw_id = data.get("id")
        if raw_id in (None, ""):
            if not isinstance(name, str):
                raise InputError("site has neither id nor name")
            raw_id = slugify(name)
        record = str(raw_id)
        for key in ("name", "country", "kind", "precision", "geometry"):
            if data.get(key) in (None, ""):
                raise InputError(f"missing required property {key!r}", record=record)
        raw_geometry = data["geometry"]
        geometry = (
            raw_geometry
            if isinstance(raw_geometry, (Point, Polygon))
            else geometry_from_geojson(raw_geometry)
        )
        return cls(
            id=cast(str, raw_id),
            name=cast(str, name),
            aliases=_as_tuple(data.get("aliases"), "aliases", record),
            country=cast(str, data["country"]),
            kind=cast(SiteKind, data["kind"]),
            geometry=geometry,
            precision=cast(Precision, data["precision"]),
            sources=_as_tuple(data.get("sources"), "sources", record),
            notes=cast(str, data.get("notes") or ""),
        )


def _as_tuple(value: object, what: str, record: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(cast(list[str], list(value)))
    raise InputError(f"{what} must be a list, got {type(value).__name__}", record=record)
