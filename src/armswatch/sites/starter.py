"""Starter watchlists shipped with armswatch (package data under ``armswatch/sites/data``).

``dprk-russia``: DPRK production sites and DPRK→Russia transfer nodes built from the project's
sourced fact base. Most points are city or settlement points, not facilities; each site says so in
``precision`` and ``notes`` and keeps its source URLs and coordinate source. See docs/sites.md.
"""

from __future__ import annotations

from importlib import resources
from typing import Final

from armswatch.errors import NotFoundError
from armswatch.sites.format_geojson import sites_from_geojson
from armswatch.sites.model import Site

STARTERS: Final[dict[str, str]] = {"dprk-russia": "dprk-russia.geojson"}


def starter_names() -> list[str]:
    """Names accepted by :func:`load_starter`."""
    return sorted(STARTERS)


def load_starter(name: str) -> list[Site]:
    """Load a shipped starter watchlist by name; unknown name → NotFoundError listing the known ones."""
    filename = STARTERS.get(name)
    if filename is None:
        raise NotFoundError(f"no starter watchlist {name!r}; known: {', '.join(starter_names())}")
    resource = resources.files("armswatch.sites").joinpath("data", filename)
    return sites_from_geojson(resource.read_bytes(), path=f"armswatch/sites/data/{filename}")
