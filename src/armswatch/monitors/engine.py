"""``monitor run``: evaluate every active monitor on new data, record alerts, deliver the outbox.

For each monitor, the drafts of its evaluator (:mod:`.evaluate`) whose (monitor, subject, event)
was never alerted become findings of one ``monitor.<kind>`` run (its inputs: the evidence
artifacts) and alert rows; the alert rows and the new watermark are written in the transaction
that closes the run, so a crash leaves neither a finding without its alert row nor an advanced
watermark without its findings. A monitor that fails is reported and the others go on.

Then the outbox: each monitor's pending alerts are sent, at most ``max_per_hour`` per monitor in
any hour (the rest wait for a later run: ``rate_limited``). A failed send is retried (:class:`Retry`);
after that the monitor's remaining alerts wait for the next run, and an alert is given up
(``failed``) after :data:`MAX_ATTEMPTS` tries in all. Every state change is audited.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from armswatch.monitors import store
from armswatch.monitors.evaluate import EVALUATORS, Shared
from armswatch.monitors.model import AlertDraft, Monitor, alert_id
from armswatch.monitors.notify import Retry, Send, alert_payload, deliver, send
from armswatch.provenance.clock import to_iso, utcnow

MAX_ATTEMPTS = 10


@dataclass
class Outcome:
    """What one monitor did in one run."""

    monitor: str
    kind: str
    new_data: bool = False
    alerts: int = 0
    duplicates: int = 0
    run_id: str | None = None
    error: str | None = None
    delivery: Counter[str] = field(default_factory=Counter)

    def as_row(self) -> dict[str, Any]:
        return {
            "monitor": self.monitor, "kind": self.kind, "new_data": self.new_data, "alerts": self.alerts,
            "duplicates": self.duplicates, "run": self.run_id or "", "error": self.error or "",
            "delivery": dict(self.delivery),
        }  # fmt: skip


@contextlib.contextmanager
def _lock(ws: Any) -> Iterator[None]:
    """One ``monitor run`` at a time per workspace (two would alert the same events)."""
    folder = ws.root / ".locks"
    folder.mkdir(exist_ok=True)
    with open(folder / "monitor.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _record(ws: Any, mon: Monitor, fresh: dict[str, AlertDraft], head: int, out: Outcome) -> None:
    evidence = sorted({e for d in fresh.values() for e in d.evidence})
    params = {"monitor": mon.id, "name": mon.name, "params": mon.params, "new_data": [mon.watermark, head]}
    with ws.run(f"monitor.{mon.kind}", parameters=params, inputs=evidence) as run:
        rows = []
        now = to_iso(utcnow())
        for aid, d in fresh.items():
            fid = run.add_finding(
                kind=f"monitor.{mon.kind}", title=d.title, summary=d.summary,
                subjects=[d.subject, *d.subjects, f"monitor:{mon.id}"], geometry=d.geometry, start=d.start,
                end=d.end, confidence=d.confidence, evidence=d.evidence,
                details={**d.details, "monitor": mon.id, "alert": aid, "event": d.event_key},
            )  # fmt: skip
            rows.append({
                "id": aid, "monitor_id": mon.id, "subject": d.subject, "event_key": d.event_key, "finding_id": fid,
                "run_id": run.id, "title": d.title, "created_at": now, "attempts": 0,
                "status": "pending" if mon.notify.channel else "recorded",
            })  # fmt: skip
        run.summary.update({"alerts": len(rows), "duplicates": out.duplicates})

        def write(conn: Any) -> None:
            store.insert_alerts(ws, conn, mon.id, rows)
            store.set_watermark(ws, conn, mon.id, head)

        run.on_commit(write)
    out.run_id = run.id


def evaluate_monitor(ws: Any, mon: Monitor, shared: Shared) -> Outcome:
    out = Outcome(mon.id, mon.kind)
    drafts, out.new_data = EVALUATORS[mon.kind](ws, mon, shared)
    by_id = {alert_id(mon.id, d.subject, d.event_key): d for d in drafts}
    known = store.known_alerts(ws, list(by_id))
    fresh = {k: d for k, d in by_id.items() if k not in known}
    out.duplicates = len(drafts) - len(fresh)
    out.alerts = len(fresh)
    if fresh:
        _record(ws, mon, fresh, shared.head, out)
    elif out.new_data and shared.head > mon.watermark:
        with ws.transaction() as conn:
            store.set_watermark(ws, conn, mon.id, shared.head)
    return out


def deliver_outbox(ws: Any, mon: Monitor, out: Outcome, retry: Retry, sender: Send, now: datetime) -> None:
    if not mon.notify.channel:
        return
    pending = store.alerts(ws, monitor_id=mon.id, status=["pending"])
    room = max(0, mon.max_per_hour - store.sent_since(ws, mon.id, now))
    if len(pending) > room:
        out.delivery["rate_limited"] += len(pending) - room
    monitor_info = {"id": mon.id, "name": mon.name, "kind": mon.kind}
    for i, alert in enumerate(pending[:room]):
        ok, tries, error = deliver(mon.notify, alert_payload(alert, monitor_info), retry, sender)
        attempts = int(alert["attempts"]) + tries
        status = "sent" if ok else "failed" if attempts >= MAX_ATTEMPTS else "pending"
        store.record_delivery(
            ws,
            alert["id"],
            status=status,
            attempts=attempts,
            error=error,
            sent_at=to_iso(utcnow()) if ok else None,
        )
        out.delivery[status] += 1
        if not ok:
            out.error = f"{mon.notify.channel} delivery failed: {error}"
            out.delivery["waiting_for_channel"] += len(pending[:room]) - i - 1
            return


def run_monitors(
    ws: Any, *, only: Sequence[str] = (), retry: Retry = Retry(), sender: Send = send
) -> list[Outcome]:
    """One evaluation of the active monitors (or those named) and one pass over their outboxes."""
    with _lock(ws):
        mons = store.list_monitors(ws)
        if only:
            wanted = {store.get_monitor(ws, ref).id for ref in only}
            mons = [m for m in mons if m.id in wanted]
        with ws.engine.connect() as conn:
            shared = Shared(head=store.audit_head(conn))
        outcomes = []
        for mon in mons:
            try:
                out = evaluate_monitor(ws, mon, shared)
            except Exception as exc:  # one broken monitor must not stop the others
                out = Outcome(mon.id, mon.kind, error=f"{type(exc).__name__}: {exc}")
            outcomes.append(out)
        now = utcnow()
        for mon, out in zip(mons, outcomes, strict=True):
            try:
                deliver_outbox(ws, mon, out, retry, sender, now)
            except Exception as exc:  # e.g. the database is busy: the alerts stay pending
                out.error = f"delivery bookkeeping failed: {type(exc).__name__}: {exc}"
    return outcomes
