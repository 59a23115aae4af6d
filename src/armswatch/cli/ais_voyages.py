"""``armswatch ais voyages`` (dark-voyage reconstruction), ``ais sighting`` and ``ais records``
(the evidence that corroborates a voyage)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from armswatch.errors import InputError, MissingFileError


def voyages(
    mmsi: Annotated[
        list[int] | None, typer.Option("--mmsi", help="Only these vessels (repeat the option).")
    ] = None,
    vmax_kn: Annotated[
        float, typer.Option("--vmax-kn", help="Fastest plausible speed while dark, knots.", min=0.1, max=60)
    ] = 14.0,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Start: YYYY-MM-DD or ISO time, UTC.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="End: YYYY-MM-DD (inclusive) or ISO time, UTC.")
    ] = None,
    leg_h: Annotated[
        float,
        typer.Option("--leg-h", help="Hours of observed track kept before and after each silence.", min=0),
    ] = 24.0,
    ports: Annotated[
        Path | None,
        typer.Option(help="CSV name,lat,lon[,country,locode,radius_m] of extra watched ports."),
    ] = None,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Reconstruct dark voyages: for each AIS gap, the legs seen before and after, the
    time-geography ellipse of where the vessel could have been, the watched ports it could have
    reached (minimum speed, longest stay) and what in the case corroborates a call (sightings,
    port-state / trade / rail records, imagery counts of ship-size objects at the port).

    Each silence from which a watched port was within reach becomes an ais.voyage.dark finding whose
    confidence follows from its corroboration (docs/voyages.md).

    Example: armswatch ais voyages --mmsi 273123456 --vmax-kn 14
    """
    from datetime import UTC, date, datetime, timedelta

    from armswatch.maritime.voyage.reconstruct import VoyageParams
    from armswatch.maritime.voyage.run import analyse_voyages

    def when(text: str | None, end: bool) -> datetime | None:
        if text is None:
            return None
        try:
            if len(text) == 10:
                d = date.fromisoformat(text)
                return datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(days=1 if end else 0)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InputError(f"not a date or ISO datetime: {text!r}") from exc
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    extra = None
    if ports is not None:
        from armswatch.maritime.port import read_ports_file

        extra = read_ports_file(ports)
    with open_workspace(workspace, analyst) as ws:
        summary = analyse_voyages(
            ws,
            mmsis=mmsi or None,
            start=when(date_from, False),
            end=when(date_to, True),
            params=VoyageParams(vmax_kn=vmax_kn, leg_h=leg_h),
            extra_ports=extra,
        )
    conf = ", ".join(
        f"{k.removeprefix('confidence.')} {v}" for k, v in summary.items() if k.startswith("confidence.")
    )
    say(
        f"{summary['gaps']} gap events, {summary['silences']} silences, {summary['with reachable port']} with a "
        f"watched port in reach (mean {summary['mean reachable ports']:.2f} ports per silence); "
        f"{summary['findings']} findings{f' ({conf})' if conf else ''}; run {summary['run']}",
        quiet,
    )


sighting_app = typer.Typer(
    help="Sightings of vessels at sites (an analyst's record from an image), which corroborate dark voyages.\n\n"
    "Example: armswatch ais sighting add --vessel 9123456 --site rajin-port --time 2024-02-03T04:20Z",
    no_args_is_help=True,
)
records_app = typer.Typer(
    help="Port-state, trade and rail records naming a vessel at a port, which corroborate dark voyages.\n\n"
    "Example: armswatch ais records import port_state.csv",
    no_args_is_help=True,
)

SIGHTING_COLUMNS = ["id", "vessel", "site_id", "at", "image", "note", "analyst"]
RECORD_COLUMNS = ["id", "kind", "vessel", "site_id", "at", "source", "note"]


