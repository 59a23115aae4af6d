"""Base map layers built from public-domain data shipped with the package (no remote tiles).

* countries: Natural Earth 1:10m admin-0 outlines (``report.basemap``), simplified at two levels of
  detail (world view and regional view) and serialised once per process;
* ports: the NGA World Port Index reference points (``maritime/data/wpi_ports.csv``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Final

import shapely
from shapely.geometry import mapping

from armswatch.report.basemap import ATTRIBUTION, load_countries

#: Simplification tolerance in degrees per level of detail.
DETAIL: Final[dict[str, float]] = {"low": 0.1, "high": 0.02}
PORTS_ATTRIBUTION: Final = "Ports: NGA World Port Index, Pub. 150 (public domain)"


@lru_cache(maxsize=4)
def countries_geojson(detail: str = "low") -> bytes:
    layer = load_countries()
    simple = shapely.simplify(layer.geometries, DETAIL[detail], preserve_topology=True)
    features: list[dict[str, Any]] = []
    for geom, iso, name in zip(simple, layer.iso_a2, layer.names, strict=True):
        if geom is None or geom.is_empty:
            continue
        rounded = shapely.set_precision(geom, 0.001)
        features.append(
            {"type": "Feature", "geometry": mapping(rounded), "properties": {"iso_a2": iso, "name": name}}
        )
    doc = {"type": "FeatureCollection", "features": features, "attribution": ATTRIBUTION}
    return json.dumps(doc, separators=(",", ":")).encode()


@lru_cache(maxsize=1)
def ports_geojson() -> bytes:
    from armswatch.maritime.port import world_port_index

    ports = world_port_index()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {"name": r["name"], "country": r["country"], "id": r["port_id"]},
        }
        for r in ports.iter_rows(named=True)
    ]
    doc = {"type": "FeatureCollection", "features": features, "attribution": PORTS_ATTRIBUTION}
    return json.dumps(doc, separators=(",", ":")).encode()
