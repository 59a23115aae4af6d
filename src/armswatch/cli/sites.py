"""``armswatch sites``: the watchlist of plants, ports, rail crossings and depots."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from armswatch.cli.common import (
    AnalystOpt,
    FormatOpt,
    GeoFormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    geo_file_format,
    open_workspace,
    progress_for,
    say,
    show_record,
)
from armswatch.errors import InputError, MissingFileError
from armswatch.io.atomic import write_text_atomic

if TYPE_CHECKING:
    from armswatch.sites.model import Site

app = typer.Typer(
    help="The site watchlist: plants, ports, rail crossings, depots.\n\nExample: armswatch sites list --kind port",
    no_args_is_help=True,
)


def site_row(s: Site) -> dict[str, Any]:
    from shapely.geometry import mapping

    lon, lat = s.geometry.representative_point().coords[0]
    return {
        "id": s.id,
        "name": s.name,
        "kind": s.kind,
        "country": s.country,
        "precision": s.precision,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "geometry_type": s.geometry.geom_type,
        "aliases": list(s.aliases),
        "sources": list(s.sources),
        "notes": s.notes,
        "geometry": mapping(s.geometry),
    }


def read_sites(path: Path, fmt: str | None = None, skipped: Counter[str] | None = None) -> list[Site]:
    from armswatch.sites.format_csv import sites_from_csv
    from armswatch.sites.format_geojson import sites_from_geojson
    from armswatch.sites.format_kml import sites_from_kml

    chosen = geo_file_format(str(path), fmt)
    limit = 64 * 1024 * 1024  # every site reader refuses more; reading stops there
    if str(path) == "-":
        data = sys.stdin.buffer.read(limit + 1)
    elif not path.is_file():
        raise MissingFileError(f"no such file: {path}")
    else:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError("file larger than 64 MiB; not a watchlist", path=str(path))
    if chosen == "geojson":
        return sites_from_geojson(data, path=str(path), skipped=skipped)
    if chosen == "csv":
        return sites_from_csv(data, path=str(path), skipped=skipped)
    return sites_from_kml(data, path=str(path), skipped=skipped)


def write_sites(sites: list[Site], output: str, fmt: str | None = None) -> None:
    from armswatch.sites.format_csv import sites_to_csv
    from armswatch.sites.format_geojson import sites_to_geojson
    from armswatch.sites.format_kml import sites_to_kml

    chosen = geo_file_format(output, fmt, writing=True)
    text = {"geojson": sites_to_geojson, "csv": sites_to_csv, "kml": sites_to_kml}[chosen](sites)
    if output == "-":
        sys.stdout.write(text)
    else:
        write_text_atomic(Path(output), text)


def _geometry(lat: float | None, lon: float | None, wkt: str | None) -> Any:
    if wkt:
        from armswatch.sites.geometry import geometry_from_wkt

        try:
            return geometry_from_wkt(wkt)
        except InputError as exc:
            raise InputError(f"--wkt: {exc.message}") from exc
    if lat is None or lon is None:
        raise InputError("give --lat and --lon, or --wkt")
    from shapely.geometry import Point

    return Point(lon, lat)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Site name.")],
    kind: Annotated[str, typer.Option(help="production, port, rail, depot, test-site or other.")],
    country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 code, e.g. KP or RU.")],
    precision: Annotated[
        str, typer.Option(help="What the location marks: facility, approximate, settlement or city.")
    ],
    lat: Annotated[float | None, typer.Option(help="Latitude (WGS84).")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude (WGS84).")] = None,
    wkt: Annotated[
        str | None, typer.Option(help="Geometry as WKT (Point or Polygon, lon lat order).")
    ] = None,
    site_id: Annotated[str | None, typer.Option("--id", help="Slug id (default: from the name).")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Another name (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Source URL or citation (repeatable).")] = None,
    notes: Annotated[str, typer.Option(help="Free notes.")] = "",
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add one site to the watchlist.

    Example: armswatch sites add "Tumangang station" --kind rail --country KP --precision settlement --lat 42.4217 --lon 130.6026 --source https://en.wikipedia.org/wiki/Tumangang
    """
    from armswatch.sites.model import Site, slugify

    site = Site(
        id=site_id or slugify(name),
        name=name,
        kind=cast(Any, kind),
        country=country,
        precision=cast(Any, precision),
        geometry=_geometry(lat, lon, wkt),
        aliases=tuple(alias or ()),
        sources=tuple(source or ()),
        notes=notes,
    )
    with open_workspace(workspace, analyst) as ws:
        ws.save_sites([site], replace=False)
    typer.echo(site.id)


