from __future__ import annotations

from sqlalchemy import delete, update

from armswatch.provenance.audit import GENESIS, AuditEntry, entry_hash, verify_chain
from armswatch.store import schema as t
from armswatch.workspace import Workspace


def _populate(ws: Workspace) -> None:
    ws.add_source("CSIS Beyond Parallel", reliability="B")
    ws.add_artifact(b"one", name="1.txt")
    ws.add_artifact(b"two", name="2.txt")


def test_intact_chain_verifies(ws: Workspace) -> None:
    _populate(ws)
    assert ws.verify_audit() == []
    entries = ws.audit_entries()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS
    assert ws.audit_head() == (entries[-1].seq, entries[-1].hash)


def test_edited_entry_detected(ws: Workspace) -> None:
    _populate(ws)
    with ws.transaction() as conn:
        conn.execute(update(t.audit_log).where(t.audit_log.c.seq == 2).values(analyst="someone else"))
    problems = ws.verify_audit()
    assert [p.seq for p in problems] == [2]
    assert "edited" in problems[0].reason


def test_deleted_entry_detected(ws: Workspace) -> None:
    _populate(ws)
    with ws.transaction() as conn:
        conn.execute(delete(t.audit_log).where(t.audit_log.c.seq == 2))
    reasons = " ".join(p.reason for p in ws.verify_audit())
    assert "missing" in reasons and "broken" in reasons


def test_truncated_tail_detected_by_head_anchor(ws: Workspace) -> None:
    _populate(ws)
    last = ws.audit_entries()[-1].seq
    with ws.transaction() as conn:
        conn.execute(delete(t.audit_log).where(t.audit_log.c.seq == last))
    problems = ws.verify_audit()
    assert len(problems) == 1 and "ends early" in problems[0].reason


def test_rehashed_forgery_without_anchor_update_detected() -> None:
    """Rewriting an entry and recomputing every later hash is still caught by the head anchor."""
    prev = GENESIS
    chain = []
    for seq in (1, 2, 3):
        h = entry_hash(prev, seq, "2024-01-01T00:00:00+00:00", "a", "x", "o", str(seq), {"n": seq})
        chain.append(
            AuditEntry(seq, "2024-01-01T00:00:00+00:00", "a", "x", "o", str(seq), {"n": seq}, prev, h)
        )
        prev = h
    head = (3, chain[-1].hash)
    forged = []
    prev = GENESIS
    for e in chain:
        payload = {"n": 99} if e.seq == 2 else e.payload
        h = entry_hash(prev, e.seq, e.at, e.analyst, e.action, e.object_type, e.object_id, payload)
        forged.append(
            AuditEntry(e.seq, e.at, e.analyst, e.action, e.object_type, e.object_id, payload, prev, h)
        )
        prev = h
    assert verify_chain(chain, head) == []
    assert verify_chain(forged, head) != []
