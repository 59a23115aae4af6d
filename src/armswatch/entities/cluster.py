"""Resolved clusters from analysts' judgements (pure; nomenklatura's resolver is the model).

A judgement says two records are the *same* thing or *different* things; an *undo* withdraws an
earlier judgement (a new record: nothing is deleted, so the history stays readable). The active
"same" judgements join records into clusters (connected components); every cluster gets a canonical
id ``res-…`` derived from the earliest of its active judgements, so the id survives a cluster growing
or two clusters merging (one of the two ids stays), as nomenklatura's canonical ids do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from armswatch.errors import ConflictError

SAME = "same"
DIFFERENT = "different"
UNDO = "undo"
CANONICAL_PREFIX = "res-"


@dataclass(frozen=True)
class Judgement:
    """One row of ``entity_resolution``."""

    id: str
    seq: int
    left_id: str
    right_id: str
    judgement: str
    undoes: str | None
    note: str
    analyst: str
    created_at: str

    @property
    def pair(self) -> tuple[str, str]:
        return (self.left_id, self.right_id)


def pair_of(a: str, b: str) -> tuple[str, str]:
    """The stored order of a pair (sorted)."""
    return (a, b) if a <= b else (b, a)


def canonical_id(judgement_id: str) -> str:
    return CANONICAL_PREFIX + judgement_id.removeprefix("jr-")[:12]


def active(judgements: Iterable[Judgement]) -> list[Judgement]:
    """Same/different judgements not withdrawn by an undo, in the order they were made."""
    rows = sorted(judgements, key=lambda j: j.seq)
    undone = {j.undoes for j in rows if j.judgement == UNDO and j.undoes}
    return [j for j in rows if j.judgement in (SAME, DIFFERENT) and j.id not in undone]


class Clusters:
    """Clusters of records judged the same, and the pairs judged different."""

    def __init__(self, judgements: Sequence[Judgement] = ()) -> None:
        self.active = active(judgements)
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        same = [j for j in self.active if j.judgement == SAME]
        for j in same:
            ra, rb = find(j.left_id), find(j.right_id)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        first: dict[str, Judgement] = {}
        for j in same:  # in seq order: the first seen per root is the earliest
            first.setdefault(find(j.left_id), j)
        groups: dict[str, list[str]] = defaultdict(list)
        for node in list(parent):
            groups[find(node)].append(node)
        self._canonical: dict[str, str] = {}
        self._members: dict[str, tuple[str, ...]] = {}
        for root, nodes in groups.items():
            cid = canonical_id(first[root].id)
            self._members[cid] = tuple(sorted(nodes))
            for node in nodes:
                self._canonical[node] = cid
        self._active_by_pair = {j.pair: j for j in self.active}

    def __len__(self) -> int:
        return len(self._members)

    def canonical(self, entity_id: str) -> str:
        """The cluster's canonical id for a member (or the id itself when not resolved)."""
        return self._canonical.get(entity_id, entity_id)

    def members(self, entity_id: str) -> tuple[str, ...]:
        """Records of the cluster of ``entity_id`` (a member or a canonical id); ``(entity_id,)`` else."""
        return self._members.get(self.canonical(entity_id), (entity_id,))

    def clusters(self) -> dict[str, tuple[str, ...]]:
        """Canonical id → members, for every cluster."""
        return dict(self._members)

    def is_canonical(self, entity_id: str) -> bool:
        return entity_id in self._members

    def judgement_on(self, a: str, b: str) -> Judgement | None:
        """The active judgement on exactly this pair, if any."""
        return self._active_by_pair.get(pair_of(a, b))

    def judged(self, a: str, b: str) -> bool:
        """True when the pair is settled: judged directly, or already in one cluster."""
        return self.judgement_on(a, b) is not None or self.canonical(a) == self.canonical(b) != a

    def judgements_of(self, entity_id: str) -> list[Judgement]:
        """Active judgements touching any member of the cluster of ``entity_id``."""
        members = set(self.members(entity_id))
        return [j for j in self.active if j.left_id in members or j.right_id in members]

    def check(self, a: str, b: str, judgement: str) -> None:
        """Refuse a judgement that contradicts the active ones (raises :class:`ConflictError`)."""
        if self.judgement_on(a, b) is not None:
            j = self.judgement_on(a, b)
            assert j is not None
            raise ConflictError(
                f"{a} and {b} are already judged {j.judgement} ({j.id} by {j.analyst}); "
                f"undo it first: armswatch entities resolve {a} {b} --undo"
            )
        ca, cb = self.canonical(a), self.canonical(b)
        if judgement == DIFFERENT and ca == cb and ca != a:
            raise ConflictError(
                f"{a} and {b} are in one resolved entity ({ca}); undo the judgement that joined them first"
            )
        if judgement == SAME:
            left, right = set(self.members(a)), set(self.members(b))
            for j in self.active:
                if j.judgement == DIFFERENT and (
                    (j.left_id in left and j.right_id in right) or (j.left_id in right and j.right_id in left)
                ):
                    raise ConflictError(
                        f"{j.left_id} and {j.right_id} were judged different ({j.id}); "
                        f"joining {a} and {b} would make them one entity"
                    )