@app.command("list")
def list_(
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """List sites.

    Example: armswatch sites list --format geojson -o sites.geojson
    """
    with open_workspace(workspace) as ws:
        rows = [site_row(s) for s in ws.list_sites(kind)]
    columns = ["id", "name", "kind", "country", "precision", "lat", "lon"] if fmt == "table" else None
    emit(rows, fmt=fmt, output=output, columns=columns, title="sites")


@app.command("show")
def show(
    site_id: Annotated[str, typer.Argument(help="Site id.")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show one site with its sources, precision and notes.

    Example: armswatch sites show rajin-port
    """
    with open_workspace(workspace) as ws:
        row = site_row(ws.get_site(site_id))
    show_record(row, fmt)


@app.command("edit")
def edit(
    site_id: Annotated[str, typer.Argument(help="Site id.")],
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    kind: Annotated[str | None, typer.Option(help="New kind.")] = None,
    country: Annotated[str | None, typer.Option(help="New country code.")] = None,
    precision: Annotated[str | None, typer.Option(help="New precision.")] = None,
    lat: Annotated[float | None, typer.Option(help="New latitude (with --lon).")] = None,
    lon: Annotated[float | None, typer.Option(help="New longitude (with --lat).")] = None,
    wkt: Annotated[str | None, typer.Option(help="New geometry as WKT.")] = None,
    add_alias: Annotated[
        list[str] | None, typer.Option("--add-alias", help="Add an alias (repeatable).")
    ] = None,
    add_source: Annotated[
        list[str] | None, typer.Option("--add-source", help="Add a source (repeatable).")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Replace the notes.")] = None,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Change a site; the previous version is kept in the audit log.

    Example: armswatch sites edit rajin-port --precision facility --wkt "POLYGON((130.38 42.33, 130.40 42.33, 130.40 42.35, 130.38 42.33))"
    """
    with open_workspace(workspace, analyst) as ws:
        old = ws.get_site(site_id)
        changes: dict[str, Any] = {
            k: v
            for k, v in {
                "name": name,
                "kind": kind,
                "country": country,
                "precision": precision,
                "notes": notes,
            }.items()
            if v is not None
        }
        if wkt or lat is not None or lon is not None:
            changes["geometry"] = _geometry(lat, lon, wkt)
        if add_alias:
            changes["aliases"] = tuple(dict.fromkeys((*old.aliases, *add_alias)))
        if add_source:
            changes["sources"] = tuple(dict.fromkeys((*old.sources, *add_source)))
        if not changes:
            raise InputError("nothing to change: give at least one option (see --help)")
        counts = ws.save_sites([dataclasses.replace(old, **changes)])
    say(f"{site_id}: {'updated' if counts['updated'] else 'unchanged'}", quiet)


@app.command("remove")
def remove(
    site_id: Annotated[str, typer.Argument(help="Site id.")],
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Remove a site from the watchlist (its record stays in the audit log).

    Example: armswatch sites remove old-depot
    """
    with open_workspace(workspace, analyst) as ws:
        ws.remove_site(site_id)
    say(f"removed {site_id}", quiet)


@app.command("import")
def import_(
    file: Annotated[
        Path | None, typer.Argument(help="GeoJSON, CSV or KML file (- for standard input).")
    ] = None,
    starter: Annotated[
        str | None, typer.Option(help="Import a bundled starter watchlist instead, e.g. dprk-russia.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="geojson, csv or kml (default: from the extension).")
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Skip bad records and report them counted by reason (default: the first bad record stops the import).",
        ),
    ] = False,
    workspace: WorkspaceOpt = None,
    analyst: AnalystOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Import sites in one transaction; importing the same file again changes nothing.

    By default the first bad record stops the import with one line naming the file and record, and
    nothing is written; with --skip-invalid bad records are skipped and counted by reason.

    Example: armswatch sites import watchlist.kml --skip-invalid
    """
    if (file is None) == (starter is None):
        raise InputError("give a FILE or --starter NAME (one of them)")
    skipped: Counter[str] | None = Counter() if skip_invalid else None
    if starter is not None:
        from armswatch.sites.starter import load_starter

        sites = load_starter(starter)
    else:
        assert file is not None
        sites = read_sites(file, fmt, skipped)
    with open_workspace(workspace, analyst) as ws, progress_for(quiet) as bar:
        counts = ws.save_sites(sites, progress=bar)
    say(
        f"sites: {counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged", quiet
    )
    if skipped:
        reasons = ", ".join(f"{n} {reason}" for reason, n in skipped.most_common())
        say(f"skipped {sum(skipped.values())} invalid record(s): {reasons}", quiet)


@app.command("export")
def export(
    output: OutputOpt = "-",
    fmt: GeoFormatOpt = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export the watchlist as GeoJSON, CSV or KML (opens in QGIS and Google Earth).

    Example: armswatch sites export -o watchlist.kml
    """
    with open_workspace(workspace) as ws:
        sites = ws.list_sites(kind)
    write_sites(sites, output, fmt)
