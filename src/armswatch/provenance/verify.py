"""``armswatch verify``: recompute everything the case rests on and name what changed outside armswatch.

Checks, in order: the audit chain (each entry's hash and links), the head anchors (the ``audit_head``
row inside the database and the ``armswatch.head`` file beside it: a chain cut short at the end is
caught), every record of every protected table against its latest seal (edited, deleted, inserted),
each audit entry's seal sum against the seals (seals rewritten to match an edit), artifact blobs
(re-hashed) and the Parquet files under ``tables/`` (re-hashed; missing and unregistered files).
Nothing here raises on malformed stored data: a bad payload or head is one more problem found.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, String, Table, Text, cast, inspect, select

from armswatch.errors import ArmswatchError
from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.audit import AuditEntry, verify_chain
from armswatch.provenance.head import HeadFileError, read_head
from armswatch.provenance.seal import (
    MODULUS,
    is_protected,
    key_columns,
    record_id,
    row_digest,
    seal_term,
    table_for,
)
from armswatch.store import schema as t
from armswatch.store.blob import sha256_file
from armswatch.store.table_files import disk_files

if TYPE_CHECKING:
    from armswatch.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Problem:
    what: str  # "audit entry", "head", a table name, "blob", "file"
    id: str
    reason: str

    def line(self) -> str:
        return f"{self.what} {self.id}: {self.reason}"


@dataclass
class VerifyReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, what: str, id: str, reason: str) -> None:
        self.problems.append(Problem(what, id, reason))


def _json(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else text


def read_chain(conn: Connection, report: VerifyReport) -> list[AuditEntry]:
    a = t.audit_log.c
    query = select(
        a.seq,
        a.at,
        a.analyst,
        a.action,
        a.object_type,
        a.object_id,
        cast(a.payload, Text),
        a.prev_hash,
        a.hash,
    )
    entries: list[AuditEntry] = []
    for seq, at, analyst, action, otype, oid, payload, prev, digest in conn.execute(query.order_by(a.seq)):
        try:
            body = _json(payload)
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            report.add("audit entry", str(seq), "payload is malformed (not a JSON object)")
            body = {"malformed": str(payload)}
        entries.append(
            AuditEntry(
                int(seq),
                str(at),
                str(analyst),
                str(action),
                str(otype),
                str(oid),
                body,
                str(prev),
                str(digest),
            )
        )
    return entries


def meta_head(conn: Connection, report: VerifyReport) -> tuple[int, str] | None:
    raw = conn.execute(select(cast(t.meta.c.value, Text)).where(t.meta.c.key == "audit_head")).scalar()
    if raw is None:
        return None
    try:
        value = _json(raw)
        return int(value["seq"]), str(value["hash"])
    except (ValueError, TypeError, KeyError):
        report.add("head", "audit_head", "the head row in the database is malformed")
        return None


def check_chain(ws: Workspace, conn: Connection, report: VerifyReport) -> list[AuditEntry]:
    entries = read_chain(conn, report)
    report.counts["audit entries"] = len(entries)
    head = meta_head(conn, report)
    if head is None and entries and not any(p.id == "audit_head" for p in report.problems):
        report.add("head", "audit_head", "the head row is missing from the database (chain truncated?)")
    for p in verify_chain(entries, head):
        report.add("audit entry", str(p.seq), p.reason)
    try:
        file_head = read_head(ws.root)
    except HeadFileError as exc:
        report.add("head", "armswatch.head", str(exc))
        return entries
    by_seq = {e.seq: e for e in entries}
    if file_head is None:
        if entries:
            report.add("head", "armswatch.head", "the head file beside the database is missing")
    elif file_head[0] not in by_seq:
        last = entries[-1].seq if entries else 0
        report.add(
            "head",
            "armswatch.head",
            f"chain ends early: the head file says entry {file_head[0]}, the chain ends at {last}",
        )
    elif by_seq[file_head[0]].hash != file_head[1]:
        report.add(
            "head", "armswatch.head", f"entry {file_head[0]} does not match the head file (chain rewritten)"
        )
    return entries


def _seals(conn: Connection, name: str) -> Iterator[tuple[str, int, str | None]]:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"SELECT rid, seq, digest FROM record_seal WHERE tbl = {mark} ORDER BY rid, seq"
    yield from conn.exec_driver_sql(sql, (name,))


def _rows(conn: Connection, table: Table) -> Iterator[Any]:
    """All rows; read raw from the driver when every column is text or integer (the same values
    the typed read gives, without per-value processing), typed otherwise (JSON, booleans)."""
    plain = all(isinstance(c.type, String | Integer) for c in table.columns)
    if not plain:
        yield from conn.execute(select(table))
        return
    q = conn.dialect.identifier_preparer
    cols = ", ".join(q.quote(c.name) for c in table.columns)
    yield from conn.exec_driver_sql(f"SELECT {cols} FROM {q.format_table(table)}")


def check_records(
    conn: Connection, entries: list[AuditEntry], report: VerifyReport, progress: Progress = NO_PROGRESS
) -> None:
    sums: dict[int, int] = defaultdict(int)
    counted: dict[int, int] = defaultdict(int)
    tables = {n for n in inspect(conn).get_table_names() if is_protected(n)}
    sealed = set(conn.execute(select(t.record_seal.c.tbl).distinct()).scalars())
    for name in steps(progress, "sealed records (tables)", sorted(tables | sealed)):
        expected: dict[str, str | None] = {}
        for rid, seq, digest in _seals(conn, name):
            expected[rid] = digest
            sums[seq] = (sums[seq] + seal_term(name, rid, digest)) % MODULUS
            counted[seq] += 1
        if name not in tables:
            for rid, digest in expected.items():
                if digest is not None:
                    report.add(name, rid, "deleted outside armswatch (its table is gone)")
            continue
        table = table_for(conn, name)
        keys = key_columns(table)
        names = [c.name for c in table.columns]
        rows = 0
        for row in _rows(conn, table):
            values = dict(zip(names, row, strict=True))
            rid = record_id([values[k] for k in keys])
            want = expected.pop(rid, None)
            rows += 1
            if want is None:
                report.add(name, rid, "inserted outside armswatch (no audit entry wrote it)")
            elif row_digest(name, values) != want:
                report.add(name, rid, "edited outside armswatch (differs from what its audit entry sealed)")
        report.counts["records"] += rows
        for rid, digest in expected.items():
            if digest is not None:
                report.add(name, rid, "deleted outside armswatch")
    check_seal_sums(entries, sums, counted, report)


def check_seal_sums(
    entries: list[AuditEntry], sums: dict[int, int], counted: dict[int, int], report: VerifyReport
) -> None:
    claimed: dict[int, tuple[int, int]] = {}
    for e in entries:
        mark = e.payload.get("_seal")
        if mark is None:
            continue
        try:
            claimed[e.seq] = (int(mark["n"]), int(str(mark["sum"]), 16))
        except (TypeError, KeyError, ValueError):
            report.add("audit entry", str(e.seq), "its seal summary is malformed")
    for seq in sorted(set(claimed) | set(counted)):
        n, total = claimed.get(seq, (0, 0))
        if (n, total) != (counted.get(seq, 0), sums.get(seq, 0)):
            report.add("audit entry", str(seq), "the record seals it made were altered, added or deleted")


def check_blobs(
    ws: Workspace, conn: Connection, report: VerifyReport, progress: Progress = NO_PROGRESS
) -> None:
    artifacts = conn.execute(select(t.artifact.c.id, t.artifact.c.sha256)).all()
    for artifact_id, digest in steps(progress, "artifact blobs", artifacts):
        report.counts["blobs"] += 1
        try:
            problem = ws.blobs.check(str(digest))  # a shared store checks the shared copy
        except LookupError:
            report.add("blob", str(artifact_id), "the artifact's digest is malformed")
            continue
        if problem is not None:
            report.add("blob", str(artifact_id), problem)


def check_table_files(
    ws: Workspace, conn: Connection, report: VerifyReport, busy: bool, progress: Progress = NO_PROGRESS
) -> None:
    registered = {r.path: r.sha256 for r in conn.execute(select(t.table_file.c.path, t.table_file.c.sha256))}
    on_disk = disk_files(ws.tables_dir, ws.tracked_roots(conn))
    for rel, digest in steps(progress, "Parquet files", sorted(registered.items())):
        report.counts["table files"] += 1
        if rel not in on_disk:
            report.add("file", f"tables/{rel}", "Parquet file deleted outside armswatch")
        elif sha256_file(on_disk[rel]) != digest:
            report.add("file", f"tables/{rel}", "Parquet file edited outside armswatch")
    for rel in sorted(set(on_disk) - set(registered)):
        if not busy:
            report.add("file", f"tables/{rel}", "Parquet file added outside armswatch")


def check_shared_case(conn: Connection, entries: list[AuditEntry], report: VerifyReport) -> None:
    """The ``meta`` record naming a shared case's store is only written with a ``case.share`` audit
    entry (``store.joining.share``): the record must be what the latest such entry says."""
    from armswatch.store.shared_case import read_record

    try:
        record = read_record(conn)
    except ArmswatchError:
        report.add("shared case", "meta", "the shared-case record is malformed")
        return
    if record is None:  # not shared, or a copy made by 'case import' (which drops the record)
        return
    shares = [e for e in entries if e.action == "case.share"]
    if not shares:
        report.add("shared case", record.case_id, "written outside armswatch (no audit entry wrote it)")
        return
    said = shares[-1].payload
    if (said.get("case"), said.get("store")) != (record.case_id, record.store):
        report.add(
            "shared case",
            record.case_id,
            "edited outside armswatch (case id or store differ from its audit entry)",
        )


def verify_workspace(ws: Workspace, *, blobs: bool = True, progress: Progress = NO_PROGRESS) -> VerifyReport:
    """Recompute the chain, the anchors, every sealed record, blobs and Parquet files."""
    from armswatch.provenance.recovery import running_runs

    report = VerifyReport()
    busy = any(reason is None for _, reason in running_runs(ws))
    with ws.engine.connect() as conn:
        progress.phase("audit chain")
        entries = check_chain(ws, conn, report)
        check_records(conn, entries, report, progress)
        check_shared_case(conn, entries, report)
        if blobs:
            check_blobs(ws, conn, report, progress)
        check_table_files(ws, conn, report, busy, progress)
    return report
