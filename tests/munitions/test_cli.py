"""The munitions, evidence and violations commands end to end (CLI runner, a fresh case)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armswatch.cli.main import app


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def case(tmp_path: Path, runner: CliRunner) -> str:
    folder = tmp_path / "case"
    code, _, err = run(runner, "init", str(folder), "--analyst", "tester")
    assert code == 0, err
    return str(folder)


def test_munitions_to_violation_candidates(runner: CliRunner, case: str, tmp_path: Path) -> None:
    w = ("-w", case)
    assert run(runner, "munitions", "import", "--template", "dprk-russia", *w)[0] == 0
    code, out, err = run(
        runner,
        "munitions",
        "add",
        "--type",
        "rocket",
        "--calibre",
        "122 mm",
        "--marking",
        "방-122",
        "--recovered-country",
        "UA",
        "--recovered-place",
        "Bakhmut [/x]",
        "--recovered-at",
        "2024-05",
        "--origin-country",
        "KP",
        "--source",
        "https://example.org/photo",
        *w,
    )
    assert code == 0, err
    code, out, _ = run(runner, "munitions", "list", "--marking", "bang 122", "--format", "json", *w)
    rows = json.loads(out)
    assert len(rows) == 2 and any("Bakhmut [/x]" in r["recovered"] for r in rows)
    assert run(runner, "munitions", "assess", *w)[0] == 0
    assert run(runner, "violations", "map", *w)[0] == 0
    code, out, _ = run(runner, "violations", "list", "--provision", "1874-9", "--format", "json", *w)
    candidates = json.loads(out)
    assert candidates and all(c["rule"] == "dprk-origin-munitions" for c in candidates)
    code, out, _ = run(runner, "violations", "show", candidates[0]["id"], *w)
    assert code == 0 and "procured the items" in out and "unknown" in out
    annex = tmp_path / "annex.html"
    assert run(runner, "violations", "annex", "-o", str(annex), *w)[0] == 0
    html = annex.read_text()
    assert "UNSCR 1874 (2009), para. 9" in html and "grad-122mm-rockets-bang-122" in html
    code, out, _ = run(
        runner, "violations", "annex", "-o", str(tmp_path / "annex.csv"), "--status", "confirmed", *w
    )
    assert code == 0 and (tmp_path / "annex.csv").read_text().startswith("no,candidate")


def test_bad_input_is_one_line_exit_2(runner: CliRunner, case: str, tmp_path: Path) -> None:
    bad = tmp_path / "items.csv"
    bad.write_text("type,recovered_at\nrocket,2024-13-01\n")
    code, _, err = run(runner, "munitions", "import", str(bad), "--strict", "-w", case)
    assert code == 2 and "items.csv:line 2" in err and "Traceback" not in err
    code, out, _ = run(runner, "munitions", "list", "-w", case)
    assert "No munition items" in out + run(runner, "munitions", "list", "-w", case)[2]
    code, _, err = run(runner, "munitions", "add", "--type", "banana", "-w", case)
    assert code == 2 and "type must be one of" in err
    code, _, err = run(runner, "evidence", "add", str(tmp_path / "missing.jpg"), "-w", case)
    assert code == 2 and "Traceback" not in err
    code, _, err = run(runner, "evidence", "export", "-o", str(tmp_path / "p.zip"), "-w", case)
    assert code == 2 and "--finding" in err
    (tmp_path / "junk.zip").write_bytes(b"junk")
    code, _, err = run(runner, "evidence", "verify", str(tmp_path / "junk.zip"))
    assert code == 3 and "not a readable zip" in err


def test_evidence_add_export_verify(runner: CliRunner, case: str, tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / "rocket.jpg")
    code, out, err = run(
        runner,
        "evidence",
        "add",
        str(tmp_path / "rocket.jpg"),
        "--url",
        "https://example.org/post",
        "--captured-at",
        "2024-01-02T10:00Z",
        "--format",
        "json",
        "-w",
        case,
    )
    assert code == 0, err
    artifact = json.loads(out)[0]["artifact"]
    code, out, _ = run(runner, "evidence", "custody", artifact, "--format", "json", "-w", case)
    assert [e["event"] for e in json.loads(out)] == ["capture"]
    package = tmp_path / "package.zip"
    assert run(runner, "evidence", "export", "--case", "-o", str(package), "-w", case)[0] == 0
    code, _, err = run(runner, "evidence", "verify", str(package))
    assert code == 0 and "intact: 1 files" in err
    code, out, _ = run(runner, "evidence", "custody", artifact, "--format", "json", "-w", case)
    assert [e["event"] for e in json.loads(out)] == ["capture", "export"]
