"""``armswatch entities compare``: pair scoring for evaluation."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from typer.testing import CliRunner

from armswatch.cli.main import ArmswatchGroup


def _app() -> typer.Typer:
    from armswatch.cli.screen import compare_command

    app = typer.Typer(cls=ArmswatchGroup)
    app.command("compare")(compare_command)
    app.command("noop")(lambda: None)
    return app


def test_compare_adds_score_and_match(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "schema,name1,name2\nPerson,Kim Jong Un,김정은\nPerson,Kim Yo Jong,Kim Jong Un\nCompany,ООО Ромашка,Romashka LLC\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(_app(), ["compare", str(pairs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [r["match"] for r in rows] == ["True", "False", "True"]
    assert float(rows[0]["score"]) == 1.0
    assert "Korean romanisation" in rows[0]["explanation"]


def test_compare_missing_column_exit_2(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("schema,left,right\nPerson,a,b\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["compare", str(pairs)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {pairs}:1: missing column(s) name1, name2")


def test_compare_missing_file_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["compare", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_compare_not_utf8_is_one_line_exit_2(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(b"schema,name1,name2\nPerson,K\xe9m,Kim\n")
    result = CliRunner().invoke(_app(), ["compare", str(pairs)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: {pairs}:2: not UTF-8 text (save the file as UTF-8)"
    ]


def test_compare_names_the_real_line_and_counts_unknown_schemata(tmp_path: Path) -> None:
    from armswatch.entities.compare import compare_pairs_file
    from armswatch.errors import InputError

    pairs = tmp_path / "pairs.csv"
    # a blank line and a quoted line break before the unknown schema, which is on line 5
    pairs.write_text(
        'schema,name1,name2\n\nPerson,"Kim\nJong Un",Kim Jong Un\nperson,Kim Jong Un,Kim Jong Un\nPerson,,x\n',
        encoding="utf-8",
    )
    result = compare_pairs_file(pairs)
    assert [r["match"] for r in result.rows] == [True]
    assert result.problems == {"unknown schema 'person'": 1, "empty schema or name": 1}
    try:
        compare_pairs_file(pairs, strict=True)
    except InputError as err:
        assert (err.record, err.message) == (5, "unknown schema 'person'")
    else:
        raise AssertionError("strict mode must stop at the unknown schema")
