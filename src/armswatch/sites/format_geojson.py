"""Sites as a GeoJSON FeatureCollection (RFC 7946), both ways.

Reading accepts the legacy (2008) ``crs`` member: a named CRS other than WGS84 is reprojected to
lon/lat with pyproj; an unknown CRS is an InputError. Per-feature problems raise InputError with the
feature index (0-based, as in ``features[i]``) as the record.

Hostile documents are refused with one InputError before they can exhaust memory or the stack: more
than :data:`MAX_BYTES`, more than :data:`MAX_CONTAINERS` arrays and objects, nesting deeper than the
decoder allows; integers of any length are read as floats (a 5,000-digit coordinate is non-finite,
not a ``ValueError``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import partial
from typing import Any, Final

from pyproj import Transformer

from armswatch.errors import InputError
from armswatch.sites.geometry import geometry_from_geojson, geometry_to_geojson, transformer_for
from armswatch.sites.model import Site, slugify
from armswatch.sites.record import SiteCollector

MAX_BYTES: Final = 64 * 1024 * 1024
MAX_CONTAINERS: Final = 2_000_000  # "[" and "{": a 5 M-vertex polygon is refused before decoding
PROPERTY_KEYS = ("id", "name", "aliases", "country", "kind", "precision", "sources", "notes")


def site_to_feature(site: Site) -> dict[str, Any]:
    """One GeoJSON Feature; the site id is both the feature ``id`` and a property."""
    d = site.to_dict()
    return {
        "type": "Feature",
        "id": site.id,
        "geometry": geometry_to_geojson(site.geometry),
        "properties": {key: d[key] for key in PROPERTY_KEYS},
    }


def sites_to_geojson(sites: Iterable[Site], *, indent: int | None = 2) -> str:
    """A FeatureCollection as text (UTF-8 characters kept, not escaped)."""
    collection = {"type": "FeatureCollection", "features": [site_to_feature(s) for s in sites]}
    return json.dumps(collection, ensure_ascii=False, indent=indent) + "\n"


def _crs_name(collection: dict[str, Any], path: str | None) -> str | None:
    crs = collection.get("crs")
    if crs is None:
        return None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str) or not name:
        raise InputError("the 'crs' member has no properties.name", path=path)
    return name


def _feature_to_site(feature: object, transform: Transformer | None, index: int) -> Site:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InputError("not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise InputError("properties must be an object")
    if feature.get("geometry") is None:
        raise InputError("feature has no geometry")
    geometry = geometry_from_geojson(feature["geometry"], transform)
    data = {key: props.get(key) for key in PROPERTY_KEYS}
    if data["id"] in (None, ""):
        fid = feature.get("id")
        data["id"] = fid if isinstance(fid, str) and fid else None
    if data["id"] is None and isinstance(data["name"], str):
        data["id"] = slugify(data["name"])
    data["geometry"] = geometry
    return Site.from_dict(data)


def _number(text: str) -> float:
    return float(text)


def _decode(text: str | bytes, path: str | None) -> object:
    if len(text) > MAX_BYTES:
        raise InputError(f"file larger than {MAX_BYTES // 2**20} MiB", path=path)
    if isinstance(text, str):
        containers = text.count("[") + text.count("{")
    else:
        containers = text.count(b"[") + text.count(b"{")
    if containers > MAX_CONTAINERS:
        raise InputError(f"more than {MAX_CONTAINERS:,} JSON arrays and objects", path=path)
    try:
        return json.loads(text, parse_int=_number)
    except RecursionError as err:
        raise InputError("JSON nested too deep", path=path) from err
    except (ValueError, UnicodeDecodeError) as err:  # JSONDecodeError is a ValueError
        raise InputError(f"not valid JSON: {err}", path=path) from err


def sites_from_geojson(
    text: str | bytes, *, path: str | None = None, skipped: Counter[str] | None = None
) -> list[Site]:
    """Parse a FeatureCollection (or a single Feature) into sites.

    Raises InputError on the first bad feature, or, when ``skipped`` is given, skips bad features and
    counts them there by reason (see :mod:`armswatch.sites.record`).
    """
    doc = _decode(text, path)
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError("expected a GeoJSON FeatureCollection", path=path)
    features = doc.get("features")
    if not isinstance(features, list):
        raise InputError("FeatureCollection has no 'features' list", path=path)
    crs_name = _crs_name(doc, path)
    try:
        transform = transformer_for(crs_name) if crs_name else None
    except InputError as err:
        raise InputError(err.message, path=path) from err
    collector = SiteCollector("feature", path, skipped)
    for index, feature in enumerate(features):
        collector.add(index, partial(_feature_to_site, feature, transform, index))
    return collector.sites
