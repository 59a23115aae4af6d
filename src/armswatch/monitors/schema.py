"""Monitor tables (created by migration 0006_monitors).

* ``monitor``: one standing query — its kind, parameters, where alerts go, the notification rate
  limit, and ``watermark``: the audit sequence number up to which data has been evaluated (new data
  = what the audit log recorded after it). Removing a monitor sets ``removed_at`` (history kept).
* ``monitor_alert``: one alert per (monitor, subject, event) — the id is a hash of the three, so the
  same event is never alerted twice — with its finding, run and delivery state (an outbox).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from armswatch.store.schema import metadata

monitor = Table(
    "monitor",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("params", JSON, nullable=False),
    Column("notify", JSON, nullable=False),
    Column("max_per_hour", Integer, nullable=False),
    Column("watermark", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("removed_at", String(40)),
)

monitor_alert = Table(
    "monitor_alert",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("monitor_id", String(40), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("event_key", String(255), nullable=False),
    Column("finding_id", String(80), nullable=False),
    Column("run_id", String(80), nullable=False),
    Column("title", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("status", String(20), nullable=False),  # pending | sent | failed | recorded (no channel)
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("sent_at", String(40)),
    Index("ix_monitor_alert_monitor", "monitor_id", "status"),
)
