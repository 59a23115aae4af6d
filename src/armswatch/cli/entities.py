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

    Example: armswatch entities import sdn.csv --list-date 2021-07-01
    """
    from armswatch.entities.importer import FORMATS, detect_format, ofac_parts
    from armswatch.entities.ingest import import_list

    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}")
    when = _date(list_date, "--list-date")
    seen: set[Path] = set()
    rows: list[dict[str, Any]] = []
    with open_workspace(workspace, analyst) as ws:
        for path in files:
            if path.is_file() and (
                fmt == "ofac-csv" or (fmt == "auto" and detect_format(path) == "ofac-csv")
            ):
                primary = ofac_parts(path)[1]["primary"].resolve()
                if primary in seen:
                    continue  # another file of an OFAC set already imported in this call
                seen.add(primary)
            result = import_list(
                ws, path, format=fmt, list_date=when, dataset=dataset, mapping=mapping, strict=strict
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
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. unsc-6908001 or ofac-17069.")],
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """What the lists said about one entity (on --as-of): status, properties and their provenance.

    Example: armswatch entities show unsc-6908001 --as-of 2024-03-12
    """
    from armswatch.entities.history import entity_at
    from armswatch.entities.lookup import designations_of
    from armswatch.entities.view import view_record

    with open_workspace(workspace) as ws:
        when = _date(as_of, "--as-of")
        view = entity_at(ws, entity_id, when)
        sanctions = [entity_at(ws, s, when) for s in designations_of(ws, entity_id)]
    record = view_record(view, sanctions, statements=fmt == "json")
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


def _graph(ws: Any, as_of: date | None) -> Any:
    from armswatch.entities.graph import build_graph
    from armswatch.entities.history import entities_at

    return build_graph(entities_at(ws, as_of))


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
        sub = neighbourhood(_graph(ws, _date(as_of, "--as-of")), entity_id, depth)
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
        graph = _graph(ws, _date(as_of, "--as-of"))
    rows = [path_row(graph, p) for p in paths_to_designated(graph, entity_id, max_depth)]
    emit(rows, fmt=fmt, output=output)


def _add_compare() -> None:
    """``armswatch entities compare`` (name-pair scoring) lives with screening in ``cli/screen.py``."""
    from armswatch.cli.screen import compare_command

    app.command("compare")(compare_command)


_add_compare()
