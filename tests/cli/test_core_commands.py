"""The core CLI through the real entry point: exit codes, one-line errors, round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.main import get_command
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.store import schema as t
from armswatch.workspace import Workspace


def _run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def case(tmp_path: Path, runner: CliRunner) -> str:
    folder = tmp_path / "case"
    code, _, err = _run(runner, "init", str(folder), "--analyst", "tester")
    assert code == 0, err
    return str(folder)


def test_malformed_geojson_is_one_line_exit_2_and_nothing_written(
    runner: CliRunner, case: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.geojson"
    good = {
        "type": "Feature",
        "properties": {"id": "a", "name": "A", "country": "KP", "kind": "port", "precision": "city"},
        "geometry": {"type": "Point", "coordinates": [130.0, 42.0]},
    }
    broken = {
        "type": "Feature",
        "properties": {"id": "b", "name": "B", "country": "KP", "kind": "port", "precision": "city"},
        "geometry": {"type": "Polygon", "coordinates": [[[130, 42], [131, 42], [131, 43]]]},
    }
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [good, broken]}))
    code, _out, err = _run(runner, "sites", "import", str(bad), "-w", case)
    assert code == 2
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "bad.geojson" in lines[0] and "Traceback" not in err
    with Workspace.open(Path(case)) as ws:
        assert ws.list_sites() == []  # all or nothing

    code, _, err = _run(runner, "sites", "import", str(bad), "--skip-invalid", "-w", case)
    assert code == 0 and "1 added" in err and "skipped 1 invalid record" in err
    with Workspace.open(Path(case)) as ws:
        assert [s.id for s in ws.list_sites()] == ["a"]

    bad.write_text("{not json")
    code, _, err = _run(runner, "sites", "import", str(bad), "-w", case)
    assert code == 2 and "bad.geojson" in err and "Traceback" not in err


def test_unknown_ids_exit_2(runner: CliRunner, case: str) -> None:
    for args in (
        ("sites", "show", "nowhere"),
        ("findings", "show", "fnd-nope"),
        ("runs", "show", "run-x"),
        ("artifacts", "show", "deadbeefdead"),
    ):
        code, _, err = _run(runner, *args, "-w", case)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1, err


def test_no_workspace_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARMSWATCH_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(runner, "sites", "list")
    assert code == 2 and "armswatch init" in err


def test_sites_roundtrip_through_every_format(runner: CliRunner, case: str, tmp_path: Path) -> None:
    code, _, err = _run(runner, "sites", "import", "--starter", "dprk-russia", "-w", case)
    assert code == 0, err
    code, _, err = _run(runner, "sites", "import", "--starter", "dprk-russia", "-w", case)
    assert "0 added" in err and "0 updated" in err  # idempotent
    with Workspace.open(Path(case)) as ws:
        original = ws.list_sites()
    assert len(original) >= 10
    for ext in ("geojson", "csv", "kml"):
        out = tmp_path / f"sites.{ext}"
        assert _run(runner, "sites", "export", "-o", str(out), "-w", case)[0] == 0
        other = tmp_path / f"other-{ext}"
        assert _run(runner, "init", str(other))[0] == 0
        code, _, err = _run(runner, "sites", "import", str(out), "-w", str(other))
        assert code == 0, err
        with Workspace.open(other) as ws2:
            again = ws2.list_sites()
        assert [s.id for s in again] == [s.id for s in original]
        assert all(a.geometry.equals_exact(b.geometry, 1e-7) for a, b in zip(again, original, strict=True))


def test_site_add_edit_remove_keeps_history(runner: CliRunner, case: str) -> None:
    code, out, err = _run(
        runner,
        "sites",
        "add",
        "Khasan station",
        "--kind",
        "rail",
        "--country",
        "RU",
        "--precision",
        "settlement",
        "--lat",
        "42.42833",
        "--lon",
        "130.64556",
        "-w",
        case,
    )
    assert code == 0, err
    assert out.strip() == "khasan-station"
    code, _, err = _run(
        runner,
        "sites",
        "add",
        "Khasan station",
        "--kind",
        "rail",
        "--country",
        "RU",
        "--precision",
        "settlement",
        "--lat",
        "42.4",
        "--lon",
        "130.6",
        "-w",
        case,
    )
    assert code == 2 and "already exists" in err
    code, _, err = _run(
        runner,
        "sites",
        "add",
        "Nowhere",
        "--kind",
        "rail",
        "--country",
        "RU",
        "--precision",
        "settlement",
        "--lat",
        "142.4",
        "--lon",
        "130.6",
        "-w",
        case,
    )
    assert code == 2, err
    assert _run(runner, "sites", "edit", "khasan-station", "--notes", "CSIS 17 Jun 2024", "-w", case)[0] == 0
    assert _run(runner, "sites", "remove", "khasan-station", "-w", case)[0] == 0
    with Workspace.open(Path(case)) as ws:
        actions = [e.action for e in ws.audit_entries() if e.object_id == "khasan-station"]
    assert actions == ["site.add", "site.update", "site.remove"]


def test_audit_verify_detects_tampering(runner: CliRunner, case: str) -> None:
    assert _run(runner, "sites", "import", "--starter", "dprk-russia", "-w", case)[0] == 0
    code, out, _ = _run(runner, "audit", "verify", "-w", case)
    assert code == 0 and "intact" in out
    with Workspace.open(Path(case)) as ws, ws.transaction() as conn:
        conn.execute(update(t.audit_log).where(t.audit_log.c.seq == 3).values(action="site.forged"))
    code, _, err = _run(runner, "audit", "verify", "-w", case)
    assert code == 3
    assert "audit entry 3" in err


def test_findings_review_through_cli(runner: CliRunner, case: str) -> None:
    with Workspace.open(Path(case)) as ws, ws.run("test.cli") as run:
        fid = run.add_finding(
            kind="test.cli",
            title="dark port call",
            confidence="likely",
            geometry={"type": "Point", "coordinates": [130.39, 42.34]},
        )
    code, out, _ = _run(runner, "findings", "list", "--format", "json", "-w", case)
    assert code == 0 and json.loads(out)[0]["id"] == fid
    code, _, err = _run(
        runner, "findings", "review", fid[:12], "--status", "confirmed", "--note", "ok", "-w", case
    )
    assert code == 0, err
    code, _, err = _run(runner, "findings", "review", fid, "--status", "perhaps", "-w", case)
    assert code == 2
    code, out, _ = _run(runner, "findings", "list", "--format", "geojson", "-w", case)
    feature = json.loads(out)["features"][0]
    assert feature["properties"]["status"] == "confirmed" and feature["geometry"]["type"] == "Point"


def test_findings_show_summarises_geometry_and_empty_lists_say_why(runner: CliRunner, case: str) -> None:
    code, out, err = _run(runner, "findings", "list", "-w", case)
    assert code == 0 and "no findings in this workspace yet" in err and "armswatch demo" in err
    ring = [[130.0 + i / 100, 42.0 + (i % 2) / 100] for i in range(40)] + [[130.0, 42.0]]
    with Workspace.open(Path(case)) as ws, ws.run("test.cli") as run:
        fid = run.add_finding(
            kind="test.cli",
            title="hall",
            confidence="likely",
            geometry={"type": "Polygon", "coordinates": [ring]},
        )
    code, out, _ = _run(runner, "findings", "show", fid, "-w", case)
    assert code == 0
    assert "Polygon, centroid" in out and "41 points" in out and "130.39" not in out
    code, out, _ = _run(runner, "findings", "show", fid, "--geometry", "-w", case)
    assert code == 0 and "130.39" in out
    code, out, err = _run(runner, "findings", "list", "--kind", "ais", "-w", case)
    assert code == 0 and "none of the 1 findings match --kind ais" in err
    code, out, err = _run(runner, "findings", "list", "--kind", "ais", "-q", "-w", case)
    assert code == 0 and err == ""
    code, _, err = _run(runner, "findings", "review", fid, "--status", "confirmed", "-q", "-w", case)
    assert code == 0 and err == ""


def _all_commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            found.extend(_all_commands(cmd, (*prefix, name)))
        else:
            found.append(((*prefix, name), cmd))
    return found


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    root = get_command(app)
    commands = _all_commands(root)
    assert len(commands) > 20
    for path, _cmd in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.stdout, f"'armswatch {' '.join(path)} --help' has no example"


def test_every_command_is_documented() -> None:
    """docs/cli.md is generated from the commands and must match them (regenerate with armswatch.cli.docs)."""
    from armswatch.cli.docs import generate

    doc = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    root = get_command(app)
    missing = [" ".join(p) for p, _ in _all_commands(root) if f"armswatch {' '.join(p)}" not in doc]
    assert missing == [], "undocumented commands: run 'python -m armswatch.cli.docs > docs/cli.md'"
    assert doc == generate(), "docs/cli.md is stale: run 'python -m armswatch.cli.docs > docs/cli.md'"
