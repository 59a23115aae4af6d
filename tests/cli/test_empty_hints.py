"""Empty results say why and what to try (local STAC search with no collection match)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.workspace import Workspace

from ..conftest import make_site  # type: ignore[import-not-found,misc,unused-ignore]
from ..imagery.stacfix import LAT, LON, build_catalog  # type: ignore[import-not-found,misc,unused-ignore]


def test_local_stac_search_without_a_collection_match_hints_at_any(ws: Workspace, tmp_path: Path) -> None:
    ws.save_sites([make_site("plant", LON, LAT)])
    catalog = build_catalog(tmp_path / "cat")
    args = ["imagery", "search", "plant", "--from", "2024-01-01", "--to", "2024-12-31"]
    args += ["--stac-url", str(catalog), "--format", "json", "-w", str(ws.root)]
    result = CliRunner().invoke(app, [*args, "--collection", "no-such-collection"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]"
    assert "no scenes found over plant" in result.stderr and "--collection '*'" in result.stderr
    found = CliRunner().invoke(app, [*args, "--collection", "*"])
    assert found.exit_code == 0 and "no scenes found" not in found.stderr and found.stdout.strip() != "[]"
