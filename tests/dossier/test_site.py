"""Facility dossier: location, sources, imagery counts, movements at linked ports, munitions, entities."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import jsonschema
import pypdf
import pytest
from tests.dossier.case import T0, build
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.dossier.json_schema import SCHEMA
from armswatch.dossier.model import dossier_json
from armswatch.dossier.render import render_html
from armswatch.dossier.site import site_dossier
from armswatch.munitions.item import MunitionItem
from armswatch.munitions.store import save_items
from armswatch.workspace import Workspace


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("site")
    ws = Workspace.init(tmp / "case", analyst="tester")
    ids = build(ws, tmp)
    chip = ws.add_artifact(b"\x89PNG fake chip", name="chip.png", simulated=True)
    with ws.run("imagery.count", parameters={"site": "test-plant"}, inputs=[chip.id]) as run:
        for k, n in enumerate((4, 7, 9)):
            ids[f"count{k}"] = run.add_finding(
                kind="imagery.count", title=f"{n} launchers counted at Test plant", subjects=["site:test-plant"],
                start=T0 + timedelta(days=30 * k), end=T0 + timedelta(days=30 * k), evidence=[chip.id],
                details={"count": n, "object": "launcher"}, confidence="likely",
            )  # fmt: skip
        ids["shipment"] = run.add_finding(
            kind="ais.shuttle", title="Shipment from Test plant via Rajin <b>bold</b>", evidence=[chip.id],
            subjects=["site:test-plant", "site:rajin-port", "entity:t-owner"], start=T0, end=T0 + timedelta(days=2),
        )  # fmt: skip
    ws.review_finding(ids["count1"], "rejected", "double counted")
    item = MunitionItem(
        id="item-1", type="rocket", calibre="122 mm", family="9M22", markings=({"text": "라선 2023", "romanised": "Rason 2023"},),  # type: ignore[arg-type]
        recovered_at="2024-03-02", recovered_place="Kharkiv", origin_country="KP", origin_basis="marking",
        sources=("https://example.org/photo",), sites=("test-plant",), entities=("t-owner",),
    )  # fmt: skip
    save_items(ws, [item])
    yield ws, ids
    ws.close()


def test_site_dossier_content(case: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = case
    d = site_dossier(ws, "test-plant")
    by = {
        s.section: [x.text for x in d.statements if x.section == s.section and not x.rejected]
        for s in d.statements
    }
    assert any("41.80000° N, 129.90000° E" in t and "precision: approximate" in t for t in by["location"])
    assert "Said to assemble 122 mm rockets." in by["description"]
    assert any("Panel of Experts report S/2024/215" in t for t in by["description"])
    assert sum("launchers counted" in t for t in by["imagery"]) == 2  # the rejected count is not a result
    rejected = [s for s in d.statements if s.rejected]
    assert [s.ref for s in rejected] == [ids["count1"]]
    assert any(
        "item-1" in t and "라선 2023 (Rason 2023)" in t and "122 mm 9M22 (Kharkiv" in t
        for t in by["munition"]
    )
    assert any("t-owner" in t and "listed" in t for t in by["entity"])
    # Rajin is linked by the shipment finding: port calls there are movements at the place it feeds
    assert any(
        "(MMSI 445301000): Port call at Rajin port" in t and "within 5 km" in t for t in by["movement"]
    )
    assert any("Shipment from Test plant" in t for t in by["movement"])
    assert [c.title for c in d.charts] == ["Objects counted on imagery (launcher) per image date"]
    assert "rajin-port" in [s.id for s in d.sites]


def test_site_html_json_pdf(case: tuple[Workspace, dict[str, str]], tmp_path: Path) -> None:
    ws, _ = case
    d = site_dossier(ws, "test-plant")
    html = render_html(d)
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    jsonschema.validate(json.loads(json.dumps(dossier_json(d), default=str)), SCHEMA)
    out = tmp_path / "site.pdf"
    res = CliRunner().invoke(app, ["dossier", "site", "test-plant", "-o", str(out), "-w", str(ws.root), "-q"])
    assert res.exit_code == 0, res.output
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages).split()
    )
    for needle in (
        "Facility dossier: Test plant",
        "Munition items traced to it",
        "라선 2023",
        "Rejected by review",
        "double counted",
    ):
        assert needle in text, needle


def test_unknown_site_exits_2(case: tuple[Workspace, dict[str, str]], tmp_path: Path) -> None:
    ws, _ = case
    res = CliRunner().invoke(
        app, ["dossier", "site", "no-such-site", "-o", str(tmp_path / "x.html"), "-w", str(ws.root)]
    )
    assert res.exit_code == 2 and "no site 'no-such-site'" in res.output
