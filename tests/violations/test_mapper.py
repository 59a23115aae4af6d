"""The mapper in a workspace: candidates recorded as reviewable findings, an annex that escapes everything."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from shapely.geometry import Point

from armswatch.sites.model import Site
from armswatch.violations.annex import annex_html, annex_rows
from armswatch.violations.mapper import KIND, TOOL, latest_candidates, map_violations
from armswatch.workspace import Workspace

T0 = datetime(2024, 3, 1, tzinfo=UTC)


def port(site_id: str, name: str, country: str, lon: float, lat: float) -> Site:
    return Site(
        id=site_id,
        name=name,
        country=country,
        kind="port",
        precision="approximate",
        geometry=Point(lon, lat),
        sources=("https://msi.nga.mil/Publications/WPI",),
    )


def build_case(ws: Workspace) -> str:
    ws.save_sites(
        [
            port("rajin-port", "Rajin <script>alert(1)</script>", "KP", 130.3, 42.233333),
            port("vostochny-port", "Vostochny", "RU", 133.083333, 42.75),
        ]
    )
    scene = ws.add_artifact(b"track plot", name="track.png", media_type="image/png")
    with ws.run("maritime.patterns") as run:
        return run.add_finding(
            kind="ais.shuttle",
            title="Shuttle: ANGARA between Rajin, Vostochny",
            subjects=["vessel:mmsi:273000001", "site:rajin-port", "site:vostochny-port"],
            start=T0,
            end=T0,
            confidence="very likely",
            evidence=[scene.id],
        )


def test_map_records_candidates_that_are_reviewed_like_any_finding(ws: Workspace) -> None:
    fact = build_case(ws)
    summary = map_violations(ws)
    assert summary["candidates"] == 1 and summary["by provision"]["2270-18"] == 1
    [c] = latest_candidates(ws)
    assert c.kind == KIND and f"finding:{fact}" in c.subjects
    assert c.title.startswith("May engage UNSCR 2270 (2016), para. 18")
    assert "violat" not in c.title.lower() and "2 of 4 elements met, 2 unknown" in c.title
    assert c.evidence == ws.get_finding(fact).evidence
    ws.review_finding(c.id, "confirmed", "read against the annex")
    assert latest_candidates(ws, "confirmed")[0].id == c.id
    # a re-run adds a run; the candidates of the latest run are the ones listed
    map_violations(ws)
    assert len(ws.list_runs(tool=TOOL)) == 2
    assert len(latest_candidates(ws)) == 1


def test_rejected_facts_are_not_read(ws: Workspace) -> None:
    fact = build_case(ws)
    ws.review_finding(fact, "rejected", "not the same ship")
    assert map_violations(ws)["candidates"] == 0


def test_annex_escapes_names_and_traces_evidence(ws: Workspace, tmp_path: Path) -> None:
    fact = build_case(ws)
    map_violations(ws)
    names = {s.id: s.name for s in ws.list_sites()}
    rows = annex_rows(latest_candidates(ws), names)
    assert rows[0]["places"].startswith("Rajin <script>")
    assert fact in rows[0]["evidence"] and "sha256:" in rows[0]["evidence"]
    html = annex_html(rows)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "not a legal conclusion" in html
