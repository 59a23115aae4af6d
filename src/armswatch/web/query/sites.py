"""Sites for the map and the site page, with the radius of their precision ring."""

from __future__ import annotations

from typing import Any, Final

from shapely.geometry import mapping

from armswatch.sites.model import Site

#: How far from the plotted point the real place may be, by precision word (metres): the ring drawn
#: around a site on the map. A "city" point is a town centroid; the plant may be anywhere in town.
PRECISION_RADIUS_M: Final[dict[str, float]] = {
    "facility": 250.0,
    "approximate": 2_000.0,
    "settlement": 5_000.0,
    "city": 15_000.0,
}


def site_feature(site: Site) -> dict[str, Any]:
    c = site.geometry.centroid
    return {
        "type": "Feature",
        "geometry": dict(mapping(site.geometry)),
        "properties": {
            "id": site.id,
            "name": site.name,
            "aliases": list(site.aliases),
            "country": site.country,
            "kind": site.kind,
            "precision": site.precision,
            "precision_radius_m": PRECISION_RADIUS_M.get(site.precision, 0.0),
            "centroid": [round(c.x, 6), round(c.y, 6)],
            "sources": list(site.sources),
            "notes": site.notes,
        },
    }
