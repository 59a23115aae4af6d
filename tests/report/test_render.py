from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armswatch.report.model import EvidenceItem
from armswatch.report.render import render_report, summarise, thumbnail_uri

from .factories import SECTION, SHA_A, SHA_B, make_data, make_finding, make_run, png_bytes


def _maps(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r'<svg class="map".*?</svg>', html, flags=re.S)]


def test_report_is_self_contained() -> None:
    html = render_report(make_data(sections=(SECTION,)))
    assert html.startswith("<!DOCTYPE html>")
    for value in re.findall(r'\ssrc="([^"]*)"', html):
        assert value.startswith("data:image/png;base64,"), value
    for tag in re.findall(r'<[^>]*href="https?://[^>]*>', html):
        assert tag.startswith('<a class="source-link"'), tag
    assert "<link" not in html and "@import" not in html
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    assert "<script src" not in html
    assert 'href="a printed citation"' not in html and "a printed citation" in html


def test_map_is_valid_svg_with_sites_findings_and_basemap() -> None:
    html = render_report(make_data(sections=(SECTION,)))
    [svg] = _maps(html)
    ns = "{http://www.w3.org/2000/svg}"
    land = svg.find(f"{ns}path[@class='land']")
    assert land is not None and len(land.get("d", "")) > 1000, "Natural Earth outlines should be drawn"
    assert len(svg.findall(f".//{ns}g[@data-site]")) == 2
    finding_paths = [p for p in svg.iter(f"{ns}path") if "finding" in (p.get("class") or "")]
    assert any("status-new" in (p.get("class") or "") for p in finding_paths)
    extra = [c for c in svg.iter(f"{ns}circle") if "extra" in (c.get("class") or "")]
    assert len(extra) == 1
    w, h = (float(v) for v in svg.get("viewBox", "").split()[2:])
    for g in svg.findall(f".//{ns}g[@data-site]"):
        dot = g.find(f"{ns}circle[@class='dot']")
        assert dot is not None and 0 <= float(dot.get("cx", -1)) <= w and 0 <= float(dot.get("cy", -1)) <= h
    assert re.search(r"\d+°E", html) and re.search(r"\d+°N", html), "graticule labels"


def test_city_precision_marked_on_map() -> None:
    [svg] = _maps(render_report(make_data()))
    classes = [g.get("class") for g in svg.iter() if g.get("data-site")]
    assert all("prec-city" in (c or "") for c in classes)


def test_finding_card_shows_provenance_and_badges() -> None:
    f = make_finding(simulated=True)
    html = render_report(make_data(findings=(f,)))
    assert "SIMULATED" in html and 'class="banner"' in html
    assert "run-0001" in html and "imagery.change 0.1.0" in html
    assert SHA_A in html and SHA_B in html
    assert "&#34;threshold&#34;: 0.3" in html or '"threshold": 0.3' in html
    assert "first look" in html and "alice" in html
    assert "data:image/png;base64," in html


def test_no_banner_without_simulated_data() -> None:
    html = render_report(make_data())
    assert 'class="banner"' not in html and "badge sim" not in html
    note = render_report(make_data(simulated_note="The AIS feed is simulated."))
    assert 'class="banner"' in note and "The AIS feed is simulated." in note


def test_user_text_is_escaped_but_section_html_is_trusted() -> None:
    evil = make_finding(title="<script>alert(1)</script>", summary='"><img src=x onerror=alert(1)>')
    html = render_report(make_data(findings=(evil,), sections=(SECTION,), title="<b>T</b>"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "<title>&lt;b&gt;T&lt;/b&gt;</title>" in html
    assert "<p class='domain'>Port calls: <b>12</b></p>" in html


def test_non_png_thumbnail_is_not_embedded() -> None:
    assert thumbnail_uri(b"GIF89a...") is None
    assert thumbnail_uri(None) is None
    uri = thumbnail_uri(png_bytes())
    assert uri is not None and uri.startswith("data:image/png;base64,iVBOR")
    f = make_finding(evidence=(EvidenceItem(SHA_A, "scene.tif", "image/tiff", b"II*\x00"),))
    html = render_report(make_data(findings=(f,)))
    assert "data:image" not in html and "image/tiff" in html


def test_summary_counts_by_kind_and_status() -> None:
    fs = (
        make_finding(id="a", kind="x", status="new"),
        make_finding(id="b", kind="x", status="confirmed", simulated=True),
        make_finding(id="c", kind="y", status="rejected"),
        make_finding(id="d", kind="y", status="disputed"),
    )
    s = summarise(fs)
    assert s.kinds == ("x", "y")
    assert s.statuses == ("new", "confirmed", "disputed", "rejected")
    assert s.counts[("x", "confirmed")] == 1 and s.totals == {"x": 2, "y": 2}
    assert s.status_totals["new"] == 1 and s.simulated == {"x": 1, "y": 0} and s.simulated_total == 1


def test_empty_report_renders() -> None:
    html = render_report(make_data(sites=(), findings=()))
    assert "No findings recorded yet." in html and "No sites on the watchlist." in html
    assert len(_maps(html)) == 1


def test_finding_without_geometry_or_run() -> None:
    f = make_finding(geometry=None, run=None, evidence=(), reviews=())
    html = render_report(make_data(findings=(f,)))
    assert "not on map (no geometry)" in html and "No run recorded" in html


@pytest.mark.parametrize("gtype", ["LineString", "MultiPoint"])
def test_other_geometry_types_drawn(gtype: str) -> None:
    coords = [[127.0, 39.0], [129.0, 41.0]]
    f = make_finding(geometry={"type": gtype, "coordinates": coords}, run=make_run())
    [svg] = _maps(render_report(make_data(findings=(f,))))
    refs = [e for e in svg.iter() if e.get("data-ref") == "f0"]
    assert refs


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_title_round_trips_escaped(title: str) -> None:
    html = render_report(make_data(findings=(make_finding(title=title),), sites=()))
    assert html.count("<script>") == 1, "only our own inline script"
    escaped = (
        title.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
    assert escaped in html


def test_sites_link_to_their_findings_and_back() -> None:
    f = make_finding(subjects=("site:test-plant", "vessel:imo:9161003"))
    html = render_report(make_data(findings=(f,)))
    row = html.split('<tr id="site-test-plant">', 1)[1].split("</tr>", 1)[0]
    assert '<a href="#card-f0" title="New hall at test plant">New hall at test plant</a>' in row
    assert '<a href="#site-test-plant"><code>site:test-plant</code></a>' in html
    other = html.split('<tr id="site-test-port">', 1)[1].split("</tr>", 1)[0]
    assert "#card-" not in other


def test_map_carries_projection_for_the_scale_bar() -> None:
    html = render_report(make_data())
    [svg] = _maps(html)
    assert float(svg.get("data-scale", "0")) > 0
    assert 'class="scalebar"' in html
