"""``armswatch entities``: import sanctions lists, look entities up, see their history and graph."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    open_workspace,
    progress,
    say,
    show_record,
)
from armswatch.errors import InputError

app = typer.Typer(
    help=(
        "Sanctioned people, companies and vessels (FollowTheMoney), with list history and a graph.\n\n"
        "Example: armswatch entities import UN_consolidated.xml && armswatch entities list --schema Vessel"
    ),
    no_args_is_help=True,
)

AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="A date (YYYY-MM-DD): what the imported lists said then.")
]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date like 2024-03-12 (got {value!r})") from None


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="List files (OFAC: any file of a set).")],
    fmt: Annotated[str, typer.Option("--format", help="auto, un-xml, ofac-csv, ftm or csv.")] = "auto",
    list_date: Annotated[
        str | None,
        typer.Option(
            "--list-date", help="The list's own publication date when the file does not say (OFAC)."
        ),
    ] = None,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Dataset name for FtM or CSV files.")
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option("--mapping", help="CSV columns: property=column,… e.g. id=ref,name=Name,imoNumber=IMO."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on any per-record problem.")] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import sanctions lists; each file is a run, re-importing the same file adds nothing.

    A progress bar (on a terminal, not with -q) shows each file's steps: stored, parsed, written.

    Example: armswatch entities import sdn.csv --list-date 2021-07-01
    """
    from armswatch.entities.importer import FORMATS, detect_format, ofac_parts
    from armswatch.entities.ingest import IMPORT_STEPS, import_list

    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    when = _date(list_date, "--list-date")
    seen: set[Path] = set()
    rows: list[dict[str, Any]] = []
    with open_workspace(workspace, analyst) as ws, progress(quiet) as bar:
        task = bar.add_task("importing", total=len(files) * len(IMPORT_STEPS))
        for path in files:
            if path.is_file() and (
                fmt == "ofac-csv" or (fmt == "auto" and detect_format(path) == "ofac-csv")
            ):
                primary = ofac_parts(path)[1]["primary"].resolve()
                if primary in seen:
                    bar.advance(task, len(IMPORT_STEPS))
                    continue  # another file of an OFAC set already imported in this call
                seen.add(primary)

            def step(stage: str, name: str = path.name) -> None:
                bar.update(task, advance=1, description=f"{name}: {stage}")

            result = import_list(
                ws,
                path,
                format=fmt,
                list_date=when,
                dataset=dataset,
                mapping=mapping,
                strict=strict,
                on_progress=step,
            )
            if result.store.already_imported:
                say(f"{path}: already imported ({result.dataset}, {result.list_date}); nothing added", quiet)
            else:
                problems = sum(result.problems.values())
                say(
                    f"{path}: {result.dataset} {result.list_date} ({result.date_source}): "
                    f"{result.store.entities} entities, {result.store.new_statements} new statements, "
                    f"{result.listed} listed, {result.delisted} delisted, {problems} problems; run {result.run_id}",
                    quiet,
                )
                if result.date_source == "import-date":
                    say(
                        "  the file gives no list date, so today's date was used: pass --list-date "
                        "(the list's publication date) for meaningful --as-of answers",
                        quiet,
                    )
                for reason, count in sorted(result.problems.items()):
                    say(f"  {count:6d}  {reason}", quiet)
            rows.append(
                {
                    "file": str(path),
                    "dataset": result.dataset,
                    "list_date": result.list_date.isoformat(),
                    "already_imported": result.store.already_imported,
                    "new_statements": result.store.new_statements,
                    "listed": result.listed,
                    "delisted": result.delisted,
                    "run": result.run_id,
                }
            )
    if not quiet:
        emit(rows, fmt="table")


@app.command("list")
def list_cmd(
    schema: Annotated[
        str | None, typer.Option("--schema", help="FtM schema, e.g. Vessel, Person, LegalEntity.")
    ] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="e.g. un_sc, us_ofac_sdn.")] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Text in a name, id, IMO or MMSI.")
    ] = None,
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 200,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
) -> None:
    """List entities carried by the imported lists (on --as-of, default latest).

    Example: armswatch entities list --schema Vessel --query "CHON"
    """
    from armswatch.entities.lookup import list_entities
    from armswatch.entities.view import entity_row

    with open_workspace(workspace) as ws:
        found = list_entities(ws, schema=schema, dataset=dataset, query=query, as_of=_date(as_of, "--as-of"))
    if not schema:  # by default only the listed subjects, not sanctions, links or addresses
        found = [e for e in found if e.schema.is_a("Thing") and not e.schema.is_a("Address")]
    rows = [entity_row(e) for e in found[: limit or None]]
    emit(rows, fmt=fmt, output=output, columns=["id", "schema", "name", "countries", "imo", "mmsi"])


