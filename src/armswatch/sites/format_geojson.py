"""Sites as a GeoJSON FeatureCollection (RFC 7946), both ways.

Reading accepts the legacy (2008) ``crs`` member: a named CRS other than WGS84 is reprojected to
lon/lat with pyproj; an unknown CRS is an InputError. Per-feature problems raise InputError with the
feature index (0-based, as in ``features[i]``) as the record.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import partial
from typing import Any

from pyproj import Transformer

from armswatch.errors import InputError
from armswatch.sites.geometry import geometry_from_geojson, geometry_to_geojson, transformer_for
from armswatch.sites.model import Site, slugify
from armswatch.sites.record import SiteCollector

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
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
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


def sites_from_geojson(
    text: str | bytes, *, path: str | None = None, skipped: Counter[str] | None = None
) -> list[Site]:
    """Parse a FeatureCollection (or a single Feature) into sites.

    Raises InputError on the first bad feature, or, when ``skipped`` is given, skips bad features and
    counts them there by reason (see :mod:`armswatch.sites.record`).
    """
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not valid JSON: {err}", path=path) from err
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
