"""Writing a finished run and its findings in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select, update

from armswatch.errors import NotFoundError
from armswatch.provenance.clock import to_iso, utcnow
from armswatch.provenance.recorder import RunRecorder
from armswatch.store import schema as t
from armswatch.store.run_store import run_links

if TYPE_CHECKING:
    from armswatch.store.facade import Facade


def _simulated_ids(conn: Connection, ids: set[str]) -> tuple[set[str], set[str]]:
    """Return (known ids, simulated ids) among ``ids``."""
    if not ids:
        return set(), set()
    rows = conn.execute(select(t.artifact.c.id, t.artifact.c.simulated).where(t.artifact.c.id.in_(ids))).all()
    return {r.id for r in rows}, {r.id for r in rows if r.simulated}


def commit_run(ws: Facade, conn: Connection, recorder: RunRecorder) -> None:
    evidence_ids = {e for d in recorder.drafts for e in d.evidence}
    run_ids = set(recorder.inputs) | set(recorder.outputs)
    known, simulated = _simulated_ids(conn, evidence_ids | run_ids)
    missing = sorted(evidence_ids - known)
    if missing:
        raise NotFoundError(
            f"run {recorder.id}: evidence artifact {missing[0]} was never added to the workspace"
        )
    run_simulated = bool(simulated & run_ids)
    now = to_iso(utcnow())
    for draft in recorder.drafts:
        fid = draft.finding_id(recorder.id)
        is_sim = run_simulated or bool(simulated & set(draft.evidence))
        conn.execute(
            insert(t.finding).values(
                id=fid,
                run_id=recorder.id,
                kind=draft.kind,
                title=draft.title,
                summary=draft.summary,
                subjects=list(draft.subjects),
                geometry=draft.geometry,
                start_at=to_iso(draft.start),
                end_at=to_iso(draft.end),
                confidence=draft.confidence,
                status="new",
                simulated=is_sim,
                details=draft.details,
                created_at=now,
            )
        )
        for subject in draft.subjects:
            conn.execute(insert(t.finding_subject).values(finding_id=fid, subject=subject))
        for artifact_id in draft.evidence:
            conn.execute(insert(t.finding_evidence).values(finding_id=fid, artifact_id=artifact_id))
        ws._audit(
            conn,
            "finding.add",
            "finding",
            fid,
            {"run": recorder.id, "kind": draft.kind, "title": draft.title},
            seal=[
                ("finding", [(fid,)]),
                ("finding_subject", [(fid, s) for s in draft.subjects]),
                ("finding_evidence", [(fid, a) for a in draft.evidence]),
            ],
        )
    conn.execute(
        update(t.run)
        .where(t.run.c.id == recorder.id)
        .values(
            status="succeeded",
            ended_at=now,
            summary=recorder.summary,
            simulated=run_simulated,
        )
    )
    ws._audit(
        conn,
        "run.finish",
        "run",
        recorder.id,
        {"findings": len(recorder.drafts), "inputs": recorder.inputs, "outputs": recorder.outputs},
        seal=[("run", [(recorder.id,)]), ("run_artifact", run_links(recorder))],
    )
