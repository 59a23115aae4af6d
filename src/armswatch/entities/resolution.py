"""Analysts' judgements on pairs of list records, stored, audited and sealed (table ``entity_resolution``).

``resolve(ws, a, b, same=True)`` records that two records (of any lists) are one real thing;
``same=False`` that they are different things (xref stops proposing the pair); ``undo(ws, a, b)``
withdraws the active judgement on the pair with a new row. Every write is one audit entry that seals
the row it wrote, so ``armswatch verify`` notices a judgement edited or deleted outside armswatch.
:func:`clusters` gives the resolved entities (:class:`~armswatch.entities.cluster.Clusters`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import networkx as nx
from sqlalchemy import Connection, func, insert, select

from armswatch.entities.cluster import DIFFERENT, SAME, UNDO, Clusters, Judgement, pair_of
from armswatch.entities.schema import entity_resolution, entity_statement
from armswatch.errors import InputError, NotFoundError
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.workspace import Workspace


def _rows(conn: Connection) -> list[Judgement]:
    rows = conn.execute(select(entity_resolution).order_by(entity_resolution.c.seq)).mappings().all()
    return [Judgement(**{k: row[k] for k in row}) for row in rows]


def judgements(ws: Workspace) -> list[Judgement]:
    """Every judgement ever recorded (including withdrawn ones and the undo rows), oldest first."""
    with ws.engine.connect() as conn:
        return _rows(conn)


def clusters(ws: Workspace) -> Clusters:
    """The resolved entities of the workspace."""
    return Clusters(judgements(ws))


def fingerprint(ws: Workspace) -> str:
    """Changes with every judgement written (for caches of resolved indexes and graphs)."""
    with ws.engine.connect() as conn:
        last = conn.execute(
            select(entity_resolution.c.id).order_by(entity_resolution.c.seq.desc()).limit(1)
        ).scalar()
    return str(last or "")


def resolved_graph(ws: Workspace, as_of: date | None = None) -> tuple[nx.MultiDiGraph, Clusters]:
    """The entity graph on ``as_of`` with every resolved entity as one node, and the clusters (map a
    record id to its node with ``clusters.canonical(id)``)."""
    from armswatch.entities.graph import build_graph
    from armswatch.entities.history import entities_at
    from armswatch.entities.resolved import collapse_graph

    found = clusters(ws)
    return collapse_graph(build_graph(entities_at(ws, as_of)), found), found


def _member(conn: Connection, found: Clusters, entity_id: str) -> str:
    """A record id for ``entity_id``: itself when a list carries it, a member for a canonical id."""
    if found.is_canonical(entity_id):
        return found.members(entity_id)[0]
    hit = conn.execute(
        select(entity_statement.c.entity_id).where(entity_statement.c.entity_id == entity_id).limit(1)
    ).first()
    if hit is None:
        raise NotFoundError(f"no entity {entity_id!r} in the imported lists (see 'armswatch entities list')")
    return entity_id


def _write(ws: Workspace, conn: Connection, values: dict[str, Any]) -> Judgement:
    seq = int(conn.execute(select(func.count()).select_from(entity_resolution)).scalar() or 0) + 1
    now = to_iso(utcnow()) or ""
    key = f"{seq}|{values['left_id']}|{values['right_id']}|{values['judgement']}|{now}"
    row = {
        "id": "jr-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20],
        "seq": seq,
        "analyst": ws.analyst,
        "created_at": now,
        **values,
    }
    conn.execute(insert(entity_resolution).values(**row))
    action = "entity.resolve" if values["judgement"] != UNDO else "entity.unresolve"
    payload = {k: row[k] for k in ("left_id", "right_id", "judgement", "undoes", "note")}
    ws._audit(
        conn, action, "entity_resolution", row["id"], payload, seal=[("entity_resolution", [(row["id"],)])]
    )
    return Judgement(**row)


def resolve(ws: Workspace, a: str, b: str, *, same: bool, note: str = "") -> Judgement:
    """Record that ``a`` and ``b`` (record ids or canonical ids) are the same thing, or different ones."""
    judgement = SAME if same else DIFFERENT
    with ws.transaction() as conn:
        found = Clusters(_rows(conn))
        left, right = _member(conn, found, a), _member(conn, found, b)
        if left == right or (same and found.canonical(left) == found.canonical(right) != left):
            raise InputError(f"{a} and {b} are already one entity ({found.canonical(left)})")
        found.check(left, right, judgement)
        lo, hi = pair_of(left, right)
        return _write(
            ws, conn, {"left_id": lo, "right_id": hi, "judgement": judgement, "undoes": None, "note": note}
        )


def undo(ws: Workspace, a: str, b: str, *, note: str = "") -> Judgement:
    """Withdraw the active judgement on the pair ``a``, ``b`` (a new, audited row)."""
    with ws.transaction() as conn:
        found = Clusters(_rows(conn))
        active = found.judgement_on(a, b)
        if active is None:
            raise NotFoundError(
                f"no active judgement on {a} and {b} (a judgement joins the two ids given to "
                "'entities resolve'; see 'armswatch entities judgements')"
            )
        return _write(
            ws,
            conn,
            {
                "left_id": active.left_id,
                "right_id": active.right_id,
                "judgement": UNDO,
                "undoes": active.id,
                "note": note,
            },
        )


__all__ = ["DIFFERENT", "SAME", "clusters", "fingerprint", "judgements", "resolve", "resolved_graph", "undo"]
