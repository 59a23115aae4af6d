"""Factories and hypothesis strategies for sites (generated data, nothing copied from shared data)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from armswatch.sites.model import PRECISIONS, SITE_KINDS, Site


def make_site(**overrides: Any) -> Site:
    fields: dict[str, Any] = {
        "id": "rajin-port",
        "name": "Rajin port",
        "aliases": ("Najin",),
        "country": "KP",
        "kind": "port",
        "geometry": Point(130.38972, 42.34),
        "precision": "settlement",
        "sources": ("https://example.org/rajin",),
        "notes": "district point",
    }
    fields.update(overrides)
    return Site(**fields)


_TEXT_ALPHABET = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
line_text = st.text(_TEXT_ALPHABET, min_size=1, max_size=30).filter(lambda s: s.strip() != "")
note_text = st.text(st.one_of(_TEXT_ALPHABET, st.sampled_from("\n\t")), max_size=60)
slugs = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")
lons = st.floats(-180, 180, allow_nan=False)
lats = st.floats(-90, 90, allow_nan=False)


@st.composite
def geometries(draw: st.DrawFn) -> Point | Polygon:
    x, y = draw(st.floats(-179, 178)), draw(st.floats(-89, 88))
    if draw(st.booleans()):
        return Point(x, y)
    w, h = draw(st.floats(1e-4, 1.0)), draw(st.floats(1e-4, 1.0))
    return Polygon([(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)])


@st.composite
def sites(draw: st.DrawFn) -> Site:
    return Site(
        id=draw(slugs),
        name=draw(line_text),
        aliases=tuple(draw(st.lists(line_text, max_size=3))),
        country=draw(st.sampled_from(["KP", "RU", "CN", "KR", "JP", "UA"])),
        kind=draw(st.sampled_from(SITE_KINDS)),
        geometry=draw(geometries()),
        precision=draw(st.sampled_from(PRECISIONS)),
        sources=tuple(draw(st.lists(line_text, max_size=3))),
        notes=draw(note_text),
    )


def unique_sites(min_size: int = 0, max_size: int = 5) -> st.SearchStrategy[list[Site]]:
    return st.lists(sites(), min_size=min_size, max_size=max_size, unique_by=lambda s: s.id)
