"""``armswatch entities xref`` on a workspace: the current lists' records, less the pairs already judged.

I/O edge around :func:`armswatch.entities.xref.xref`: reads the current snapshot of every (or the
named) imported dataset, proposes candidate pairs, and leaves out pairs an analyst has judged
(same or different) and pairs already inside one resolved entity, as nomenklatura's xref skips
judged pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from armswatch.entities.xref import (
    DEFAULT_LIMIT,
    DEFAULT_THRESHOLD,
    DEFAULT_TOP,
    Candidate,
    XrefRecord,
    top_candidates,
    xref,
    xref_records,
)
from armswatch.errors import InputError
from armswatch.workspace import Workspace


def workspace_records(ws: Workspace, datasets: Sequence[str] | None = None) -> list[XrefRecord]:
    """Records of the current snapshot of every (or the named) dataset."""
    from armswatch.entities.history import entities_at, snapshots

    names = sorted({s.dataset for s in snapshots(ws)})
    if datasets:
        unknown = sorted(set(datasets) - set(names))
        if unknown:
            raise InputError(
                f"no imported dataset named {', '.join(unknown)} (have: {', '.join(names) or 'none'})"
            )
        names = [n for n in names if n in datasets]
    records: list[XrefRecord] = []
    for name in names:
        records.extend(xref_records(entities_at(ws, datasets=[name]), name))
    return records


def workspace_xref(
    ws: Workspace,
    datasets: Sequence[str] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = DEFAULT_TOP,
    limit: int = DEFAULT_LIMIT,
    across_only: bool = False,
    progress: Callable[[int], None] | None = None,
    on_records: Callable[[int], None] | None = None,
) -> list[Candidate]:
    """Candidate pairs among the workspace's current lists, judged pairs left out."""
    from armswatch.entities.resolution import clusters

    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"--threshold must be between 0 and 1 (got {threshold})")
    if top < 0 or limit < 1:
        raise InputError("--top must be 0 or more and --limit 1 or more")
    records = workspace_records(ws, datasets)
    if not records:
        raise InputError("no people, companies or vessels in the workspace (import a list first)")
    if on_records is not None:
        on_records(len(records))
    found = clusters(ws)
    cands = xref(records, threshold=threshold, top=0, limit=limit, across_only=across_only, progress=progress)
    open_pairs = [c for c in cands if not found.judged(c.left_id, c.right_id)]
    return top_candidates(open_pairs, threshold=threshold, top=top)
