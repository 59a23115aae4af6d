"""Screening: standalone against list files, against the workspace, vessels, demo; CLI behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from armswatch.cli.main import ArmswatchGroup
from armswatch.entities.importer import ofac_parts
from armswatch.entities.ingest import import_list
from armswatch.entities.screen import read_queries, screen_demo, screen_vessels
from armswatch.errors import InputError
from armswatch.workspace import Workspace

from .fixtures import un_xml, write_ofac


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test screens with its own cache folder (never the user's)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ARMSWATCH_CACHE_DIR", str(folder))
    return folder


def _app() -> typer.Typer:
    from armswatch.cli.screen import screen_command

    app = typer.Typer(cls=ArmswatchGroup)
    app.command()(screen_command)
    app.command("noop")(lambda: None)  # keep typer in multi-command mode
    return app


def _lists(tmp_path: Path) -> tuple[Path, Path]:
    un = tmp_path / "un.xml"
    un.write_text(un_xml(), encoding="utf-8")
    ofac = write_ofac(tmp_path / "ofac")
    return un, ofac


QUERIES = (
    "id,name,schema,birth_date,country,imo,mmsi,registration\n"
    "q1,리제선,Person,1938,,,,\n"
    "q2,Ri Je Son,Person,,,,,\n"
    "q3,Korea Mining Development Trading Corp.,Company,,,,,\n"
    "q4,Moonlight,Vessel,,,,,\n"
    "q5,Renamed Ship,Vessel,,,IMO 7937317,,\n"
    "q6,Kim Yo Jong,Person,,,,,\n"
)


def test_standalone_screen_cli(tmp_path: Path) -> None:
    un, ofac = _lists(tmp_path)
    queries = tmp_path / "q.csv"
    queries.write_text(QUERIES, encoding="utf-8")
    out = tmp_path / "matches.csv"
    result = CliRunner().invoke(
        _app(), ["screen-command", str(queries), "--list", str(un), "--list", str(ofac), "-o", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert header == "query_id,query_name,entity_id,entity_name,dataset,score,match,explanation"
    assert "q1,리제선," in text  # what was searched is named beside its id
    matched = {line.split(",")[0] for line in text.splitlines()[1:]}
    assert {"q1", "q2", "q3", "q4", "q5"} <= matched
    assert "q6" not in matched
    assert "IMO 7937317 identical" in text
    assert "former name" in text


def test_missing_column_exits_2_with_one_line(tmp_path: Path) -> None:
    un, _ = _lists(tmp_path)
    queries = tmp_path / "bad.csv"
    queries.write_text("id,fullname\n1,Kim\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["screen-command", str(queries), "--list", str(un)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {queries}:1: missing column(s) name, schema")


def test_bad_rows_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "id,name,schema\n1,,Person\n2,Kim Jong Un,Spaceship\n3,Kim Jong Un,Person\n", encoding="utf-8"
    )
    queries = read_queries(path)
    assert [q.id for q in queries.queries] == ["3"]
    assert queries.problems == {"empty name": 1, "unknown schema 'Spaceship'": 1}


def test_workspace_screen_records_findings(ws: Workspace, tmp_path: Path) -> None:
    un, ofac = _lists(tmp_path)
    import_list(ws, un)
    import_list(ws, ofac)
    vessels = screen_vessels(ws, [{"mmsi": 445114000, "imo": None, "name": "CHONG CHON GANG"}])
    assert vessels and vessels[0].entity_name == "CHONG CHON GANG"
    assert vessels[0].dataset.startswith("us_ofac")
    assert "MMSI 445114000 identical" in vessels[0].explanation
    matches = screen_demo(ws)
    assert any(m.match for m in matches)
    findings = ws.list_findings(kind="entities.match")
    assert findings
    assert all(
        f.confidence in {"almost certain", "very likely", "likely", "roughly even chance"} for f in findings
    )


def test_workspace_screen_cli(ws: Workspace, tmp_path: Path) -> None:
    un, ofac = _lists(tmp_path)
    import_list(ws, un)
    import_list(ws, ofac)
    queries = tmp_path / "q.csv"
    queries.write_text(QUERIES, encoding="utf-8")
    out = tmp_path / "m.csv"
    args = ["screen-command", str(queries), "-w", str(ws.root), "-o", str(out), "-q"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "q1," in out.read_text(encoding="utf-8")
    findings = ws.list_findings(kind="entities.match")
    assert findings
    # cards are titled by the name searched, not the query id
    assert any(f.title.startswith("Ri Je Son matches ") for f in findings), [f.title for f in findings]
    assert not any(f.title.startswith("q") for f in findings)
    assert all(f.details["query_id"].startswith("q") for f in findings)
    # provenance: the run names the query file's bytes and the list editions it screened against
    run = ws.get_run(findings[0].run_id)
    names = {ws.get_artifact(a).name for a in run.inputs}
    assert {"q.csv", "un.xml"} <= names
    assert len(run.inputs) == 1 + 1 + len(ofac_parts(ofac)[1])
    bad = CliRunner().invoke(_app(), [*args, "--dataset", "nope"])
    assert bad.exit_code == 2
    assert "no imported dataset named nope" in bad.output


def test_demo_screens_ais_vessels(ws: Workspace, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    import polars as pl

    from armswatch.maritime.store import write_statics

    _, ofac = _lists(tmp_path)
    import_list(ws, ofac)
    # SIMULATED AIS static report: the listed vessel under its former name and its IMO.
    frame = pl.DataFrame(
        {
            "mmsi": [312000001],
            "ts": [datetime(2024, 5, 1, tzinfo=UTC)],
            "imo": ["7937317"],
            "name": ["MOONLIGHT"],
        }
    )
    write_statics(ws, frame)
    matches = screen_demo(ws)
    vessel = [m for m in matches if m.query_id == "vessel:mmsi:312000001"]
    assert vessel and vessel[0].entity_name == "CHONG CHON GANG"
    assert "IMO 7937317 identical" in vessel[0].explanation


def test_unreadable_identifiers_are_counted_not_silently_dropped(tmp_path: Path) -> None:
    """A typo'd IMO (bad check digit) would otherwise leave the name alone to decide, unseen."""
    path = tmp_path / "q.csv"
    path.write_text(
        "id,name,schema,imo,mmsi,birth_date,country\n"
        "1,CHON MA SAN,Vessel,8660314,,,\n"
        "2,CHON MA SAN,Vessel,8660313,12345,,\n"
        "3,Kim Jong Un,Person,,,sometime,Atlantis\n"
        "4,Kim Jong Un,Person,,,1984-01-08,KP\n",
        encoding="utf-8",
    )
    queries = read_queries(path)
    assert [q.id for q in queries.queries] == ["1", "2", "3", "4"]  # kept, without the bad value
    assert queries.problems == {
        "unreadable imo (ignored)": 1,
        "unreadable mmsi (ignored)": 1,
        "unreadable birth_date (ignored)": 1,
        "unreadable country (ignored)": 1,
    }
    with pytest.raises(InputError) as err:
        read_queries(path, strict=True)
    assert err.value.record == 2
    assert "unreadable imo" in str(err.value)


