"""Screening queries (people, companies, vessels) against sanctions lists.

I/O edge around the pure matcher in :mod:`armswatch.matching`: reads query CSVs and lists, builds a
:class:`~armswatch.matching.index.CandidateIndex`, and returns :class:`Match` rows. Used by
``armswatch screen`` (:mod:`armswatch.cli.screen`), by the maritime code (:func:`screen_vessels`) and
by the demo (:func:`screen_demo`).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armswatch.entities.csvfile import csv_rows
from armswatch.errors import InputError
from armswatch.matching.index import DEFAULT_LIMIT, CandidateIndex
from armswatch.matching.score import DEFAULT_THRESHOLD
from armswatch.matching.subject import Subject, subject_from_entity, subject_from_row

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

    from armswatch.report.section import ReportSection
    from armswatch.workspace import Workspace

QUERY_COLUMNS = ("id", "name", "schema")
OPTIONAL_COLUMNS = ("birth_date", "country", "imo", "mmsi", "registration")
MATCH_COLUMNS = (
    "query_id",
    "query_name",
    "entity_id",
    "entity_name",
    "dataset",
    "score",
    "match",
    "explanation",
)
DEMO_QUERIES: tuple[tuple[str, str], ...] = (
    ("Company", "Korea Mining Development Trading Corp."),
    ("Company", "Tanchon Commercial Bank"),
    ("Company", "Ryonbong General Corporation Ltd"),
    ("Person", "Kim Jong-un"),
    ("Person", "Pak Jong Chon"),
    ("Person", "Ри Пён Чхоль"),
    ("Person", "리제선"),
)  # SIMULATED queries for the demo (Latin, Cyrillic and Hangul spellings)
_SUBJECT_SCHEMATA = frozenset(
    {"Person", "Organization", "Company", "LegalEntity", "PublicBody", "Vessel", "Airplane", "Vehicle"}
)


@dataclass(frozen=True)
class Match:
    """One screening result row."""

    query_id: str
    query_name: str
    entity_id: str
    entity_name: str
    dataset: str
    score: float
    match: bool
    explanation: str

    def as_row(self) -> dict[str, Any]:
        """The row written to ``matches.csv``."""
        return asdict(self)


@dataclass(frozen=True)
class QueryFile:
    """Queries read from a CSV, with per-row problems counted by reason."""

    queries: list[Subject]
    problems: Counter[str]


def read_queries(path: Path, *, strict: bool = False) -> QueryFile:
    """Read a query CSV (``id, name, schema`` + optional ``birth_date, country, imo, mmsi, registration``)."""
    queries: list[Subject] = []
    problems: Counter[str] = Counter()
    for line, row in csv_rows(path, QUERY_COLUMNS):
        subject = subject_from_row(row)
        reason = None
        if not subject.id:
            reason = "empty id"
        elif not subject.names:
            reason = "empty name"
        elif subject.schema not in _SUBJECT_SCHEMATA:
            reason = f"unknown schema {subject.schema!r}"
        if reason:
            if strict:
                raise InputError(reason, path=str(path), record=line)
            problems[reason] += 1
            continue
        for column in _unreadable(row, subject):
            if strict:
                raise InputError(f"unreadable {column} {row[column]!r}", path=str(path), record=line)
            problems[f"unreadable {column} (ignored)"] += 1
        queries.append(subject)
    return QueryFile(queries, problems)


def queries_from_names(names: Sequence[str], schema: str = "LegalEntity") -> tuple[QueryFile, bytes]:
    """Queries typed on the command line (``--name``), and the same queries as CSV bytes for provenance."""
    import csv
    import io

    if schema not in _SUBJECT_SCHEMATA:
        raise InputError(f"--schema must be one of {', '.join(sorted(_SUBJECT_SCHEMATA))} (got {schema!r})")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "name", "schema"])
    queries = []
    for i, name in enumerate(names, start=1):
        subject = subject_from_row({"id": f"q{i}", "name": name, "schema": schema})
        if not subject.names or not any(ch.isalnum() for ch in name):
            raise InputError(f"--name {name!r} has no letters or digits to match on")
        queries.append(subject)
        writer.writerow([subject.id, name, schema])
    return QueryFile(queries, Counter()), buf.getvalue().encode("utf-8")


def _unreadable(row: Mapping[str, str | None], subject: Subject) -> list[str]:
    """Optional columns given in the row that the matcher could not read (bad IMO check digit…)."""
    read = {
        "imo": bool(subject.imo),
        "mmsi": bool(subject.mmsi),
        "birth_date": bool(subject.birth_dates),
        "country": bool(subject.countries),
    }
    return [col for col, ok in read.items() if (row.get(col) or "").strip() and not ok]


def subjects_from_entities(entities: Iterable[EntityProxy], dataset: str = "") -> list[Subject]:
    """Matchable subjects (people, organisations, vessels…) of a list's entities."""
    out: list[Subject] = []
    for entity in entities:
        if entity.schema.name in _SUBJECT_SCHEMATA:
            subject = subject_from_entity(entity, dataset)
            if subject.names or subject.imo or subject.mmsi:
                out.append(subject)
    return out


