"""``armswatch report -o report.pdf``: the report's content laid out by WeasyPrint, read back with pypdf."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
from tests.conftest import make_site
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.workspace import Workspace


def test_report_pdf_has_findings_provenance_and_reviews(ws: Workspace, tmp_path: Path) -> None:
    ws.save_sites([make_site()])
    ev = ws.add_artifact(b"evidence bytes", name="note.txt")
    with ws.run("test.tool", parameters={"threshold": 0.37}, inputs=[ev.id]) as run:
        kept = run.add_finding(kind="ais.gap", title="Gap of <MV TEST> near Rajin", subjects=["site:rajin-port"],
                               summary="Dark for 31 h.", evidence=[ev.id])  # fmt: skip
        gone = run.add_finding(kind="ais.gap", title="WRONG-GAP", evidence=[ev.id])
    ws.review_finding(kept, "confirmed", "checked against the port log")
    ws.review_finding(gone, "rejected", "receiver outage")
    out = tmp_path / "report.pdf"
    res = CliRunner().invoke(app, ["report", "-o", str(out), "-w", str(ws.root), "-q"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"%PDF-")
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages).split()
    )
    for needle in ("Gap of <MV TEST> near Rajin", "Dark for 31 h.", str(run.id), "0.37", ev.id[:20],
                   "checked against the port log", "Rajin Port", "Sites"):  # fmt: skip
        assert needle in text, needle
    assert "WRONG-GAP" not in text  # rejected findings are not results (no --appendix)
