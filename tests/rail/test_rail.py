"""Rail movements: observe, import, link, the series (CSV/JSON) with imagery wagon counts, report."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.errors import InputError
from armswatch.provenance.verify import verify_workspace
from armswatch.rail.movement import read_movements_csv
from armswatch.rail.series import rail_series
from armswatch.rail.store import list_movements
from armswatch.sites.starter import load_starter
from armswatch.workspace import Workspace

SITE = "tumangang-rail-station"


@pytest.fixture()
def rail_ws(ws: Workspace) -> Workspace:
    ws.save_sites(load_starter("dprk-russia"))
    return ws


def _count(ws: Workspace, when: datetime, n: int, obj: str = "railcar", size: str = "15x3") -> str:
    with ws.run("imagery.count", parameters={}) as run:
        return run.add_finding(
            kind="imagery.count",
            title=f"{n} {obj} counted",
            subjects=[f"site:{SITE}"],
            start=when,
            end=when,
            confidence="likely",
            details={"object": obj, "size_m": size, "count": n},
        )


def _cli(ws: Workspace, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, [*args, "-w", str(ws.root)])
    return res.exit_code, res.stdout, res.stderr


def test_series_merges_observations_and_imagery_wagon_counts(rail_ws: Workspace, tmp_path: Path) -> None:
    code, _, err = _cli(rail_ws, "rail", "observe", "--site", SITE, "--time", "2023-10-05", "--wagons", "73",
                        "--direction", "to_russia", "--source", "CSIS Beyond Parallel")  # fmt: skip
    assert code == 0, err
    wagons = _count(rail_ws, datetime(2024, 6, 17, 2, tzinfo=UTC), 175)
    _count(rail_ws, datetime(2024, 6, 18, tzinfo=UTC), 300, obj="container", size="12.2x2.4")  # not wagons
    _count(rail_ws, datetime(2024, 6, 19, tzinfo=UTC), 12, obj="19x3", size="19x3")  # a long-wagon size
    rows = rail_series(rail_ws, SITE)
    assert [(r["wagons"], r["origin"]) for r in rows] == [
        (73, "observation"),
        (175, "imagery"),
        (12, "imagery"),
    ]
    assert rows[1]["id"] == wagons
    code, out, _ = _cli(rail_ws, "rail", "series", "--site", SITE, "--format", "csv")
    assert code == 0
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["wagons"]) for r in parsed] == [73, 175, 12]
    assert parsed[0]["direction"] == "to_russia" and parsed[0]["source"] == "CSIS Beyond Parallel"
    code, out, _ = _cli(rail_ws, "rail", "series", "--site", SITE, "--format", "json")
    assert [r["origin"] for r in json.loads(out)] == ["observation", "imagery", "imagery"]
    svg = tmp_path / "s.svg"
    assert (
        _cli(rail_ws, "rail", "series", "--site", SITE, "-o", str(tmp_path / "s.json"), "--svg", str(svg))[0]
        == 0
    )
    assert svg.read_text().startswith("<svg") and len(json.loads((tmp_path / "s.json").read_text())) == 3


def test_import_link_and_sealing(rail_ws: Workspace, tmp_path: Path) -> None:
    shipment = _count(rail_ws, datetime(2023, 10, 1, tzinfo=UTC), 0)
    f = tmp_path / "rail.csv"
    f.write_text(
        "site,time,wagons,direction,source,links\n"
        f"{SITE},2023-10-05,73,to_russia,CSIS,{shipment}\n"
        f"khasan-station,2024-06-17,112,,CSIS,\n"
        f"{SITE},2024-06-17,-4,,CSIS,\n"
        f"{SITE},not-a-date,4,,CSIS,\n"
    )
    code, _, err = _cli(rail_ws, "rail", "import", str(f), "--strict")
    assert code == 2 and "line 4" in err and len(err.strip().splitlines()) == 1
    assert list_movements(rail_ws) == []
    code, _, err = _cli(rail_ws, "rail", "import", str(f))
    assert code == 0 and "2 added" in err and "2 bad rows" in err
    again = _cli(rail_ws, "rail", "import", str(f))
    assert again[0] == 0 and "0 added, 2 already stored" in again[2]
    stored = {m.site_id: m for m in list_movements(rail_ws)}
    assert stored[SITE].links == (shipment,)
    m = stored["khasan-station"]
    assert _cli(rail_ws, "rail", "link", m.id, "--to", shipment)[0] == 0
    assert {x.id: x for x in list_movements(rail_ws)}[m.id].links == (shipment,)
    assert _cli(rail_ws, "rail", "link", m.id, "--to", "fnd-nothing")[0] == 2
    actions = [e.action for e in rail_ws.audit_entries()]
    assert "rail.import" in actions and "rail.link" in actions
    assert verify_workspace(rail_ws).ok
    assert _cli(rail_ws, "verify")[0] == 0


def test_bad_observations_are_one_line_exit_2(rail_ws: Workspace) -> None:
    base = ["rail", "observe", "--time", "2023-10-05"]
    for args in (
        [*base, "--site", "atlantis", "--wagons", "3"],
        [*base, "--site", SITE, "--wagons", "many"],
        [*base, "--site", SITE, "--wagons", "3", "--direction", "<b>north</b>"],
        [*base, "--site", SITE, "--wagons", "3", "--link", "fnd-nothing"],
    ):
        code, _, err = _cli(rail_ws, *args)
        assert code == 2 and len(err.strip().splitlines()) == 1, (args, err)
    assert list_movements(rail_ws) == []


def test_csv_reader_rejects_a_header_without_wagons() -> None:
    with pytest.raises(InputError, match="wagons"):
        read_movements_csv(b"site,time\nx,2024-01-01\n", "r.csv")
    read = read_movements_csv(b"site,time,wagons\nx,2024-01-01,3,extra\n", "r.csv")
    assert read.bad == {"more cells than header columns": 1}


def test_report_shows_the_rail_section(rail_ws: Workspace) -> None:
    from armswatch.rail.report import report_section

    assert report_section(rail_ws) is None
    _count(rail_ws, datetime(2024, 6, 17, tzinfo=UTC), 175)
    section = report_section(rail_ws)
    assert section is not None and "<svg" in section.html and "175" in section.html
