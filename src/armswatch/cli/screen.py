"""``armswatch screen`` and ``armswatch entities compare``: name matching from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armswatch.cli.common import QuietOpt, WorkspaceOpt, check_format, emit, open_workspace, say, track
from armswatch.errors import InputError

# Mirrors of armswatch.matching.score.DEFAULT_THRESHOLD and armswatch.matching.index.DEFAULT_LIMIT,
# kept here so that this module imports no matcher (followthemoney) until a command runs; a test
# checks they agree.
DEFAULT_THRESHOLD = 0.7
DEFAULT_LIMIT = 25

ThresholdOpt = Annotated[
    float,
    typer.Option("--threshold", help="Report candidates scoring at least this (0-1).", min=0.0, max=1.0),
]


TableFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="csv, json or table (default: from the -o extension; csv to stdout)."
    ),
]


def _format(output: str, fmt: str | None = None) -> str:
    """The output format: ``--format`` when given, else ``.json`` → json, anything else csv."""
    if fmt:
        return check_format(fmt, ("csv", "json", "table"))
    return "csv" if output == "-" or not output.lower().endswith(".json") else "json"


def screen_command(
    queries: Annotated[
        Path | None,
        typer.Argument(
            help="CSV with columns id, name, schema (+ birth_date, country, imo, mmsi, registration); "
            "or give --name instead."
        ),
    ] = None,
    names: Annotated[
        list[str] | None,
        typer.Option("--name", "-n", help="Screen this name (repeatable) instead of a query file."),
    ] = None,
    schema: Annotated[
        str,
        typer.Option(
            "--schema",
            help="With --name: Person, Company, Organization, LegalEntity (any), Vessel, PublicBody, "
            "Airplane or Vehicle.",
        ),
    ] = "LegalEntity",
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
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="With --list: reuse the parsed list and its index, cached by the files' sha256 in "
            "$XDG_CACHE_HOME/armswatch (or $ARMSWATCH_CACHE_DIR).",
        ),
    ] = True,
    fmt: TableFormatOpt = None,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Screen people, companies and vessels against sanctions lists (multilingual name matching).

    Without --list, screens against the lists imported into the workspace and records a run with one
    finding per match (titled by the name searched). With --list FILE, no workspace is needed; the
    parsed list is cached by the file's hash, so screening again against the same file starts at once.

    Example: armswatch screen customers.csv --list UN_consolidated.xml --list sdn.csv -o matches.csv

    Example: armswatch screen --name "Korea Mining Development Trading Corporation" --format table
    """
    from armswatch.entities.list_cache import cached_list_index
    from armswatch.entities.screen import (
        MATCH_COLUMNS,
        list_artifacts,
        queries_from_names,
        read_queries,
        record_matches,
        screen_subjects,
        workspace_subjects,
    )
    from armswatch.matching.index import CandidateIndex

    out_format = _format(output, fmt)
    if out_format == "table" and output != "-":
        raise InputError("--format table prints to the terminal; choose csv or json for a file")
    if (queries is None) == (not names):
        raise InputError("give a query CSV file or --name NAME (not both)")
    typed = b""
    if names:
        query_file, typed = queries_from_names(names, schema)
    else:
        assert queries is not None
        query_file = read_queries(queries, strict=strict)
    for reason, count in sorted(query_file.problems.items()):
        kept = reason.endswith("(ignored)")  # the row is screened without the unreadable value
        say(f"{'' if kept else 'skipped '}{count} query row(s): {reason}", quiet)
    ws = None
    if lists:
        if dataset:
            raise InputError("--dataset selects workspace lists; with --list, pass only the files to use")
        subjects, index, hit = cached_list_index(lists, use_cache=cache)
        if hit:
            say("list(s) read from the cache (same sha256 as before; --no-cache to re-read)", quiet)
    else:
        ws = open_workspace(workspace)
        subjects = workspace_subjects(ws, dataset)
        index = CandidateIndex(subjects)
    if not subjects:
        where = "the --list file(s)" if lists else "the workspace"
        raise InputError(
            f"no people, companies or vessels to screen against in {where} "
            "(import a list with 'armswatch entities import', or pass --list FILE)"
        )
    queries_bar = track(query_file.queries, "screening", total=len(query_file.queries), quiet=quiet)
    matches = screen_subjects(index, queries_bar, threshold, limit)
    say(f"{len(query_file.queries)} queries, {len(subjects)} entities, {len(matches)} matches", quiet)
    if not matches:
        say(f"no candidate scored {threshold} or more; try a lower --threshold (e.g. 0.6)", quiet)
    emit([m.as_row() for m in matches], fmt=out_format, output=output, columns=MATCH_COLUMNS)
    if ws is not None and record:
        params = {"queries": str(queries) if queries else "--name", "threshold": threshold,
                  "datasets": list(dataset or [])}  # fmt: skip
        # Provenance: the query file's bytes (typed names: the same as CSV) and the list editions screened.
        query_art = (
            ws.add_artifact(typed, name="screen-names.csv", media_type="text/csv")
            if queries is None
            else ws.add_artifact(queries, name=queries.name, media_type="text/csv")
        )
        inputs = [query_art.id, *list_artifacts(ws, dataset)]
        run_id = record_matches(ws, matches, params, inputs)
        say(f"recorded run {run_id}", quiet)


def compare_command(
    pairs: Annotated[Path, typer.Argument(help="CSV with columns schema, name1, name2.")],
    output: Annotated[str, typer.Option("--output", "-o", help="OUT.csv (or .json), - for stdout.")] = "-",
    threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad row.")] = False,
    fmt: TableFormatOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Score name pairs (evaluation): adds score, match and explanation columns.

    Example: armswatch entities compare pairs.csv -o scored.csv --threshold 0.7
    """
    from armswatch.entities.compare import compare_pairs_file

    out_format = _format(output, fmt)
    if out_format == "table" and output != "-":
        raise InputError("--format table prints to the terminal; choose csv or json for a file")
    result = compare_pairs_file(pairs, threshold, strict=strict)
    for reason, count in sorted(result.problems.items()):
        say(f"skipped {count} row(s): {reason}", quiet)
    emit(result.rows, fmt=out_format, output=output)


def register(app: typer.Typer) -> None:
    """Add ``armswatch screen`` to the root app (``entities compare`` is added by the entities group)."""
    app.command("screen")(screen_command)