def load_list_subjects(paths: Sequence[Path]) -> list[Subject]:
    """Subjects of list files (UN XML, OFAC CSV, FtM JSON, …) via the entity importer."""
    from armswatch.entities.importer import load_entities

    subjects: list[Subject] = []
    for path in paths:
        snap = load_entities(Path(path))
        subjects.extend(subjects_from_entities(snap.entities, snap.dataset))
    return subjects


def workspace_subjects(ws: Workspace, datasets: Sequence[str] | None = None) -> list[Subject]:
    """Subjects of the current snapshot of every (or the named) dataset stored in the workspace; the
    records of a resolved entity (``armswatch entities resolve``) are one subject with its ``res-`` id."""
    from armswatch.entities.history import entities_at, snapshots
    from armswatch.entities.resolution import clusters
    from armswatch.entities.resolved import merge_subjects

    names = sorted({s.dataset for s in snapshots(ws)})
    if datasets:
        unknown = sorted(set(datasets) - set(names))
        if unknown:
            raise InputError(
                f"no imported dataset named {', '.join(unknown)} (have: {', '.join(names) or 'none'})"
            )
        names = [n for n in names if n in datasets]
    out: list[Subject] = []
    for name in names:
        out.extend(subjects_from_entities(entities_at(ws, datasets=[name]), name))
    return merge_subjects(out, clusters(ws))


def list_artifacts(ws: Workspace, datasets: Sequence[str] | None = None) -> list[str]:
    """Artifacts of the current edition of every (or the named) dataset: what was screened against."""
    from sqlalchemy import select

    from armswatch.entities.history import snapshots
    from armswatch.entities.schema import entity_snapshot

    latest = {s.dataset: s.id for s in snapshots(ws) if not datasets or s.dataset in datasets}
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(entity_snapshot.c.artifacts).where(entity_snapshot.c.id.in_(list(latest.values())))
        ).all()
    return sorted({str(a) for row in rows for a in row.artifacts})


def screen_subjects(
    index: CandidateIndex,
    queries: Iterable[Subject],
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
) -> list[Match]:
    """Screen queries against an index; every hit at or above ``threshold`` becomes a :class:`Match`."""
    out: list[Match] = []
    for query in queries:
        for hit in index.screen(query, threshold, limit):
            s = hit.subject
            out.append(
                Match(
                    query_id=query.id,
                    query_name=query_label(query),
                    entity_id=s.id,
                    entity_name=s.caption or (s.names[0] if s.names else ""),
                    dataset=s.dataset,
                    score=hit.result.score,
                    match=hit.result.match,
                    explanation=hit.result.explanation,
                )
            )
    return out


def query_label(query: Subject) -> str:
    """What was searched, in words: the query's first name (with the IMO/MMSI for a vessel), else its id."""
    name = query.caption or (query.names[0] if query.names else "")
    ids = [f"IMO {i}" for i in sorted(query.imo)] + [f"MMSI {m}" for m in sorted(query.mmsi)]
    if name and ids and query.schema == "Vessel":
        return f"{name} ({', '.join(ids)})"
    return name or (", ".join(ids) if ids else query.id)


def vessel_queries(vessels: Sequence[Mapping[str, Any]]) -> list[Subject]:
    """Queries from vessel dicts (``mmsi``, ``imo``, ``name``; optional ``id``)."""
    out: list[Subject] = []
    for i, vessel in enumerate(vessels):
        row = {k: (None if v is None else str(v)) for k, v in vessel.items()}
        if not row.get("id"):
            row["id"] = f"vessel:mmsi:{row['mmsi']}" if row.get("mmsi") else f"vessel:{i}"
        row["schema"] = "Vessel"
        out.append(subject_from_row(row))
    return out


