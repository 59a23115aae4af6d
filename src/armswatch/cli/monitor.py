"""``armswatch monitor``: standing queries evaluated on new data, with alerts by email or webhook."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    check_format,
    emit,
    open_workspace,
    say,
)
from armswatch.errors import InputError

app = typer.Typer(
    help=(
        "Standing monitors: a watched vessel goes dark, a designated vessel enters a watched port, an "
        "encounter near a watched site, a new imagery change, a new listing matching a case entity; alerts "
        "by finding, email or webhook.\n\nExample: armswatch monitor add dark --mmsi 445123000 --hours 12 "
        "--webhook http://127.0.0.1:9000/alerts"
    ),
    no_args_is_help=True,
)

KIND_HELP = "dark, port, encounter, imagery or listing"


def _read_vessels(path: Path) -> list[int]:
    """MMSIs from a file: one per line, or a CSV with an ``mmsi`` column."""
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines())) if "mmsi" in text.splitlines()[0].lower() else None
    values = [r.get("mmsi") or r.get("MMSI") or "" for r in rows] if rows is not None else text.split()
    out = []
    for n, v in enumerate(values, start=2 if rows is not None else 1):
        v = v.strip()
        if not (v.isascii() and v.isdigit()) or len(v) > 9:
            raise InputError(f"not an MMSI: {v!r}", path=str(path), record=n)
        out.append(int(v))
    return out


def _read_queries(path: Path) -> list[dict[str, str]]:
    """Case entities from a screening query CSV (checked like ``armswatch screen --strict``)."""
    from armswatch.entities.csvfile import csv_rows
    from armswatch.entities.screen import QUERY_COLUMNS, read_queries

    read_queries(path, strict=True)
    return [{k: str(v) for k, v in row.items() if v} for _, row in csv_rows(path, QUERY_COLUMNS)]


@app.command("add")
def add(
    kind: Annotated[str, typer.Argument(help=f"Monitor kind: {KIND_HELP}.")],
    mmsi: Annotated[
        list[int] | None, typer.Option("--mmsi", help="Watched vessel (dark; port: also alert for it).")
    ] = None,
    vessels: Annotated[
        Path | None, typer.Option("--vessels", help="File of watched MMSIs (one per line, or CSV with mmsi).")
    ] = None,
    hours: Annotated[
        float, typer.Option("--hours", help="dark: silence that raises an alert, hours.")
    ] = 12.0,
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="Watched site id (port, encounter; imagery: repeatable filter)."),
    ] = None,
    lat: Annotated[
        float | None, typer.Option("--lat", help="Watched point instead of a site (port, encounter).")
    ] = None,
    lon: Annotated[
        float | None, typer.Option("--lon", help="Watched point instead of a site (port, encounter).")
    ] = None,
    radius_km: Annotated[
        float | None, typer.Option("--radius-km", help="Radius (default: port 5, encounter 50).")
    ] = None,
    min_confidence: Annotated[
        str, typer.Option("--min-confidence", help="imagery: lowest confidence alerted.")
    ] = "likely",
    entity: Annotated[
        list[str] | None, typer.Option("--entity", help="listing: case entity name (repeatable).")
    ] = None,
    schema: Annotated[
        str, typer.Option("--schema", help="listing: FtM schema of --entity names.")
    ] = "LegalEntity",
    queries: Annotated[
        Path | None, typer.Option("--queries", help="listing: case entities CSV (id,name,schema,...).")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Match score for listed vessels / entities.")
    ] = 0.7,
    label: Annotated[str, typer.Option("--label", help="A name for the monitor.")] = "",
    email: Annotated[
        str | None, typer.Option("--email", help="Send alerts to this address (needs --smtp).")
    ] = None,
    smtp: Annotated[str | None, typer.Option("--smtp", help="SMTP server HOST:PORT.")] = None,
    smtp_from: Annotated[str, typer.Option("--smtp-from", help="Sender address.")] = "armswatch@localhost",
    starttls: Annotated[bool, typer.Option("--starttls", help="Use STARTTLS with the SMTP server.")] = False,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST alerts as JSON to this http(s) URL.")
    ] = None,
    max_per_hour: Annotated[
        int, typer.Option("--max-per-hour", help="Most notifications per hour (the rest wait).")
    ] = 20,
    backfill: Annotated[
        bool, typer.Option("--backfill", help="Also evaluate data recorded before the monitor.")
    ] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add a monitor. It evaluates data recorded after it was added (--backfill: all data).

    Example: armswatch monitor add dark --mmsi 445123000 --hours 12 --email desk@example.org --smtp 127.0.0.1:25

    Example: armswatch monitor add port --site rajin-port --radius-km 5 --webhook http://127.0.0.1:9000/alerts
    """
    from armswatch.monitors.model import Notify
    from armswatch.monitors.store import add_monitor

    params: dict[str, Any] = {"mmsi": [*(mmsi or []), *(_read_vessels(vessels) if vessels else [])], "hours": hours,
                              "min_confidence": min_confidence, "threshold": threshold, "site_list": site or []}  # fmt: skip
    if kind in ("port", "encounter"):
        if site and len(site) > 1:
            raise InputError(f"{kind}: give one --site")
        params.update(site=site[0] if site else None, lat=lat, lon=lon)
        if radius_km is not None:
            params["radius_km"] = radius_km
    if kind == "listing":
        rows = [{"id": f"case-{i + 1}", "name": n, "schema": schema} for i, n in enumerate(entity or [])]
        params["queries"] = rows + (_read_queries(queries) if queries else [])
    notify = Notify(email=email, smtp=smtp, sender=smtp_from, starttls=starttls, webhook=webhook)
    with open_workspace(workspace, analyst) as ws:
        mon = add_monitor(
            ws, kind, params, name=label, notify=notify, max_per_hour=max_per_hour, backfill=backfill
        )
    typer.echo(mon.id)
    say(f"monitor {mon.id} ({mon.kind}) added; alerts: {notify.channel or 'findings only'}", quiet)


