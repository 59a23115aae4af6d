"""The starter watchlist cites canonical pages and official documents, never mirrors or scrapers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from armswatch.sites.starter import load_starter

#: Wikipedia mirrors, scrapers and copies seen in earlier versions of the list or common in search results.
MIRROR_DOMAINS = (
    "review.clateway.com",
    "qa.edu.vn",
    "abcdef.wiki",
    "wikipedia.ddns.net",
    "wikimili.com",
    "wiki.x.io",
    "frwiki.wiki",
    "fr-academic.com",
    "academic.ru",
    "wikiwand.com",
    "wiki2.org",
    "dbpedia.org",
    "everybodywiki.com",
    "wikizero.com",
    "infogalactic.com",
    "justapedia.org",
)
_URL = re.compile(r"https?://[^\s;,)]+")


def _urls() -> list[tuple[str, str]]:
    found = []
    for site in load_starter("dprk-russia"):
        for text in (*site.sources, site.notes):
            found.extend((site.id, url) for url in _URL.findall(text))
    return found


def test_no_source_is_a_mirror_or_scraper() -> None:
    bad = [
        (sid, url)
        for sid, url in _urls()
        if any(
            (urlsplit(url).hostname or "").endswith(domain) or domain in (urlsplit(url).hostname or "")
            for domain in MIRROR_DOMAINS
        )
    ]
    assert bad == []


def test_the_check_would_catch_a_mirror() -> None:
    host = urlsplit("https://it.abcdef.wiki/wiki/Rajin-guyok").hostname or ""
    assert any(domain in host for domain in MIRROR_DOMAINS)


@pytest.mark.parametrize(
    ("site_id", "wpi_number"),
    [("rajin-port", "60510"), ("vostochny-port", "60725"), ("vladivostok", "60610")],
)
def test_ports_cite_the_world_port_index(site_id: str, wpi_number: str) -> None:
    site = {s.id: s for s in load_starter("dprk-russia")}[site_id]
    assert "https://msi.nga.mil/Publications/WPI" in site.sources
    assert f"no. {wpi_number}" in site.notes
