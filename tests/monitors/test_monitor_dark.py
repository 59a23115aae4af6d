"""A dark-vessel monitor on new data only, with its alerts deduplicated, delivered, rate-limited,
retried and audited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from tests.monitors.feed import T0, ingest, track
from tests.monitors.receivers import smtp_server, webhook

from armswatch.errors import ConflictError, InputError
from armswatch.monitors.engine import run_monitors
from armswatch.monitors.model import Notify
from armswatch.monitors.notify import Retry
from armswatch.monitors.store import add_monitor, alerts, get_monitor, list_monitors, remove_monitor
from armswatch.provenance.verify import verify_workspace
from armswatch.workspace import Workspace

NO_WAIT = Retry(tries=3, first_wait=0.0, sleep=lambda _s: None)
A, B, C = 445000001, 445000002, 445000003


def _day_one(ws: Workspace, tmp: Path) -> None:
    rows = [*track(A, T0, 12, 40.0, 130.0), *track(B, T0, 12, 40.5, 130.5), *track(C, T0, 12, 41.0, 131.0)]
    ingest(ws, rows, "day1.jsonl", tmp)


def test_dark_vessel_alert_once_on_new_data_only(ws: Workspace, tmp_path: Path) -> None:
    _day_one(ws, tmp_path)  # before the monitor: not new to it
    with webhook() as hook:
        mon = add_monitor(
            ws, "dark", {"mmsi": [A, B], "hours": 6}, name="desk", notify=Notify(webhook=hook.url)
        )
        assert run_monitors(ws, retry=NO_WAIT)[0].new_data is False  # nothing new yet
        # day one evening: B and C keep reporting, A is silent from 12:00
        ingest(ws, [*track(B, T0 + timedelta(hours=12), 12, 40.5, 130.5), *track(C, T0 + timedelta(hours=12), 12, 41, 131)],
               "evening.jsonl", tmp_path)  # fmt: skip
        (out,) = run_monitors(ws, retry=NO_WAIT)
        assert out.new_data and out.alerts == 1 and out.delivery["sent"] == 1
        (body,) = hook.bodies
        assert body["subject"] == f"vessel:mmsi:{A}" and "no AIS position for 12.0 h" in body["title"]
        # nothing new: nothing evaluated, nothing sent
        (again,) = run_monitors(ws, retry=NO_WAIT)
        assert not again.new_data and again.alerts == 0 and len(hook.bodies) == 1
        # A comes back next morning: the silence that was alerted is the same event
        morning = [
            *track(A, T0 + timedelta(hours=30), 2, 40.2, 130.2),
            *track(B, T0 + timedelta(hours=24), 8, 40.5, 130.5),
        ]
        ingest(ws, morning, "morning.jsonl", tmp_path)
        (back,) = run_monitors(ws, retry=NO_WAIT)
        assert back.new_data and back.alerts == 0 and back.duplicates == 1 and len(hook.bodies) == 1
    (alert,) = alerts(ws)
    assert alert["status"] == "sent" and alert["attempts"] == 1
    finding = ws.get_finding(alert["finding_id"])
    assert finding.kind == "monitor.dark" and f"monitor:{mon.id}" in finding.subjects
    assert finding.simulated  # its evidence is the SIMULATED feed
    assert set(finding.evidence) <= {a.id for a in ws.list_artifacts()} and finding.evidence
    assert get_monitor(ws, mon.id).watermark > mon.watermark
    actions = [e.action for e in ws.audit_entries()]
    assert {"monitor.add", "monitor.alert", "monitor.alert.deliver", "monitor.watermark"} <= set(actions)
    assert verify_workspace(ws, blobs=False).ok


def test_email_through_a_real_smtp_server(ws: Workspace, tmp_path: Path) -> None:
    with smtp_server() as box:
        add_monitor(
            ws, "dark", {"mmsi": [A], "hours": 6}, notify=Notify(email="desk@example.org", smtp=box.address)
        )
        _day_one(ws, tmp_path)
        ingest(ws, track(B, T0 + timedelta(hours=12), 8, 40.5, 130.5), "later.jsonl", tmp_path)
        (out,) = run_monitors(ws, retry=NO_WAIT)
    assert out.delivery["sent"] == 1
    (msg,) = box.messages
    assert msg["To"] == "desk@example.org" and msg["Subject"].startswith("[armswatch] MMSI 445000001")
    assert "armswatch findings show fnd-" in msg.get_payload()


def test_failed_deliveries_are_retried_reported_and_never_crash(ws: Workspace, tmp_path: Path) -> None:
    with webhook() as hook:
        add_monitor(ws, "dark", {"mmsi": [A, B, C], "hours": 6}, notify=Notify(webhook=hook.url))
        _day_one(ws, tmp_path)
        ingest(
            ws, track(9, T0 + timedelta(hours=20), 1, 10, 10), "clock.jsonl", tmp_path
        )  # only the clock moves
        hook.fail_next = 2  # the first alert needs three tries
        (out,) = run_monitors(ws, retry=NO_WAIT)
        assert out.alerts == 3 and out.delivery["sent"] == 3 and len(hook.bodies) == 3
        assert sorted(a["attempts"] for a in alerts(ws)) == [1, 1, 3]
    # receiver gone: reported, kept pending, the loop goes on
    add_monitor(ws, "dark", {"mmsi": [A], "hours": 1}, notify=Notify(webhook=hook.url))
    ingest(ws, track(9, T0 + timedelta(hours=22), 1, 10, 10), "clock2.jsonl", tmp_path)
    outs = run_monitors(ws, retry=NO_WAIT)
    down = [o for o in outs if o.alerts]
    assert (
        len(down) == 1
        and down[0].delivery["pending"] == 1
        and "webhook delivery failed" in str(down[0].error)
    )
    pending = alerts(ws, status=["pending"])
    assert len(pending) == 1 and pending[0]["attempts"] == 3 and pending[0]["last_error"]
    assert verify_workspace(ws, blobs=False).ok


def test_notifications_are_rate_limited_per_monitor_per_hour(ws: Workspace, tmp_path: Path) -> None:
    vessels = [445100000 + i for i in range(5)]
    with webhook() as hook:
        add_monitor(
            ws, "dark", {"mmsi": vessels, "hours": 6}, notify=Notify(webhook=hook.url), max_per_hour=2
        )
        ingest(ws, [r for v in vessels for r in track(v, T0, 2, 40, 130)], "a.jsonl", tmp_path)
        ingest(ws, track(9, T0 + timedelta(hours=10), 1, 10, 10), "b.jsonl", tmp_path)
        (out,) = run_monitors(ws, retry=NO_WAIT)
        assert out.alerts == 5 and out.delivery["sent"] == 2 and out.delivery["rate_limited"] == 3
        (later,) = run_monitors(ws, retry=NO_WAIT)  # still the same hour: nothing more goes out
        assert later.delivery["sent"] == 0 and later.delivery["rate_limited"] == 3
    assert len(hook.bodies) == 2 and len(alerts(ws, status=["pending"])) == 3


def test_monitor_definitions_are_checked_listed_and_removed(ws: Workspace) -> None:
    with pytest.raises(InputError):
        add_monitor(ws, "dark", {"mmsi": []})
    with pytest.raises(InputError):
        add_monitor(ws, "sideways", {})
    with pytest.raises(InputError):
        add_monitor(ws, "dark", {"mmsi": [A]}, notify=Notify(webhook="file:///etc/passwd"))
    with pytest.raises(InputError):
        add_monitor(ws, "dark", {"mmsi": [A]}, notify=Notify(email="desk@example.org"))
    mon = add_monitor(ws, "dark", {"mmsi": [A]})
    with pytest.raises(ConflictError):
        add_monitor(ws, "dark", {"mmsi": [A]})
    assert [m.id for m in list_monitors(ws)] == [mon.id]
    remove_monitor(ws, mon.id[:8])
    assert list_monitors(ws) == [] and len(list_monitors(ws, include_removed=True)) == 1
    assert run_monitors(ws) == []
    assert verify_workspace(ws, blobs=False).ok


FLEET = [445000100 + i for i in range(6)]  # heard in the same 1° cell as A


def _fleet_day(ws: Workspace, tmp: Path) -> None:
    rows = [*track(A, T0, 12, 40.1, 130.1)]
    for i, m in enumerate(FLEET):
        rows += track(m, T0, 12, 40.2 + 0.1 * i, 130.2 + 0.1 * i)
    rows += track(C, T0, 12, 43.5, 134.5)  # far away, another cell
    ingest(ws, rows, "fleet-day1.jsonl", tmp)


def _evening(ws: Workspace, tmp: Path, fleet_keeps_reporting: bool) -> None:
    rows = [*track(C, T0 + timedelta(hours=12), 12, 43.5, 134.5)]
    if fleet_keeps_reporting:
        for i, m in enumerate(FLEET):
            rows += track(m, T0 + timedelta(hours=12), 12, 40.2 + 0.1 * i, 130.2 + 0.1 * i)
    ingest(ws, rows, "fleet-evening.jsonl", tmp)


@pytest.mark.parametrize("fleet_keeps_reporting", [False, True])
def test_a_silence_inside_a_reception_outage_is_labelled_and_graded_down(
    ws: Workspace, tmp_path: Path, fleet_keeps_reporting: bool
) -> None:
    _fleet_day(ws, tmp_path)
    add_monitor(ws, "dark", {"mmsi": [A], "hours": 6})
    _evening(ws, tmp_path, fleet_keeps_reporting)
    (out,) = run_monitors(ws, retry=NO_WAIT)
    assert out.alerts == 1
    finding = ws.get_finding(alerts(ws)[0]["finding_id"])
    if fleet_keeps_reporting:  # only A fell silent: it may have switched AIS off
        assert finding.confidence == "roughly even chance" and "outage" not in finding.title
        assert finding.details["reception"] == "no outage seen"
    else:  # every vessel heard around A fell silent with it: the receivers, not the ship
        assert finding.confidence == "unlikely" and "during a reception outage" in finding.title
        assert finding.details["reception"] == "outage" and finding.details["outage_h"] > 6