def _row(m: Any) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "name": m.name, "params": m.params, "notify": m.notify.channel or "",
            "max_per_hour": m.max_per_hour, "watermark": m.watermark, "created": m.created_at,
            "removed": m.removed_at or ""}  # fmt: skip


@app.command("list")
def list_(
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    include_removed: Annotated[bool, typer.Option("--all", help="Also removed monitors.")] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """List monitors.

    Example: armswatch monitor list --format json
    """
    from armswatch.monitors.store import list_monitors

    with open_workspace(workspace, analyst) as ws:
        rows = [_row(m) for m in list_monitors(ws, include_removed=include_removed)]
    emit(rows, fmt=check_format(fmt, ("table", "json", "csv")), output=output, title="Monitors")


@app.command("remove")
def remove(
    monitor: Annotated[str, typer.Argument(help="Monitor id (or a unique prefix).")],
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """Stop a monitor (it and its alerts stay on record).

    Example: armswatch monitor remove mon-1a2b3c
    """
    from armswatch.monitors.store import remove_monitor

    with open_workspace(workspace, analyst) as ws:
        mon = remove_monitor(ws, monitor)
    typer.echo(f"removed {mon.id}")


@app.command("alerts")
def alerts_(
    monitor: Annotated[str | None, typer.Option("--monitor", help="Only this monitor's alerts.")] = None,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="pending, sent, failed or recorded.")
    ] = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
) -> None:
    """List alerts with their delivery state.

    Example: armswatch monitor alerts --status pending
    """
    from armswatch.monitors.store import alerts, get_monitor

    with open_workspace(workspace, analyst) as ws:
        mid = get_monitor(ws, monitor).id if monitor else None
        rows = alerts(ws, monitor_id=mid, status=status or ())
    cols = [
        "id",
        "monitor_id",
        "status",
        "attempts",
        "title",
        "finding_id",
        "created_at",
        "sent_at",
        "last_error",
    ]
    emit(rows, fmt=check_format(fmt, ("table", "json", "csv")), output=output, columns=cols, title="Alerts")


@app.command("run")
def run(
    every: Annotated[
        str | None, typer.Option("--every", help="Run again every this long (e.g. 10m) until stopped.")
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="With --every: stop after this long.")
    ] = None,
    monitor: Annotated[list[str] | None, typer.Option("--monitor", help="Only these monitors.")] = None,
    out_format: Annotated[str, typer.Option("--output-format", help="table or json.")] = "table",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Evaluate the monitors on data recorded since their last run and send their alerts.

    Once, or with --every as a service (Ctrl-C / SIGTERM stop it between runs). A monitor or a
    delivery that fails is reported; the others go on and the alert is retried at the next run.

    Example: armswatch monitor run --every 10m
    """
    from armswatch.live.duration import parse_duration
    from armswatch.monitors.service import run_service

    if out_format not in ("table", "json"):
        raise InputError(f"--output-format must be table or json (got {out_format!r})")
    period = parse_duration(every, "--every") if every else None
    limit = parse_duration(duration, "--duration") if duration else None
    if limit and not period:
        raise InputError("--duration needs --every")

    def show(rows: list[dict[str, Any]]) -> None:
        if out_format == "json":
            typer.echo(json.dumps(rows, ensure_ascii=False))
        else:
            emit(rows, fmt="table", title="Monitor run") if rows else say("no active monitors", quiet)

    with open_workspace(workspace, analyst) as ws:
        run_service(ws, period=period, duration=limit, only=monitor or (), on_result=show)
