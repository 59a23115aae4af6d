"""Vessel dossier: content, provenance, escaping, JSON schema, PDF read back, exit codes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pypdf
import pytest
from tests.dossier.case import HOSTILE, IMO, MMSI, OWNER, build
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.dossier.json_schema import SCHEMA
from armswatch.dossier.model import dossier_json
from armswatch.dossier.registry import import_registry
from armswatch.dossier.render import render_html
from armswatch.dossier.vessel import vessel_dossier
from armswatch.workspace import Workspace


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("dossier")
    ws = Workspace.init(tmp / "case", analyst="tester")
    ids = build(ws, tmp)
    import_registry(ws, Path(ids["register"]), source="Register extract A")
    yield ws, ids
    ws.close()


def test_identity_designation_ownership_and_movements(case: tuple[Workspace, dict[str, str]]) -> None:
    ws, ids = case
    d = vessel_dossier(ws, IMO)
    texts = {s.section: [] for s in d.statements}  # type: dict[str, list[str]]
    for s in d.statements:
        texts[s.section].append(s.text)
    identity = " ".join(texts["identity"])
    assert "broadcast name SUN BONG" in identity and f"broadcast name {HOSTILE.upper()}" in identity
    assert "test_list lists name SUN BONG" in identity and "MID of KP" in identity
    assert "Heard under MMSI 445301000: 554 positions" in identity
    assert any("Register IMO 8660313, 2015-01 – 2019-06-30" in t and OWNER in t for t in texts["registry"])
    assert any("(t-vessel) is listed on test_list since 2025-01-01" in t for t in texts["designation"])
    assert any(
        "designated by Test Authority TEST-1" in t and "listed 2017-08-05" in t for t in texts["ownership"]
    )
    # the chain: vessel list entry -> owner (designated), and the register's owner matched by name
    assert any("From list entry" in t and OWNER in t and "1 hop" in t for t in texts["ownership"])
    assert any(f"register owner '{OWNER}'" in t and "itself designated" in t for t in texts["ownership"])
    kinds = [s.kind for s in d.statements if s.section == "event"]
    assert kinds.count("port_call") == 2 and "gap" in kinds
    gap = next(s for s in d.statements if s.kind == "gap")
    assert (
        gap.start is not None
        and gap.end is not None
        and 9.5 <= (gap.end - gap.start).total_seconds() / 3600 <= 11
    )
    # a finding kind the dossier knows nothing about appears because it names the vessel
    found = {s.ref: s for s in d.statements if s.section == "finding"}
    assert ids["dark"] in found and found[ids["dark"]].status == "new"
    assert found[ids["rejected"]].rejected


def test_every_statement_has_provenance(case: tuple[Workspace, dict[str, str]]) -> None:
    ws, _ = case
    d = vessel_dossier(ws, str(MMSI))
    assert f"IMO {IMO}" in d.title  # asked by MMSI, resolved to the IMO
    for s in d.statements:
        assert s.provenance and all(p.source and p.review for p in s.provenance)
    events = [s for s in d.statements if s.section == "event"]
    assert all(p.artifacts and p.artifacts[0].startswith("sha256:") for s in events for p in s.provenance)
    sim_run = next(r.id for r in ws.list_runs(tool="ais.simulate"))
    assert all(p.run == sim_run for s in events for p in s.provenance)  # the run that wrote the positions
    reg = next(s for s in d.statements if s.section == "registry")
    assert reg.provenance[0].run and reg.provenance[0].detail.startswith("line ")
    assert any(s.simulated for s in events) and d.simulated_note


def test_html_escapes_hostile_names_and_keeps_rejected_off_the_map(
    case: tuple[Workspace, dict[str, str]],
) -> None:
    ws, _ids = case
    html = render_html(vessel_dossier(ws, IMO))
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&#34;http://x&#34;)" in html and 'href="http://x' not in html  # text, never a link
    assert html.count("<script>") == 1  # our map script only
    body = html.split('id="rejected"')[0]
    assert "REJECTED-LEG" not in body  # neither a row, a map tooltip nor a timeline mark
    assert "REJECTED-LEG" in html.split('id="rejected"')[1]
    assert "<link" not in html and "@import" not in html


def test_json_follows_the_schema(case: tuple[Workspace, dict[str, str]], tmp_path: Path) -> None:
    ws, _ = case
    data = json.loads(json.dumps(dossier_json(vessel_dossier(ws, IMO)), default=str))
    jsonschema.validate(data, SCHEMA)
    assert data["subject"] == "vessel" and data["track"]["type"] == "LineString"
    broken = dict(data, statements=[{**data["statements"][0], "provenance": []}])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_cli_pdf_and_json_read_back(case: tuple[Workspace, dict[str, str]], tmp_path: Path) -> None:
    ws, _ids = case
    runner = CliRunner()
    pdf_path = tmp_path / "v.pdf"
    res = runner.invoke(app, ["dossier", "vessel", IMO, "-o", str(pdf_path), "-w", str(ws.root), "-q"])
    assert res.exit_code == 0, res.output
    reader = pypdf.PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = " ".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    for needle in ("Vessel dossier", "SUN BONG", "Designations", "Test Authority", "Ownership chain",
                   OWNER, "Port call", "Dark voyage of <script>alert(1)</script>", "computed (not reviewed)", "sha256:"):  # fmt: skip
        assert needle in flat, needle
    res = runner.invoke(app, ["dossier", "vessel", str(MMSI), "-o", "-", "-w", str(ws.root), "-q"])
    assert res.exit_code == 0
    jsonschema.validate(json.loads(res.stdout), SCHEMA)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("9161003", "nothing in this workspace knows vessel"),
        ("8660314", "check digit"),
        ("12345", "neither an IMO"),
    ],
)
def test_cli_unknown_or_bad_vessel_exits_2(
    case: tuple[Workspace, dict[str, str]], tmp_path: Path, key: str, message: str
) -> None:
    ws, _ = case
    out = tmp_path / "x.html"
    res = CliRunner().invoke(app, ["dossier", "vessel", key, "-o", str(out), "-w", str(ws.root), "-q"])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
    assert not out.exists()
