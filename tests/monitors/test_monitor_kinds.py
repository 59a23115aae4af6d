"""The other monitor kinds end to end: a designated vessel entering a watched port, an encounter near
a watched site, a new imagery change above a confidence, a new listing matching a case entity."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.conftest import make_site
from tests.monitors.feed import T0, ingest, track

from armswatch.entities.ingest import import_list
from armswatch.monitors.engine import run_monitors
from armswatch.monitors.store import add_monitor, alerts
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

RAJIN = (42.34, 130.38972)
LISTED, OTHER = 445987000, 273111000


def _list_file(folder: Path, name: str, entities: list[dict[str, object]]) -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(e) for e in entities) + "\n", encoding="utf-8")
    return path


VESSEL = {"id": "v-ocean-star", "schema": "Vessel",
          "properties": {"name": ["SIM OCEAN STAR"], "mmsi": [str(LISTED)], "imoNumber": ["IMO 1234567"]}}  # fmt: skip


def test_a_designated_vessel_entering_a_watched_port(ws: Workspace, tmp_path: Path) -> None:
    ws.save_sites([make_site("rajin-port", lon=RAJIN[1], lat=RAJIN[0])])
    import_list(
        ws, _list_file(tmp_path, "list.json", [VESSEL]), dataset="testlist", list_date=date(2024, 1, 1)
    )
    mon = add_monitor(ws, "port", {"site": "rajin-port", "radius_km": 3})
    # both ships sail from 20 km south into the harbour; only the listed one alerts
    approach = [
        *track(LISTED, T0, 3, RAJIN[0] - 0.18, RAJIN[1], dlat=0.01),
        *track(OTHER, T0, 3, RAJIN[0] - 0.18, RAJIN[1], dlat=0.01),
    ]
    ingest(ws, approach, "approach.jsonl", tmp_path)
    (out,) = run_monitors(ws)
    assert out.alerts == 1 and out.error is None
    (alert,) = alerts(ws)
    assert alert["subject"] == f"vessel:mmsi:{LISTED}" and alert["status"] == "recorded"
    finding = ws.get_finding(alert["finding_id"])
    assert "site:rajin-port" in finding.subjects and "SIM OCEAN STAR" in finding.summary
    # staying in port is not a new entry
    ingest(
        ws,
        track(LISTED, T0 + timedelta(hours=3, minutes=5), 2, RAJIN[0], RAJIN[1], sog=0),
        "stay.jsonl",
        tmp_path,
    )
    (stay,) = run_monitors(ws)
    assert stay.new_data and stay.alerts == 0
    assert mon.id in finding.details["monitor"]


def test_an_encounter_near_a_watched_site(ws: Workspace, tmp_path: Path) -> None:
    ws.save_sites([make_site("rajin-port", lon=RAJIN[1], lat=RAJIN[0])])
    add_monitor(ws, "encounter", {"site": "rajin-port", "radius_km": 60})
    at = (RAJIN[0] - 0.35, RAJIN[1] + 0.1)  # ~40 km off Rajin, far from any port
    meet = [
        *track(LISTED, T0, 4, at[0], at[1], every_min=5, sog=0.5),
        *track(OTHER, T0, 4, at[0] + 0.002, at[1], every_min=5, sog=0.5),
    ]
    ingest(ws, meet, "meet.jsonl", tmp_path)
    (out,) = run_monitors(ws)
    assert out.alerts == 1, out
    finding = ws.get_finding(alerts(ws)[0]["finding_id"])
    assert {f"vessel:mmsi:{OTHER}", f"vessel:mmsi:{LISTED}", "site:rajin-port"} <= set(finding.subjects)
    assert run_monitors(ws)[0].alerts == 0  # nothing new


def test_a_long_encounter_cut_at_the_lookback_is_alerted_once(ws: Workspace, tmp_path: Path) -> None:
    """A meeting of two days, fed in parts: the third part sees it cut at the start of the 24 h
    lookback (a later start than alerted), and that is still the same meeting."""
    ws.save_sites([make_site("rajin-port", lon=RAJIN[1], lat=RAJIN[0])])
    add_monitor(ws, "encounter", {"site": "rajin-port", "radius_km": 60})
    at = (RAJIN[0] - 0.35, RAJIN[1] + 0.1)

    def part(start_h: float, hours: float) -> list[tuple[int, datetime, float, float, float]]:
        t = T0 + timedelta(hours=start_h)
        return [*track(LISTED, t, hours, at[0], at[1], every_min=10, sog=0.5),
                *track(OTHER, t, hours, at[0] + 0.002, at[1], every_min=10, sog=0.5)]  # fmt: skip

    ingest(ws, part(0, 3), "p1.jsonl", tmp_path)
    assert run_monitors(ws)[0].alerts == 1
    ingest(ws, part(3.1, 27), "p2.jsonl", tmp_path)  # the lookback still reaches the start
    second = run_monitors(ws)[0]
    assert second.alerts == 0 and second.duplicates == 1
    ingest(ws, part(30.1, 10), "p3.jsonl", tmp_path)  # now the meeting is cut at 30.1 - 24 = 6.1 h
    third = run_monitors(ws)[0]
    assert third.alerts == 0 and third.duplicates == 1, third
    # a new meeting of the same pair after they parted is a new alert
    ingest(ws, part(60, 3), "p4.jsonl", tmp_path)
    assert run_monitors(ws)[0].alerts == 1
    assert len(alerts(ws)) == 2


def test_same_meeting_rule() -> None:
    from armswatch.monitors.evaluate import same_meeting

    h = lambda x: T0 + timedelta(hours=x)  # noqa: E731
    day = timedelta(hours=24)
    assert same_meeting((h(0), h(3)), h(2), h(10), h(0), day)  # overlap
    assert same_meeting((h(0), h(3)), h(3.4), h(10), h(0), day)  # touching within 30 min
    assert not same_meeting((h(0), h(3)), h(5), h(10), h(-20), day)  # apart, not cut
    assert same_meeting((h(0), h(3)), h(6.1), h(40), h(6.1), day)  # cut at the window's start
    # cut too, but the alerted meeting was last seen long before the window: another meeting
    assert not same_meeting((h(0), h(3)), h(100.2), h(103), h(100), day)


def test_a_new_imagery_change_above_the_confidence(ws: Workspace) -> None:
    ws.save_sites([make_site("plant", lon=129.7, lat=41.8)])
    mon = add_monitor(ws, "imagery", {"site_list": ["plant"], "min_confidence": "likely"})
    with ws.run("imagery.change") as run:
        for word in ("unlikely", "likely", "very likely"):
            run.add_finding(
                kind="imagery.change", title=f"change {word}", subjects=["site:plant"], confidence=word
            )
        run.add_finding(
            kind="imagery.change", title="elsewhere", subjects=["site:other"], confidence="very likely"
        )
    (out,) = run_monitors(ws)
    assert out.alerts == 2
    assert sorted(a["title"].split(": ", 1)[1] for a in alerts(ws)) == ["change likely", "change very likely"]
    assert run_monitors(ws)[0].alerts == 0
    assert mon.watermark < max(e.seq for e in ws.audit_entries())


def test_a_new_listing_matching_a_case_entity(ws: Workspace, tmp_path: Path) -> None:
    company = {
        "id": "c-kmdtc",
        "schema": "Company",
        "properties": {"name": ["Korea Mining Development Trading Corporation"]},
    }
    other = {"id": "p-1", "schema": "Person", "properties": {"name": ["Somebody Else"]}}
    import_list(ws, _list_file(tmp_path, "l1.json", [other]), dataset="testlist", list_date=date(2024, 1, 1))
    add_monitor(
        ws,
        "listing",
        {"queries": [{"id": "case-1", "name": "Korea Mining Development Trading Corp", "schema": "Company"}]},
    )
    assert run_monitors(ws)[0].alerts == 0  # nothing new since the monitor was added
    import_list(
        ws, _list_file(tmp_path, "l2.json", [other, company]), dataset="testlist", list_date=date(2024, 2, 1)
    )
    (out,) = run_monitors(ws)
    assert out.alerts == 1
    (alert,) = alerts(ws)
    assert alert["subject"] == "entity:c-kmdtc" and "matches case entity" in alert["title"]
    import_list(
        ws,
        _list_file(tmp_path, "l3.json", [other, company, VESSEL]),
        dataset="testlist",
        list_date=date(2024, 3, 1),
    )
    assert run_monitors(ws)[0].alerts == 0  # still listed is not a new listing; the vessel does not match
    assert verify_workspace(ws, blobs=False).ok
