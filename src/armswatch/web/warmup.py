"""Warm the server's caches right after ``armswatch serve`` starts, in the background: the first entity
page builds the graph of every list entity and the first search builds the name index (on the real UN
and OFAC lists, 12 s and 6 s on a busy two-core machine), which the first analyst to click would wait
for. Each step only fills the same cache a request would; a step that fails is left to the request,
which reports the error properly."""

from __future__ import annotations

import logging
from collections.abc import Callable

from armswatch.workspace import Workspace

log = logging.getLogger(__name__)


def steps(ws: Workspace) -> list[tuple[str, Callable[[], object]]]:
    from armswatch.web import basemap
    from armswatch.web.query import entities, search, tracks, vessel_list

    return [
        ("base map", lambda: (basemap.countries_geojson("low"), basemap.countries_geojson("high"))),
        ("hourly tracks", lambda: tracks.hourly(ws)),
        ("vessel table", lambda: vessel_list.vessel_table(ws)),
        ("name index", lambda: search._index(ws)),
        ("entity graph", lambda: entities._graphs(ws)),
    ]


def warm_up(ws: Workspace) -> list[str]:
    """Run every step; returns the names of the steps that completed."""
    done = []
    for name, step in steps(ws):
        try:
            step()
        except Exception:
            log.warning("warm-up step %r failed; the first request will compute it", name, exc_info=True)
            continue
        done.append(name)
    return done
