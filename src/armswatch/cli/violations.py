"""``armswatch violations``: which Security Council provisions the facts in a case may engage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import (
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    format_from_output,
    open_workspace,
    progress_for,
    say,
    show_record,
)

app = typer.Typer(
    help=(
        "Which UN Security Council provisions the facts in a case may engage, element by element.\n\n"
        "The mapper proposes; an analyst confirms or rejects each candidate with 'armswatch findings review'.\n\n"
        "Example: armswatch violations map && armswatch violations list"
    ),
    no_args_is_help=True,
)


@app.command("provisions")
def provisions_(fmt: FormatOpt = "table", output: OutputOpt = "-") -> None:
    """List the provisions the mapper knows, with paragraph (where a source confirms it) and sources.

    Example: armswatch violations provisions --format csv -o provisions.csv
    """
    from armswatch.violations.provision import provisions

    rows = [p.to_dict() for p in provisions().values()]
    columns = None if fmt != "table" else ["id", "citation", "topics", "summary"]
    emit(rows, fmt=fmt, output=output, columns=columns, title="provisions")


@app.command("map")
def map_(workspace: WorkspaceOpt = None, quiet: QuietOpt = False) -> None:
    """Read the case's latest findings against the provisions and record the candidates as a new run.

    Example: armswatch violations map
    """
    from armswatch.violations.mapper import map_violations

    with open_workspace(workspace) as ws, progress_for(quiet) as bar:
        summary = map_violations(ws, progress=bar)
    if summary["candidates"] == 0:
        say(
            f"{summary['facts read']} findings read; no rule applies to any of them. Rules read shuttles and dark "
            "port calls at DPRK ports, designated-vessel activity, encounters with DPRK vessels, munition items "
            "and rail movements: run 'armswatch ais events', 'armswatch ais screen' or add munition items first.",
            quiet,
        )
        return
    by = ", ".join(f"{k} {v}" for k, v in sorted(summary["by provision"].items()))
    say(f"{summary['candidates']} candidates from {summary['facts read']} findings ({by}).", quiet)


def _row(f: Any) -> dict[str, Any]:
    d = f.details
    return {
        "id": f.id,
        "rule": d.get("rule"),
        "provisions": [p.get("citation") for p in d.get("provisions") or []],
        "fact": d.get("fact_finding"),
        "met": (d.get("tally") or {}).get("met"),
        "unmet": (d.get("tally") or {}).get("unmet"),
        "unknown": (d.get("tally") or {}).get("unknown"),
        "confidence": f.confidence,
        "status": f.status,
        "title": f.title,
    }


@app.command("list")
def list_(
    status: Annotated[str | None, typer.Option(help="new, confirmed or rejected.")] = None,
    provision: Annotated[
        str | None, typer.Option(help="Only candidates citing this provision id, e.g. 2270-18.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """List the candidates of the latest mapping run.

    Example: armswatch violations list --provision 2270-18 --status new
    """
    from armswatch.violations.mapper import latest_candidates

    with open_workspace(workspace) as ws:
        found = latest_candidates(ws, status)
    rows = [_row(f) for f in found]
    if provision:
        rows = [
            r
            for r in rows
            if any(provision in str(p) for p in r["provisions"]) or provision in _ids(found, r)
        ]
    if not rows:
        say(
            "No candidates. Run 'armswatch violations map' after the analyses (or relax --status/--provision)."
        )
        return
    columns = (
        None if fmt != "table" else ["id", "provisions", "met", "unmet", "unknown", "confidence", "status"]
    )
    emit(rows, fmt=fmt, output=output, columns=columns, title="violation candidates")


def _ids(found: list[Any], row: dict[str, Any]) -> list[str]:
    for f in found:
        if f.id == row["id"]:
            return [str(p.get("id")) for p in f.details.get("provisions") or []]
    return []


@app.command("show")
def show(
    candidate_id: Annotated[str, typer.Argument(help="Candidate finding id (or unique prefix).")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show a candidate: each provision, and each element met, unmet or unknown with its evidence.

    Example: armswatch violations show fnd-3a9c
    """
    with open_workspace(workspace) as ws:
        f = ws.get_finding(candidate_id)
    d = f.details
    if fmt == "json":
        show_record({**_row(f), "details": d}, fmt)
        return
    show_record(_row(f))
    emit(
        [
            {"provision": p.get("citation"), "summary": p.get("summary"), "document": p.get("document")}
            for p in d.get("provisions") or []
        ],
        title="provisions",
    )
    emit(
        [{**e, "evidence": ", ".join(e.get("evidence") or [])} for e in d.get("elements") or []],
        columns=["needs", "status", "reason", "evidence"],
        title="elements",
    )


@app.command("annex")
def annex(
    output: Annotated[
        str, typer.Option("--output", "-o", help="annex.html, annex.csv or annex.json (or - for csv).")
    ],
    status: Annotated[
        str | None,
        typer.Option(help="Only candidates with this review status (e.g. confirmed for publication)."),
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="html, csv or json (default: extension).")
    ] = None,
) -> None:
    """Write the annex: fact, vessels, dates, places, items, provisions, elements and evidence per candidate.

    Example: armswatch violations annex --status confirmed -o annex.html
    """
    from armswatch.io.atomic import write_text_atomic
    from armswatch.violations.annex import annex_html, annex_rows
    from armswatch.violations.mapper import latest_candidates

    with open_workspace(workspace) as ws:
        found = latest_candidates(ws, status)
        names = {s.id: s.name for s in ws.list_sites()}
    rows = annex_rows(found, names)
    chosen = (fmt or Path(output).suffix.lstrip(".") or "csv").lower()
    if chosen == "html":
        if output == "-":
            typer.echo(annex_html(rows), nl=False)
        else:
            write_text_atomic(Path(output), annex_html(rows))
    else:
        from armswatch.violations.annex import COLUMNS

        chosen_fmt = format_from_output(output, chosen if chosen in ("csv", "json") else None, "csv")
        emit(rows, fmt=chosen_fmt, output=output, columns=COLUMNS)
    say(f"{len(rows)} annex rows written to {output}.")
