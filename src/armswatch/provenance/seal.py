"""Record seals: every stored record carries a content digest that its latest audit entry commits to.

When armswatch writes a record (a source, artifact, run, finding, review, site, statement, list
snapshot, Parquet file, user …) the audit entry of that change *seals* it: the record's digest
(SHA-256 over the table name and the canonical JSON of its columns) goes into ``record_seal`` with the
entry's sequence number, and the entry's payload carries ``_seal`` = the number of records it sealed
and their sum (an order-independent set hash: the sum modulo 2^256 of one SHA-256 per sealed record).
The entry's own hash covers that sum, and the chain covers the entry.

:func:`armswatch.provenance.verify.verify_workspace` recomputes every record's digest and compares it
with its latest seal (naming records edited, deleted or inserted outside armswatch, by table and
id), and recomputes each entry's sum from the seals (so seals edited to match an edited record are
caught too, at the entry that made them).

Tables plug in by existing: every table of the database is protected unless it is declared
:func:`unprotected` (the audit log itself, seals, leases, sessions). A new table only has to seal its
writes: pass ``seal=[(table_name, [key, …])]`` to ``Workspace._audit``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, MetaData, Table, insert, select, tuple_

from armswatch.provenance.audit import canonical_json

#: Tables that are not sealed: the chain, its bookkeeping, and volatile state nothing depends on.
_UNPROTECTED: set[str] = {"audit_log", "meta", "record_seal", "run_lease", "alembic_version", "user_session"}

Targets = list[tuple[str, list[tuple[Any, ...]]]]

#: Audit object types naming the table of the record an entry wrote (sealed by default).
OBJECT_TABLES: dict[str, str] = {
    "source": "source",
    "artifact": "artifact",
    "run": "run",
    "finding": "finding",
    "site": "site",
    "table_file": "table_file",
    "user": "app_user",
}


def _annotation(object_type: str, object_id: str, payload: Mapping[str, Any]) -> Targets:
    return [("annotation", [(payload["id"],)])] if "id" in payload else []


#: Actions whose entries write a record other than the one they name: action -> its seal targets.
ACTION_SEALS: dict[str, Any] = {"annotation.add": _annotation}


def default_targets(action: str, object_type: str, object_id: str, payload: Mapping[str, Any]) -> Targets:
    """What an audit entry seals when its writer did not say: the record its object names."""
    if action in ACTION_SEALS:
        return list(ACTION_SEALS[action](object_type, object_id, payload))
    table = OBJECT_TABLES.get(object_type)
    return [(table, [(object_id,)])] if table else []


MODULUS = 1 << 256
_CHUNK = 500
Key = tuple[Any, ...]


def unprotected(*names: str) -> None:
    """Declare tables that are not sealed (volatile state such as login sessions)."""
    _UNPROTECTED.update(names)


def is_protected(name: str) -> bool:
    return name not in _UNPROTECTED and not name.startswith(("sqlite_", "pg_"))


def load_table_declarations() -> None:
    """Import the modules that declare tables on the shared metadata (so they can be read typed)."""
    import armswatch.entities.schema  # noqa: F401


_REFLECTED: dict[tuple[int, str], Table] = {}


def table_for(conn: Connection, name: str) -> Table:
    """The declared table ``name`` or, for a table this code does not declare, its reflection."""
    from armswatch.store.schema import metadata

    load_table_declarations()
    if name in metadata.tables:
        return metadata.tables[name]
    key = (id(conn.engine), name)
    if key not in _REFLECTED:
        _REFLECTED[key] = Table(name, MetaData(), autoload_with=conn)
    return _REFLECTED[key]


def key_columns(table: Table) -> list[str]:
    cols = [c.name for c in table.primary_key.columns]
    return cols or [c.name for c in table.columns]


def record_id(key: Sequence[Any]) -> str:
    """The id of a record as named in reports: its key, parts joined by ``/``."""
    return "/".join(str(v) for v in key)


def row_digest(table: str, row: Mapping[str, Any]) -> str:
    body = canonical_json([table, dict(row)])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal_term(table: str, rid: str, digest: str | None) -> int:
    raw = hashlib.sha256(f"{table}\x1f{rid}\x1f{digest or '-'}".encode()).digest()
    return int.from_bytes(raw, "big")


def rows_by_key(conn: Connection, table: Table, keys: Sequence[Key]) -> Iterator[tuple[Key, dict[str, Any]]]:
    """The rows of ``table`` with these primary keys (absent ones are not yielded)."""
    cols = [table.c[c] for c in key_columns(table)]
    names = [c.name for c in table.columns]
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        cond = cols[0].in_([k[0] for k in chunk]) if len(cols) == 1 else tuple_(*cols).in_(chunk)
        for row in conn.execute(select(table).where(cond)):
            values = dict(zip(names, row, strict=True))
            yield tuple(values[c.name] for c in cols), values


def seal(conn: Connection, seq: int, targets: Iterable[tuple[str, Sequence[Key]]]) -> tuple[int, int]:
    """Seal the current state of these records with audit entry ``seq``; return (count, sum)."""
    total = 0
    count = 0
    rows: list[dict[str, Any]] = []
    for name, keys in targets:
        unique = list(dict.fromkeys(tuple(k) for k in keys))
        if not unique:
            continue
        table = table_for(conn, name)
        found = {record_id(k): row_digest(name, values) for k, values in rows_by_key(conn, table, unique)}
        for key in unique:
            rid = record_id(key)
            digest = found.get(rid)
            rows.append({"tbl": name, "rid": rid, "seq": seq, "digest": digest})
            total = (total + seal_term(name, rid, digest)) % MODULUS
            count += 1
    from armswatch.store.schema import record_seal

    for start in range(0, len(rows), 5000):
        conn.execute(insert(record_seal), rows[start : start + 5000])
    return count, total


def seal_summary(count: int, total: int) -> dict[str, Any]:
    return {"n": count, "sum": f"{total:064x}"}
