"""Monitors and alerts in the workspace database; every write is audited and sealed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from armswatch.errors import ConflictError, NotFoundError
from armswatch.monitors.model import Monitor, Notify, check_params, monitor_id
from armswatch.monitors.schema import monitor, monitor_alert
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.workspace import Workspace


def _seal_monitor(ws: Workspace, conn: Connection, action: str, mid: str, payload: dict[str, Any]) -> None:
    ws._audit(conn, action, "monitor", mid, payload, seal=[("monitor", [(mid,)])])


def audit_head(conn: Connection) -> int:
    from armswatch.store.schema import audit_log

    return int(conn.execute(select(func.max(audit_log.c.seq))).scalar() or 0)


def _from_row(row: Any) -> Monitor:
    return Monitor(
        id=row["id"], kind=row["kind"], name=row["name"], params=dict(row["params"]),
        notify=Notify.from_dict(row["notify"]), max_per_hour=int(row["max_per_hour"]),
        watermark=int(row["watermark"]), created_at=row["created_at"], removed_at=row["removed_at"],
    )  # fmt: skip


def add_monitor(
    ws: Workspace,
    kind: str,
    params: dict[str, Any],
    *,
    name: str = "",
    notify: Notify = Notify(),
    max_per_hour: int = 20,
    backfill: bool = False,
) -> Monitor:
    """Save a monitor. It sees data recorded from now on (``backfill``: everything already there)."""
    checked = check_params(kind, params)
    if kind in ("port", "encounter") and "site" in checked:
        ws.get_site(checked["site"])  # refuses an unknown site now, not at the first run
    if max_per_hour < 1:
        raise ConflictError(f"--max-per-hour must be at least 1 (got {max_per_hour})")
    mid = monitor_id(kind, {**checked, "notify": notify.as_dict()})
    with ws.transaction() as conn:
        old = conn.execute(select(monitor.c.removed_at).where(monitor.c.id == mid)).first()
        if old is not None and old.removed_at is None:
            raise ConflictError(f"the same monitor already exists: {mid}")
        values = {
            "kind": kind, "name": name or f"{kind} monitor", "params": checked, "notify": notify.as_dict(),
            "max_per_hour": max_per_hour, "watermark": 0 if backfill else audit_head(conn),
            "created_at": to_iso(utcnow()), "removed_at": None,
        }  # fmt: skip
        if old is None:
            conn.execute(insert(monitor).values(id=mid, **values))
        else:
            conn.execute(update(monitor).where(monitor.c.id == mid).values(**values))
        _seal_monitor(
            ws, conn, "monitor.add", mid, {"kind": kind, "params": checked, "notify": notify.as_dict()}
        )
    return get_monitor(ws, mid)


def get_monitor(ws: Workspace, ref: str) -> Monitor:
    with ws.engine.connect() as conn:
        rows = conn.execute(select(monitor).where(monitor.c.id.startswith(ref))).mappings().all()
    if len(rows) != 1:
        raise NotFoundError(f"no monitor {ref!r}" if not rows else f"monitor id {ref!r} is ambiguous")
    return _from_row(rows[0])


def list_monitors(ws: Workspace, *, include_removed: bool = False) -> list[Monitor]:
    query = select(monitor).order_by(monitor.c.created_at, monitor.c.id)
    if not include_removed:
        query = query.where(monitor.c.removed_at.is_(None))
    with ws.engine.connect() as conn:
        return [_from_row(r) for r in conn.execute(query).mappings()]


def remove_monitor(ws: Workspace, ref: str) -> Monitor:
    """Stop a monitor; it and its alerts stay on record."""
    mon = get_monitor(ws, ref)
    if mon.removed_at:
        raise NotFoundError(f"monitor {mon.id} was already removed")
    with ws.transaction() as conn:
        conn.execute(update(monitor).where(monitor.c.id == mon.id).values(removed_at=to_iso(utcnow())))
        _seal_monitor(ws, conn, "monitor.remove", mon.id, {})
    return get_monitor(ws, mon.id)


def set_watermark(ws: Workspace, conn: Connection, mid: str, seq: int) -> None:
    conn.execute(update(monitor).where(monitor.c.id == mid).values(watermark=seq))
    _seal_monitor(ws, conn, "monitor.watermark", mid, {"watermark": seq})


def known_alerts(ws: Workspace, ids: Sequence[str]) -> set[str]:
    with ws.engine.connect() as conn:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            found |= set(
                conn.execute(select(monitor_alert.c.id).where(monitor_alert.c.id.in_(chunk))).scalars()
            )
    return found


def alerts_like(ws: Workspace, mid: str, prefix: str) -> list[dict[str, Any]]:
    """The monitor's alerts whose event key starts with ``prefix`` (subject, event key, finding)."""
    query = select(monitor_alert.c.subject, monitor_alert.c.event_key, monitor_alert.c.finding_id).where(
        (monitor_alert.c.monitor_id == mid) & monitor_alert.c.event_key.startswith(prefix, autoescape=True)
    )
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def insert_alerts(ws: Workspace, conn: Connection, mid: str, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    conn.execute(insert(monitor_alert), list(rows))
    ws._audit(
        conn, "monitor.alert", "monitor", mid, {"alerts": len(rows), "ids": [r["id"] for r in rows][:50]},
        seal=[("monitor_alert", [(r["id"],) for r in rows])],
    )  # fmt: skip


def alerts(
    ws: Workspace, *, monitor_id: str | None = None, status: Iterable[str] = ()
) -> list[dict[str, Any]]:
    query = select(monitor_alert).order_by(monitor_alert.c.created_at, monitor_alert.c.id)
    if monitor_id:
        query = query.where(monitor_alert.c.monitor_id == monitor_id)
    wanted = list(status)
    if wanted:
        query = query.where(monitor_alert.c.status.in_(wanted))
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def sent_since(ws: Workspace, mid: str, now: datetime) -> int:
    since = to_iso(now - timedelta(hours=1))
    with ws.engine.connect() as conn:
        q = select(func.count()).where(
            (monitor_alert.c.monitor_id == mid)
            & (monitor_alert.c.status == "sent")
            & (monitor_alert.c.sent_at >= since)
        )
        return int(conn.execute(q).scalar() or 0)


def record_delivery(
    ws: Workspace, alert_id: str, *, status: str, attempts: int, error: str | None, sent_at: str | None
) -> None:
    with ws.transaction() as conn:
        conn.execute(
            update(monitor_alert)
            .where(monitor_alert.c.id == alert_id)
            .values(status=status, attempts=attempts, last_error=error, sent_at=sent_at)
        )
        ws._audit(
            conn, "monitor.alert.deliver", "monitor_alert", alert_id,
            {"status": status, "attempts": attempts, "error": error},
            seal=[("monitor_alert", [(alert_id,)])],
        )  # fmt: skip
