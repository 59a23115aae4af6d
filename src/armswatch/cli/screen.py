"""``armswatch screen`` and ``armswatch entities compare``: name matching from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import QuietOpt, WorkspaceOpt, emit, open_workspace, say
from armswatch.entities.compare import compare_pairs_file
from armswatch.entities.screen import (
    MATCH_COLUMNS,
    list_artifacts,
    load_list_subjects,
    read_queries,
    record_matches,
    screen_subjects,
    workspace_subjects,
)
from armswatch.errors import InputError
from armswatch.matching.index import DEFAULT_LIMIT, CandidateIndex
from armswatch.matching.score import DEFAULT_THRESHOLD

ThresholdOpt = Annotated[
    float,
    typer.Option("--threshold", help="Report candidates scoring at least this (0-1).", min=0.0, max=1.0),
]


def _format(output: str) -> str:
    return "csv" if output == "-" or not output.lower().endswith(".json") else "json"


def screen_command(
    queries: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns id, name, schema (+ birth_date, country, imo, mmsi, registration)."
        ),
    ],
    output: Annotated[
        str, typer.Option("--output", "-o", help="matches.csv (or .json), - for stdout.")
    ] = "-",
    threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    lists: Annotated[
        list[Path] | None,
        typer.Option("--list", help="Screen against these list files, without a workspace."),
    ] = None,
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", help="Only these workspace datasets.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Candidates scored per query.", min=1)
    ] = DEFAULT_LIMIT,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="Record a run with findings (workspace only).")
    ] = True,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad query row.")] = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Screen people, companies and vessels against sanctions lists (multilingual name matching).

    Example: armswatch screen customers.csv --list UN_consolidated.xml --list sdn.csv -o matches.csv
    """
    query_file = read_queries(queries, strict=strict)
    for reason, count in sorted(query_file.problems.items()):
        kept = reason.endswith("(ignored)")  # the row is screened without the unreadable value
        say(f"{'' if kept else 'skipped '}{count} query row(s): {reason}", quiet)
    ws = None
    if lists:
        if dataset:
            raise InputError("--dataset selects workspace lists; with --list, pass only the files to use")
        subjects = load_list_subjects(lists)
    else:
        ws = open_workspace(workspace)
        subjects = workspace_subjects(ws, dataset)
    if not subjects:
        raise InputError("no entities to screen against (import a list or pass --list FILE)")
    index = CandidateIndex(subjects)
    matches = screen_subjects(index, query_file.queries, threshold, limit)
    say(f"{len(query_file.queries)} queries, {len(subjects)} entities, {len(matches)} matches", quiet)
    emit([m.as_row() for m in matches], fmt=_format(output), output=output, columns=MATCH_COLUMNS)
    if ws is not None and record:
        params = {"queries": str(queries), "threshold": threshold, "datasets": list(dataset or [])}
        # Provenance: the query file's bytes and the list editions screened against.
        query_art = ws.add_artifact(queries, name=queries.name, media_type="text/csv")
        inputs = [query_art.id, *list_artifacts(ws, dataset)]
        run_id = record_matches(ws, matches, params, inputs)
        say(f"recorded run {run_id}", quiet)


def compare_command(
    pairs: Annotated[Path, typer.Argument(help="CSV with columns schema, name1, name2.")],
    output: Annotated[str, typer.Option("--output", "-o", help="OUT.csv (or .json), - for stdout.")] = "-",
    threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad row.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Score name pairs (evaluation): adds score, match and explanation columns.

    Example: armswatch entities compare pairs.csv -o scored.csv --threshold 0.7
    """
    result = compare_pairs_file(pairs, threshold, strict=strict)
    for reason, count in sorted(result.problems.items()):
        say(f"skipped {count} row(s): {reason}", quiet)
    emit(result.rows, fmt=_format(output), output=output)


def register(app: typer.Typer) -> None:
    """Add ``armswatch screen`` to the root app (``entities compare`` is added by the entities group)."""
    app.command("screen")(screen_command)