@app.command("show")
def show_cmd(
    entity_id: Annotated[
        str, typer.Argument(help="Entity id (unsc-6908001, ofac-17069) or a resolved entity's res-… id.")
    ],
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """What the lists said about one entity (on --as-of): status, properties and their provenance.

    A record an analyst resolved with others (armswatch entities resolve) is shown as the resolved
    entity: every listing, names in every script, the listing history and the judgements.

    Example: armswatch entities show unsc-6908001 --as-of 2024-03-12
    """
    from armswatch.entities.history import entity_at
    from armswatch.entities.lookup import designations_of
    from armswatch.entities.resolution import clusters
    from armswatch.entities.resolved import resolved_record
    from armswatch.entities.view import view_record

    with open_workspace(workspace) as ws:
        when = _date(as_of, "--as-of")
        found = clusters(ws)
        members = found.members(entity_id)
        views = [entity_at(ws, m, when) for m in members]
        sanctions = {m: [entity_at(ws, s, when) for s in designations_of(ws, m)] for m in members}
    if found.is_canonical(found.canonical(entity_id)):
        record = resolved_record(found.canonical(entity_id), views, sanctions, found)
        if fmt == "json":
            record["records"] = [view_record(v, sanctions[v.entity_id], statements=True) for v in views]
    else:
        record = view_record(views[0], sanctions[entity_id], statements=fmt == "json")
    show_record(record, fmt)


@app.command("history")
def history_cmd(
    dataset: Annotated[str | None, typer.Option("--dataset", help="Only this dataset.")] = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
) -> None:
    """Imported snapshots with the entities listed and delisted since the previous one.

    Example: armswatch entities history --dataset un_sc
    """
    from armswatch.entities.history import changes

    with open_workspace(workspace) as ws:
        rows = [
            {
                "dataset": c.dataset,
                "list_date": c.list_date.isoformat(),
                "previous": c.previous_date.isoformat() if c.previous_date else None,
                "listed": len(c.listed),
                "delisted": len(c.delisted),
                "listed_ids": list(c.listed[:20]),
                "delisted_ids": list(c.delisted[:20]),
                "snapshot": c.snapshot_id,
            }
            for c in changes(ws, dataset)
        ]
    emit(rows, fmt=fmt, output=output)


@app.command("vessels")
def vessels_cmd(
    imo: Annotated[str | None, typer.Option("--imo", help="IMO number.")] = None,
    mmsi: Annotated[str | None, typer.Option("--mmsi", help="MMSI.")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Listed vessels by IMO number or MMSI (the join used by AIS analyses).

    Example: armswatch entities vessels --imo 7937317
    """
    from armswatch.entities.lookup import find_vessels
    from armswatch.entities.view import entity_row

    with open_workspace(workspace) as ws:
        views = find_vessels(ws, imo=imo, mmsi=mmsi, as_of=_date(as_of, "--as-of"))
    rows = []
    for view in views:
        row = entity_row(view.entity) if view.entity is not None else {"id": view.entity_id}
        row["status"] = "; ".join(f"{x.dataset}: {x.status}" for x in view.listings)
        rows.append(row)
    emit(rows, fmt=fmt)


def _graph(ws: Any, as_of: date | None, entity_id: str) -> tuple[Any, str]:
    """The entity graph with resolved entities as one node, and ``entity_id``'s node in it."""
    from armswatch.entities.resolution import resolved_graph

    graph, found = resolved_graph(ws, as_of)
    return graph, found.canonical(entity_id)


@app.command("graph")
def graph_cmd(
    entity_id: Annotated[str, typer.Argument(help="Entity id at the centre.")],
    depth: Annotated[int, typer.Option("--depth", help="Hops from the entity.")] = 2,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="graph.json (node-link) or graph.graphml.")
    ] = Path("graph.json"),
    as_of: AsOfOpt = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write the entity's neighbourhood (ownership, directorship, family, vessel owner/operator, links).

    Example: armswatch entities graph ofac-17069 --depth 3 -o graph.graphml
    """
    from armswatch.entities.graph import neighbourhood, write_graph

    with open_workspace(workspace) as ws:
        graph, node = _graph(ws, _date(as_of, "--as-of"), entity_id)
        sub = neighbourhood(graph, node, depth)
    write_graph(sub, output)
    say(f"{output}: {sub.number_of_nodes()} nodes, {sub.number_of_edges()} edges", quiet)


@app.command("paths")
def paths_cmd(
    entity_id: Annotated[str, typer.Argument(help="Entity id to start from.")],
    max_depth: Annotated[int, typer.Option("--max-depth", help="Longest path, in hops.")] = 4,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
) -> None:
    """Shortest paths from an entity to designated (sanctioned) entities, with the designations.

    Example: armswatch entities paths ofac-15000 --max-depth 3
    """
    from armswatch.entities.graph import paths_to_designated
    from armswatch.entities.view import path_row

    with open_workspace(workspace) as ws:
        graph, node = _graph(ws, _date(as_of, "--as-of"), entity_id)
    rows = [path_row(graph, p) for p in paths_to_designated(graph, node, max_depth)]
    emit(rows, fmt=fmt, output=output)


@app.command("xref")
def xref_cmd(
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", help="Only these datasets (repeat; default: all).")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Lowest score proposed (default 0.71, held-out choice).")
    ] = 0.71,
    top: Annotated[int, typer.Option("--top", help="Best candidates kept per record (0: all).")] = 3,
    limit: Annotated[int, typer.Option("--limit", help="Name-index candidates scored per record.")] = 10,
    across_only: Annotated[
        bool, typer.Option("--across-only", help="Only pairs from different datasets.")
    ] = False,
    output: OutputOpt = "-",
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json or table.")] = "csv",
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Propose records of the imported lists that may be the same person, company or vessel.

    Names in any script (the screening matcher, both ways), passports, national ids, registration,
    IMO and MMSI numbers, birth dates, nationality, street addresses and cross-references in the
    remarks; each pair with its score and reasons. Pairs already judged are left out. Judge them with
    'armswatch entities resolve A B --same|--different'.

    Example: armswatch entities xref --dataset un_sc --dataset us_ofac_sdn -o candidates.csv
    """
    from armswatch.entities.candidates import workspace_xref
    from armswatch.entities.xref import CANDIDATE_COLUMNS

    if fmt not in ("csv", "json", "table"):
        raise InputError(f"--format must be csv, json or table (got {fmt!r})")
    with open_workspace(workspace) as ws, progress(quiet) as bar:
        task = bar.add_task("cross-referencing", total=None)
        cands = workspace_xref(
            ws,
            dataset,
            threshold=threshold,
            top=top,
            limit=limit,
            across_only=across_only,
            progress=lambda n: bar.advance(task, n),
            on_records=lambda n: bar.update(task, total=n),
        )
    emit([c.as_row() for c in cands], fmt=fmt, output=output, columns=list(CANDIDATE_COLUMNS))
    say(f"{len(cands)} candidate pair(s) scoring {threshold} or more", quiet)


@app.command("resolve")
def resolve_cmd(
    left: Annotated[str, typer.Argument(help="A record id (or a resolved entity's res-… id).")],
    right: Annotated[str, typer.Argument(help="The other record id.")],
    same: Annotated[bool, typer.Option("--same", help="The two are one real thing.")] = False,
    different: Annotated[bool, typer.Option("--different", help="The two are different things.")] = False,
    undo_: Annotated[
        bool, typer.Option("--undo", help="Withdraw the judgement on this pair (recorded, not deleted).")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="Why (kept with the judgement).")] = "",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Record an analyst's judgement on two records: the same thing, different things, or undo.

    Judgements are audited and sealed; --undo adds a record withdrawing the earlier one. Records
    judged the same become one resolved entity (id res-…) in show, graph, paths, screening, reports,
    the dossiers (listings, ownership chain) and the web workbench (search, entity pages).

    Example: armswatch entities resolve unsc-690741 ofac-9642 --same --note "UN KPe.001 = OFAC KOMID"
    """
    from armswatch.entities.resolution import clusters, resolve, undo

    if [same, different, undo_].count(True) != 1:
        raise InputError("give exactly one of --same, --different or --undo")
    with open_workspace(workspace, analyst) as ws:
        if undo_:
            done = undo(ws, left, right, note=note)
            say(f"withdrew {done.undoes} on {done.left_id} and {done.right_id} ({done.id})", quiet)
        else:
            done = resolve(ws, left, right, same=same, note=note)
            where = clusters(ws).canonical(done.left_id)
            joined = f"; resolved entity {where}" if same else ""
            say(f"{done.left_id} {done.judgement} {done.right_id} ({done.id}){joined}", quiet)


@app.command("judgements")
def judgements_cmd(
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
) -> None:
    """Every resolution judgement, withdrawn ones and undos included, with the resolved entity ids.

    ``active`` is false for a judgement an undo withdrew; ``entity`` is the resolved entity a
    judgement in force joined.

    Example: armswatch entities judgements -f csv -o judgements.csv
    """
    from armswatch.entities.cluster import Clusters
    from armswatch.entities.resolution import judgements

    with open_workspace(workspace) as ws:
        rows = judgements(ws)
    found = Clusters(rows)
    live = {j.id for j in found.active}
    emit(
        [
            {
                "id": j.id,
                "left_id": j.left_id,
                "right_id": j.right_id,
                "judgement": j.judgement,
                "undoes": j.undoes or "",
                "active": j.id in live or j.judgement == "undo",
                "entity": found.canonical(j.left_id) if j.id in live and j.judgement == "same" else "",
                "analyst": j.analyst,
                "at": j.created_at,
                "note": j.note,
            }
            for j in rows
        ],
        fmt=fmt,
        output=output,
    )


def _add_compare() -> None:
    """``armswatch entities compare`` (name-pair scoring) lives with screening in ``cli/screen.py``."""
    from armswatch.cli.screen import compare_command

    app.command("compare")(compare_command)


_add_compare()
