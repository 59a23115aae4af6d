"""``armswatch ais listen``: ingest a live AIS feed continuously in time-bounded batches.

``register(app)`` adds the command to the ``ais`` group (``armswatch.cli.ais``).
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer

from armswatch.cli.common import AnalystOpt, QuietOpt, WorkspaceOpt, open_workspace, say
from armswatch.errors import InputError


def listen(
    aisstream_url: Annotated[
        str | None,
        typer.Option(
            "--aisstream-url", help="aisstream.io websocket URL (wss://stream.aisstream.io/v0/stream)."
        ),
    ] = None,
    api_key_env: Annotated[
        str, typer.Option("--api-key-env", help="Environment variable holding the aisstream.io API key.")
    ] = "AISSTREAM_API_KEY",
    bbox: Annotated[
        list[str] | None,
        typer.Option("--bbox", help="aisstream area min_lon,min_lat,max_lon,max_lat (repeatable)."),
    ] = None,
    tcp: Annotated[
        str | None, typer.Option("--tcp", help="Read raw NMEA from a TCP server HOST:PORT (AIS-catcher -S).")
    ] = None,
    udp: Annotated[
        str | None, typer.Option("--udp", help="Receive raw NMEA datagrams on HOST:PORT (AIS-catcher -u).")
    ] = None,
    batch_seconds: Annotated[
        float, typer.Option("--batch-seconds", help="Cut a batch (one ais.ingest run) this often.")
    ] = 60.0,
    max_batch: Annotated[
        int, typer.Option("--max-batch", help="Cut a batch at this many messages.")
    ] = 100_000,
    duration: Annotated[
        str | None,
        typer.Option("--duration", help="Stop after this long (e.g. 90s, 10m, 2h); default: until stopped."),
    ] = None,
    max_backoff: Annotated[
        float, typer.Option("--max-backoff", help="Longest wait between reconnect attempts, seconds.")
    ] = 60.0,
    simulated: Annotated[
        bool, typer.Option("--simulated", help="Mark the batches as simulated data.")
    ] = False,
    out_format: Annotated[
        str, typer.Option("--output-format", help="Final summary: table or json.")
    ] = "table",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Ingest a live AIS feed (aisstream.io websocket, or raw NMEA over TCP or UDP) in batches.

    Every --batch-seconds (or --max-batch messages) the messages received are written whole to the
    workspace spool and ingested as one ais.ingest run (the batch file is its artifact), into the same
    Parquet tables as 'ais ingest'. Lost connections are retried with exponential backoff and jitter.
    Every message is journalled on disk as it arrives. Ctrl-C or SIGTERM stops after storing the
    last batch; what a killed session (even SIGKILL) had received is stored at the next start. NMEA
    lines without their own time get the receive time.

    Example: armswatch ais listen --tcp 127.0.0.1:5012 --batch-seconds 60

    Example: armswatch ais listen --aisstream-url wss://stream.aisstream.io/v0/stream --bbox 129,41,134,44
    """
    from armswatch.live.run import ListenOptions, run_listen

    chosen = [
        name for name, value in (("--aisstream-url", aisstream_url), ("--tcp", tcp), ("--udp", udp)) if value
    ]
    if len(chosen) != 1:
        raise InputError("give exactly one of --aisstream-url, --tcp or --udp")
    if out_format not in ("table", "json"):
        raise InputError(f"--output-format must be table or json (got {out_format!r})")
    api_key = ""
    if aisstream_url:
        api_key = os.environ.get(api_key_env, "")
        if not api_key:
            raise InputError(f"set the aisstream.io API key in the environment variable {api_key_env}")
        if not bbox:
            raise InputError("--aisstream-url needs at least one --bbox min_lon,min_lat,max_lon,max_lat")
    options = ListenOptions(
        aisstream_url=aisstream_url, api_key=api_key, boxes=tuple(bbox or ()), tcp=tcp, udp=udp,
        batch_seconds=batch_seconds, max_batch=max_batch, duration=duration, max_backoff=max_backoff,
        simulated=simulated,
    )  # fmt: skip
    with open_workspace(workspace, analyst) as ws:
        report = run_listen(ws, options, notify=None if quiet else (lambda m: say(m, False)))
    _print(report, out_format)


def _print(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for key, value in report.items():
        if key == "runs":
            value = len(value)
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
        typer.echo(f"{key:12} {text}")


def register(app: typer.Typer) -> None:
    app.command("listen")(listen)