def screen_vessels(
    ws: Workspace, vessels: list[dict[str, Any]], threshold: float = DEFAULT_THRESHOLD
) -> list[Match]:
    """Screen vessels seen in AIS (dicts with ``mmsi``, ``imo``, ``name``) by IMO, MMSI and name
    against the workspace's current lists."""
    subjects = [s for s in workspace_subjects(ws) if s.schema == "Vessel"]
    return screen_subjects(CandidateIndex(subjects), vessel_queries(vessels), threshold)


def confidence_words(score: float) -> str:
    """ICD 203 likelihood words for a match score."""
    if score >= 0.98:
        return "almost certain"
    if score >= 0.9:
        return "very likely"
    if score >= 0.8:
        return "likely"
    return "roughly even chance"


def record_matches(
    ws: Workspace, matches: Sequence[Match], parameters: Mapping[str, Any], inputs: Sequence[str] = ()
) -> str:
    """Record a screening run with one ``entities.match`` finding per match; returns the run id."""
    with ws.run("entities.screen", parameters=dict(parameters), inputs=list(inputs)) as run:
        for m in matches:
            if not m.match:
                continue
            run.add_finding(
                kind="entities.match",
                title=f"{m.query_name or m.query_id} matches {m.entity_name} ({m.dataset})",
                summary=m.explanation,
                subjects=[m.query_id, f"entity:{m.entity_id}"],
                confidence=confidence_words(m.score),
                details={
                    "score": m.score,
                    "dataset": m.dataset,
                    "entity_id": m.entity_id,
                    "query_id": m.query_id,
                    "query_name": m.query_name,
                },
            )
        run.summary["matches"] = sum(1 for m in matches if m.match)
        return str(run.id)


def screen_demo(ws: Workspace) -> list[Match]:
    """Screen the demo's vessels (from the workspace's AIS statics when present) and companies against
    the workspace's lists and record a run with a finding per match."""
    subjects = workspace_subjects(ws)
    index = CandidateIndex(subjects)
    queries: list[Subject] = []
    vessels = _demo_vessels(ws)
    queries.extend(vessel_queries(vessels))
    # A SIMULATED customer file: names spelled the way an analyst or a counterparty might type them.
    lines = ["id,name,schema"]
    for i, (schema, name) in enumerate(DEMO_QUERIES):
        queries.append(subject_from_row({"id": f"demo-query-{i + 1}", "name": name, "schema": schema}))
        lines.append(f"demo-query-{i + 1},{name},{schema}")
    source = ws.add_source("armswatch demo (simulated)", publisher="armswatch", reliability="F")
    artifact = ws.add_artifact(
        ("\n".join(lines) + "\n").encode("utf-8"),
        name="demo-screening-queries.csv",
        media_type="text/csv",
        source=source,
        simulated=True,
    )
    matches = screen_subjects(index, queries)
    params = {
        "queries": len(queries),
        "vessels": len(vessels),
        "entities": len(subjects),
        "simulated_queries": True,
    }
    record_matches(ws, matches, params, inputs=[artifact.id])
    return matches


def report_section(ws: Workspace) -> ReportSection | None:
    """Report section: screening matches recorded in the workspace (``entities.match`` findings)."""
    from armswatch.report.section import ReportSection

    findings = ws.list_findings(kind="entities.match")
    if not findings:
        return None
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{:.2f}</td><td>{}</td><td>{}</td></tr>".format(
            html.escape(f.title),
            html.escape(f.confidence),
            float(f.details.get("score", 0.0)),
            html.escape(f.summary),
            "SIMULATED" if f.simulated else "",
        )
        for f in findings
    )
    body = (
        f"<p>{len(findings)} screening match(es) at or above the threshold; each explanation lists the "
        "features that contributed. A match is a lead for review, not a determination.</p>"
        "<table><thead><tr><th>Match</th><th>Confidence</th><th>Score</th><th>Why</th><th></th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    return ReportSection(title="Sanctions screening matches", html=body)


def _demo_vessels(ws: Workspace) -> list[dict[str, Any]]:
    """Distinct (mmsi, imo, name) of the vessels in the workspace's AIS statics table (maritime part)."""
    from armswatch.maritime.store import scan_statics, statics_path

    if not statics_path(ws).exists():
        return []
    frame = scan_statics(ws).select(["mmsi", "imo", "name"]).unique().collect()
    return [r for r in frame.to_dicts() if r.get("name") or r.get("imo")]
