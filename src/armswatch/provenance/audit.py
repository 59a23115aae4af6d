"""Append-only audit log protected by a hash chain.

Each entry's hash is SHA-256 over the previous entry's hash and the canonical JSON of the entry. Editing
an entry breaks its own hash; deleting or inserting one breaks the chain (sequence numbers and
``prev_hash``); removing entries from the end is caught by the head anchor kept beside the chain
(``audit head`` prints it, so it can also be published or stored elsewhere).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    analyst: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    reason: str


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    analyst: str,
    action: str,
    object_type: str,
    object_id: str,
    payload: dict[str, Any],
) -> str:
    body = canonical_json([seq, at, analyst, action, object_type, object_id, payload])
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def verify_chain(entries: Iterable[AuditEntry], head: tuple[int, str] | None) -> list[ChainProblem]:
    """Check a chain in sequence order; return the problems found (empty when intact)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    last: AuditEntry | None = None
    for e in entries:
        if e.seq != expected_seq:
            problems.append(ChainProblem(e.seq, f"entry {expected_seq} is missing (found {e.seq} next)"))
        if e.prev_hash != prev:
            problems.append(
                ChainProblem(e.seq, "link to the previous entry is broken (entry deleted or inserted)")
            )
        recomputed = entry_hash(
            e.prev_hash, e.seq, e.at, e.analyst, e.action, e.object_type, e.object_id, e.payload
        )
        if recomputed != e.hash:
            problems.append(ChainProblem(e.seq, "entry content does not match its hash (entry edited)"))
        prev = e.hash
        expected_seq = e.seq + 1
        last = e
    if head is not None:
        head_seq, head_hash = head
        if last is None or last.seq != head_seq or last.hash != head_hash:
            got = "no entries" if last is None else f"last entry {last.seq}"
            problems.append(
                ChainProblem(head_seq, f"chain ends early: head anchor says entry {head_seq}, found {got}")
            )
    return problems