@sighting_app.command("add")
def sighting_add(
    vessel: Annotated[str, typer.Option(help="IMO number (7 digits) or MMSI (9 digits).")],
    site: Annotated[str, typer.Option(help="Site id where the vessel was seen (a pier, a port).")],
    time: Annotated[str, typer.Option("--time", help="When (image acquisition time), ISO 8601 UTC.")],
    image: Annotated[str | None, typer.Option(help="Artifact id (or 8+ hex prefix) of the image.")] = None,
    note: Annotated[str, typer.Option(help="What was seen, by what feature it was identified.")] = "",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Record that a vessel was seen at a site at a time (stored, audited and sealed).

    Example: armswatch ais sighting add --vessel 9123456 --site rajin-port --time 2024-02-03T04:20Z --image 3fa2c1d0
    """
    from armswatch.maritime.voyage.record import add_sighting

    with open_workspace(workspace, analyst) as ws:
        s, new = add_sighting(ws, vessel, site, time, image, note)
    say(
        f"{'added' if new else 'already recorded'}: sighting {s.id} ({s.vessel} at {s.site_id}, {s.at:%Y-%m-%d %H:%M} UTC)",
        quiet,
    )


@sighting_app.command("list")
def sighting_list(
    vessel: Annotated[str | None, typer.Option(help="Only this vessel (IMO or MMSI).")] = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
) -> None:
    """List recorded sightings, oldest first.

    Example: armswatch ais sighting list --vessel 9123456 --format csv
    """
    from dataclasses import asdict

    from armswatch.maritime.voyage.record import list_sightings

    check_format(fmt, ("table", "json", "csv"))
    with open_workspace(workspace) as ws:
        rows = [asdict(s) | {"at": s.at.isoformat()} for s in list_sightings(ws, vessel)]
    emit(rows, fmt=fmt, output=output, columns=SIGHTING_COLUMNS, title="Vessel sightings")


@records_app.command("import")
def records_import(
    path: Annotated[Path, typer.Argument(help="CSV: vessel,port,time,source[,kind,note]; port = a site id.")],
    strict: Annotated[bool, typer.Option(help="Stop at the first bad row; import nothing.")] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import port-state, trade or rail records (kind port_state | trade | rail; default port_state).

    Bad rows are counted by reason and skipped unless --strict. Every port must be a site of the
    workspace (else nothing is imported).

    Example: armswatch ais records import port_state.csv
    """
    from armswatch.maritime.voyage.record import MAX_BYTES, add_records, read_records_csv

    if not path.is_file():
        raise MissingFileError("records file not found", path=str(path))
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    read = read_records_csv(data, str(path), strict=strict)
    for reason, count in read.bad.items():
        say(f"{path}: {count} bad rows ({reason}; first at line {read.first_bad[reason]})", quiet)
    with open_workspace(workspace, analyst) as ws:
        counts = add_records(ws, read.records, str(path))
    say(
        f"{counts['added']} added, {counts['unchanged']} already stored ({sum(read.bad.values())} bad rows)",
        quiet,
    )


@records_app.command("list")
def records_list(
    vessel: Annotated[str | None, typer.Option(help="Only this vessel (IMO or MMSI).")] = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    workspace: WorkspaceOpt = None,
) -> None:
    """List imported port-state, trade and rail records, oldest first.

    Example: armswatch ais records list --format csv -o records.csv
    """
    from dataclasses import asdict

    from armswatch.maritime.voyage.record import list_records

    check_format(fmt, ("table", "json", "csv"))
    with open_workspace(workspace) as ws:
        rows = [asdict(r) | {"at": r.at.isoformat()} for r in list_records(ws, vessel)]
    emit(rows, fmt=fmt, output=output, columns=RECORD_COLUMNS, title="Vessel records")


def register(ais_app: typer.Typer) -> None:
    """Add ``voyages``, ``sighting`` and ``records`` to the ``ais`` command group."""
    ais_app.command("voyages")(voyages)
    ais_app.add_typer(sighting_app, name="sighting")
    ais_app.add_typer(records_app, name="records")
