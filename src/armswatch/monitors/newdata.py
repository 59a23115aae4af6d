"""What is new since a monitor's watermark, read from the audit log (the workspace's own clock).

Every write armswatch makes has an audit entry with a growing sequence number, in the transaction
that makes it: an AIS ingest run's Parquet files (``table.file.add``) and its end
(``run.finish``), findings (``finding.add``), list snapshots (``entities.import``). So "new data
since watermark W" is exact and cheap: the entries in ``(W, head]``, without comparing tables. AIS
rows are new when their ``source`` is an input artifact of an ``ais.ingest`` run finished in that
range, read only from the days that range wrote; rows a later ingest found already stored (the same
report from another file) are not new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import select

from armswatch.maritime.schema import POSITIONS_TABLE
from armswatch.maritime.store import scan_positions
from armswatch.store import schema as t


def _entries(ws: Any, after: int, upto: int, action: str) -> list[str]:
    q = select(t.audit_log.c.object_id).where(
        (t.audit_log.c.seq > after) & (t.audit_log.c.seq <= upto) & (t.audit_log.c.action == action)
    )
    with ws.engine.connect() as conn:
        return [str(v) for v in conn.execute(q.order_by(t.audit_log.c.seq)).scalars()]


@dataclass(frozen=True)
class NewPositions:
    """What is new in the AIS tables: the ``source`` artifacts of the new rows, their number and
    their time span (the rows themselves are read by each monitor, for its vessels or area only)."""

    sources: tuple[str, ...] = ()
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def start(self) -> datetime:
        assert self.first is not None
        return self.first

    @property
    def now(self) -> datetime:
        """The feed's clock: the latest time reported in the new data (not the wall clock, so a
        feed that stops does not make every ship look dark)."""
        assert self.last is not None
        return self.last


COLUMNS = ("mmsi", "ts", "lat", "lon", "sog", "source")


def new_positions(ws: Any, after: int, upto: int) -> NewPositions:
    paths = [p for p in _entries(ws, after, upto, "table.file.add") if p.startswith(POSITIONS_TABLE + "/")]
    runs = _entries(ws, after, upto, "run.finish")
    empty = NewPositions()
    if not paths or not runs:
        return empty
    q = (
        select(t.run_artifact.c.artifact_id)
        .join(t.run, t.run.c.id == t.run_artifact.c.run_id)
        .where(t.run.c.id.in_(runs) & (t.run.c.tool == "ais.ingest") & (t.run_artifact.c.role == "input"))
    )
    with ws.engine.connect() as conn:
        sources = tuple(sorted(set(conn.execute(q).scalars())))
    days = sorted(
        {date.fromisoformat(p.split("/")[1].removeprefix("day=")) for p in paths if "/day=" in "/" + p}
    )
    if not sources or not days:
        return empty
    start = datetime.combine(days[0], datetime.min.time())
    end = datetime.combine(days[-1], datetime.min.time()) + timedelta(days=1)
    stats = (
        scan_positions(ws, start, end)
        .filter(pl.col("source").is_in(list(sources)))
        .select(pl.len().alias("n"), pl.col("ts").min().alias("first"), pl.col("ts").max().alias("last"))
        .collect()
        .row(0, named=True)
    )
    if not stats["n"]:
        return empty
    return NewPositions(sources, int(stats["n"]), stats["first"], stats["last"])


_SCHEMA: dict[str, pl.DataType] = {
    "mmsi": pl.UInt32(), "ts": pl.Datetime("us", "UTC"), "lat": pl.Float64(), "lon": pl.Float64(),
    "sog": pl.Float32(), "source": pl.Utf8(),
}  # fmt: skip


def new_finding_ids(ws: Any, after: int, upto: int) -> list[str]:
    return _entries(ws, after, upto, "finding.add")


def new_snapshot_ids(ws: Any, after: int, upto: int) -> list[str]:
    return _entries(ws, after, upto, "entities.import")


def window(ws: Any, start: datetime, end: datetime, mmsi: Sequence[int] | None = None,
           bbox: tuple[float, float, float, float] | None = None) -> pl.DataFrame:  # fmt: skip
    """Stored positions ``start <= ts <= end`` (new and old), sorted by ``mmsi, ts``."""
    lf = scan_positions(ws, start, end + timedelta(microseconds=1), mmsi=mmsi, bbox=bbox)
    return lf.select(COLUMNS).sort("mmsi", "ts").collect()


def last_before(ws: Any, start: datetime, end: datetime, mmsi: Sequence[int] | None = None) -> pl.DataFrame:
    """Each vessel's last stored position with ``start <= ts < end`` (one row per vessel)."""
    lf = scan_positions(ws, start, end, mmsi=mmsi).select(COLUMNS)
    return lf.group_by("mmsi").agg(pl.all().get(pl.col("ts").arg_max())).collect()