def test_query_file_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(b"id,name,schema\n1,Kim,Person\n2,K\xe9m,Person\n")
    with pytest.raises(InputError, match="not UTF-8") as err:
        read_queries(path)
    assert err.value.record == 3


def test_cli_says_rows_with_an_unreadable_value_are_kept(tmp_path: Path) -> None:
    un, _ = _lists(tmp_path)
    queries = tmp_path / "q.csv"
    queries.write_text("id,name,schema,imo\nq1,Ri Je Son,Person,123\nq2,,Person,\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["screen-command", str(queries), "--list", str(un)])
    assert result.exit_code == 0, result.output
    assert "1 query row(s): unreadable imo (ignored)" in result.output
    assert "skipped 1 query row(s): unreadable imo" not in result.output
    assert "skipped 1 query row(s): empty name" in result.output


def test_dataset_with_list_files_is_refused_not_ignored(tmp_path: Path) -> None:
    un, _ = _lists(tmp_path)
    queries = tmp_path / "q.csv"
    queries.write_text(QUERIES, encoding="utf-8")
    args = ["screen-command", str(queries), "--list", str(un), "--dataset", "us_ofac_sdn"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 2
    assert "--dataset selects workspace lists" in result.output


def test_list_cache_gives_the_same_matches_and_is_reused(tmp_path: Path, _cache_dir: Path) -> None:
    un, ofac = _lists(tmp_path)
    queries = tmp_path / "q.csv"
    queries.write_text(QUERIES, encoding="utf-8")
    outs = []
    for i, extra in enumerate(([], [], ["--no-cache"])):
        out = tmp_path / f"m{i}.json"
        args = ["screen-command", str(queries), "--list", str(un), "--list", str(ofac), "-o", str(out)]
        result = CliRunner().invoke(_app(), args + extra)
        assert result.exit_code == 0, result.output
        assert ("from the cache" in result.output) == (i == 1)
        outs.append(json.loads(out.read_text(encoding="utf-8")))
    strip = [[(m["query_id"], m["entity_id"], m["score"], m["match"]) for m in o] for o in outs]
    assert strip[0] == strip[1] == strip[2] and strip[0]
    entries = list((_cache_dir / "screen").iterdir())
    assert len(entries) == 1
    assert sorted(p.name for p in entries[0].iterdir()) == [
        "index.npz",
        "keys.json",
        "meta.json",
        "subjects.json",
    ]


def test_changed_list_file_is_a_cache_miss(tmp_path: Path, _cache_dir: Path) -> None:
    from armswatch.entities.list_cache import cached_list_index

    un, _ = _lists(tmp_path)
    _, _, hit = cached_list_index([un])
    assert not hit
    assert cached_list_index([un])[2]
    un.write_text(un.read_text(encoding="utf-8").replace("RI CHE-SON", "RI CHE-SONG"), encoding="utf-8")
    subjects, _, hit = cached_list_index([un])
    assert not hit
    assert any("CHE-SONG" in n.upper() for s in subjects for n in s.names)


@pytest.mark.parametrize("damage", ["subjects", "index", "meta"])
def test_damaged_cache_is_rebuilt_not_trusted(tmp_path: Path, _cache_dir: Path, damage: str) -> None:
    from armswatch.entities.list_cache import cached_list_index

    un, _ = _lists(tmp_path)
    fresh, _, _ = cached_list_index([un])
    entry = next((_cache_dir / "screen").iterdir())
    if damage == "subjects":  # valid JSON, wrong content: caught by the recorded sha256
        (entry / "subjects.json").write_text("[]", encoding="utf-8")
    elif damage == "index":
        (entry / "index.npz").write_bytes(b"not a zip")
    else:
        (entry / "meta.json").write_text("{", encoding="utf-8")
    subjects, index, hit = cached_list_index([un])
    assert not hit
    assert [s.id for s in subjects] == [s.id for s in fresh]
    assert len(index) == len(fresh)
    assert cached_list_index([un])[2]  # rewritten


def test_index_arrays_round_trip_and_validation() -> None:
    import numpy as np

    from armswatch.matching.index import CandidateIndex
    from armswatch.matching.subject import Subject

    subjects = [Subject("a", "Person", ("Kim Jong Un",)), Subject("b", "Company", ("Korea Mining Corp",))]
    index = CandidateIndex(subjects)
    keys, arrays = index.arrays()
    again = CandidateIndex.from_arrays(subjects, keys, arrays)
    query = Subject("q", "Person", ("Kim Jong-un",))
    assert again.candidates(query) == index.candidates(query) == [0]
    with pytest.raises(ValueError):
        CandidateIndex.from_arrays(subjects[:1], keys, {**arrays, "postings": arrays["postings"] + 5})
    with pytest.raises(ValueError):
        CandidateIndex.from_arrays(subjects, keys, {**arrays, "df": np.array([1.5] * len(keys))})


def test_cli_defaults_mirror_the_matcher() -> None:
    from armswatch.cli import screen as cli_screen
    from armswatch.matching.index import DEFAULT_LIMIT
    from armswatch.matching.score import DEFAULT_THRESHOLD

    assert (cli_screen.DEFAULT_THRESHOLD, cli_screen.DEFAULT_LIMIT) == (DEFAULT_THRESHOLD, DEFAULT_LIMIT)


def test_no_match_says_what_to_try(tmp_path: Path) -> None:
    un, _ = _lists(tmp_path)
    queries = tmp_path / "q.csv"
    queries.write_text("id,name,schema\nz1,Zzyzx Qwerty,Person\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["screen-command", str(queries), "--list", str(un), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "try a lower --threshold" in result.output


def test_screen_a_typed_name_without_a_query_file(ws: Workspace, tmp_path: Path) -> None:
    un, _ = _lists(tmp_path)
    import_list(ws, un)
    args = ["screen-command", "--name", "Ri Je Son", "--schema", "Person", "-w", str(ws.root), "-f", "json"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and rows[0]["query_name"] == "Ri Je Son" and rows[0]["match"]
    findings = ws.list_findings(kind="entities.match")
    assert any(f.title.startswith("Ri Je Son matches ") for f in findings)
    run = ws.get_run(findings[0].run_id)  # the typed names are kept as the run's query input
    typed = [ws.get_artifact(a) for a in run.inputs if ws.get_artifact(a).name == "screen-names.csv"]
    assert (
        typed
        and ws.artifact_path(typed[0].id).read_text(encoding="utf-8")
        == "id,name,schema\nq1,Ri Je Son,Person\n"
    )
    for bad, why in ((["--name", "x", "--schema", "Ship"], "--schema must be one of"),
                     (["--name", "!!!"], "no letters or digits"), ([], "give a query CSV file or --name"),
                     ([str(tmp_path / "q.csv"), "--name", "x"], "not both")):  # fmt: skip
        res = CliRunner().invoke(_app(), ["screen-command", *bad, "-w", str(ws.root)])
        assert res.exit_code == 2 and why in res.output, res.output
