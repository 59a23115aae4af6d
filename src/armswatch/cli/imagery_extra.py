"""``armswatch imagery measure|count|counts|providers|order``: measuring, counting and imagery providers.

Registered onto the ``imagery`` group by :func:`register` (called at the bottom of ``cli/imagery.py``).
Heavy libraries are imported inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import FormatOpt, OutputOpt, QuietOpt, WorkspaceOpt, emit, open_workspace, say

CoordsOpt = Annotated[
    str,
    typer.Option(
        "--coords",
        help="Polygon coordinates: auto (WGS84 for georeferenced images, else pixel), wgs84 or pixel.",
    ),
]
PixelSizeOpt = Annotated[
    float | None,
    typer.Option(
        "--pixel-size", help="Ground pixel size in m for images without georeferencing (default 0.5)."
    ),
]
SiteOpt = Annotated[str | None, typer.Option("--site", help="Site id the finding is about.")]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Acquisition date (YYYY-MM-DD) when the image has none.")
]
SimulatedOpt = Annotated[bool, typer.Option("--simulated", help="Mark the image and finding as simulated.")]


def _coords(value: str) -> Any:
    from armswatch.errors import InputError

    if value not in ("auto", "wgs84", "pixel"):
        raise InputError(f"--coords must be auto, wgs84 or pixel (got {value!r})")
    return value


def _when(text: str | None) -> Any:
    if text is None:
        return None
    from datetime import UTC, date, datetime

    from armswatch.errors import InputError

    try:
        d = date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"--date must be a date like 2024-03-02 (got {text!r})") from exc
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def measure_cmd(
    image: Annotated[Path, typer.Argument(help="Image (GeoTIFF/COG, PNG…) the outlines were drawn on.")],
    polygons: Annotated[Path, typer.Option("--polygons", "-p", help="GeoJSON polygons to measure.")],
    coords: CoordsOpt = "auto",
    pixel_size: PixelSizeOpt = None,
    finding: Annotated[
        bool, typer.Option("--finding", help="Record each measurement as a finding in the workspace.")
    ] = False,
    site: SiteOpt = None,
    when: DateOpt = None,
    simulated: SimulatedOpt = False,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """Area of each outline in m², ± perimeter × pixel size / 2 (edges placed to half a pixel).

    Areas are geodesic on WGS84 for georeferenced images (any CRS), else pixels × pixel size².

    Example: armswatch imagery measure scene.tif --polygons halls.geojson --format csv -o halls.csv
    """
    from armswatch.imagery import raster
    from armswatch.imagery.measure import measure_outlines
    from armswatch.imagery.outline import ground_pixel_size, read_outlines

    info = raster.image_info(image)
    px = raster.pixel_size(info, pixel_size if pixel_size is not None else ground_pixel_size(info))
    results = measure_outlines(read_outlines(polygons), info, px, _coords(coords))
    rows = [m.row() for m in results]
    if finding:
        from armswatch.imagery.record import record_measurements

        ws = open_workspace(workspace)
        with ws:
            ids = record_measurements(
                ws, image, results, site=site, captured_at=_when(when), simulated=simulated
            )
        for row, fid in zip(rows, ids, strict=True):
            row["finding"] = fid
    cols = [
        "id",
        "name",
        "area_m2",
        "uncertainty_m2",
        "relative",
        "perimeter_m",
        "pixel_size_m",
        "inside_image",
    ]
    emit(rows, fmt=fmt, output=output, columns=cols + (["finding"] if finding else []))


def count_cmd(
    image: Annotated[Path, typer.Argument(help="Image to count in (GeoTIFF/COG, PNG…).")],
    obj: Annotated[
        str,
        typer.Option(
            "--object", help="container (40 ft), container20, railcar, vehicle, truck, or LxW in m."
        ),
    ],
    area: Annotated[
        Path | None,
        typer.Option("--area", "-a", help="GeoJSON polygon(s) to search in (default: whole image)."),
    ] = None,
    add: Annotated[
        list[str] | None,
        typer.Option("--add", help="Add a missed object at x,y (lon,lat or pixel column,row); repeatable."),
    ] = None,
    remove: Annotated[
        list[int] | None, typer.Option("--remove", help="Remove detection ID (a false one); repeatable.")
    ] = None,
    corrections: Annotated[
        Path | None, typer.Option("--corrections", help="CSV of corrections: action,id,x,y (add/remove).")
    ] = None,
    positions: Annotated[
        str | None, typer.Option("--positions", help="Write positions to .geojson or .csv.")
    ] = None,
    chip: Annotated[str | None, typer.Option("--chip", help="Write the evidence chip PNG here.")] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="A counting model from 'imagery count-train' (same object size)."),
    ] = None,
    coords: CoordsOpt = "auto",
    pixel_size: PixelSizeOpt = None,
    finding: Annotated[
        bool, typer.Option("--finding", help="Record the count as an imagery.count finding.")
    ] = False,
    checked: Annotated[
        bool,
        typer.Option(
            "--checked",
            help="You looked at every box on the chip and the count (with any --remove/--add) is right: "
            "the finding is 'very likely'. Without corrections or --checked it is 'roughly even chance'.",
        ),
    ] = False,
    site: SiteOpt = None,
    when: DateOpt = None,
    simulated: SimulatedOpt = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Count objects of a given ground size (training-free detector of bright/dark rectangles).

    Detections are numbered best first; check them on the chip, then re-run with --remove ID and
    --add x,y (or --corrections FILE). With --finding the count becomes a finding at --site, with the
    chip as evidence: 'very likely' once corrected or confirmed with --checked, else 'roughly even
    chance' (the counter misses objects and boxes kerbs on real imagery). With --model a model trained
    on your own corrected counts ('imagery count-train') decides which candidate boxes are objects.

    Example: armswatch imagery count rajin.tif --area quay.geojson --object container --chip quay.png --positions quay.geojson
    """
    from armswatch.errors import InputError
    from armswatch.imagery.count import Corrections, parse_point, read_corrections
    from armswatch.imagery.count_chip import chip_png
    from armswatch.imagery.count_run import count_image, positions_geojson
    from armswatch.io.atomic import write_text_atomic

    count_model = None
    if model is not None:
        from armswatch.imagery.count_model import load as load_count_model

        count_model = load_count_model(model)
    corr = Corrections(tuple(remove or ()), tuple(parse_point(p) for p in add or ()))
    if corrections is not None:
        corr = corr.merge(read_corrections(corrections))
    if positions is not None and Path(positions).suffix.lower() not in (".geojson", ".json", ".csv"):
        raise InputError("--positions must end in .geojson, .json or .csv")
    result = count_image(image, obj, area_path=str(area) if area else None, coords=_coords(coords),
                         pixel_size_m=pixel_size, corrections=corr, model=count_model)  # fmt: skip
    c = result.count
    if count_model is not None and not 2 / 3 <= c.pixel_size_m / count_model.pixel_size_m <= 1.5:
        say(f"warning: the model was trained on {count_model.pixel_size_m:g} m pixels, this image has "
            f"{c.pixel_size_m:g} m; its threshold may not carry over", quiet)  # fmt: skip
    if positions is not None:
        if positions.lower().endswith(".csv"):
            emit(
                c.rows(),
                fmt="csv",
                output=positions,
                columns=["id", "source", "x", "y", "col", "row", "angle", "score"],
            )
        else:
            write_text_atomic(Path(positions), positions_geojson(result))
    if chip is not None:
        from armswatch.io.atomic import atomic_write

        with atomic_write(Path(chip), "wb") as fh:
            fh.write(chip_png(result.rgb, c, origin=result.window[:2], area_outline=result.area_rings))
    fid = None
    if finding:
        from armswatch.imagery.record import record_count

        ws = open_workspace(workspace)
        with ws:
            fid = record_count(ws, image, result, site=site, captured_at=_when(when), simulated=simulated,
                               area_drawn=area is not None, checked=checked)  # fmt: skip
    s = c.summary()
    if c.width_m / c.pixel_size_m < 2.5:
        say(f"warning: a {s['object']} is only {c.width_m / c.pixel_size_m:.1f} px wide at {c.pixel_size_m:g} m; "
            "counts of objects under ~2.5 px across are unreliable (see docs/imagery-count.md)", quiet)  # fmt: skip
    if (
        count_model is None
        and c.object_name == "vehicle"
        and not (checked or c.corrections.removed or c.corrections.added)
    ):
        say("note: in a real car park at 0.5 m this counter found 3 of 21 cars (benchmarks/count_real.py): "
            "check every box on the chip and add the cars it missed", quiet)  # fmt: skip
    if area is None:
        say("note: no --area, so the whole image was searched; roofs, shadows and roads give false boxes there: "
            "draw the yard, quay or car park (GeoJSON) and check the chip", quiet)  # fmt: skip
    say(f"{s['count']} {s['object']} ({s['detected']} detected, {s['removed']} removed, {s['added']} added) "
        f"at {s['pixel_size_m']:g} m" + (f" -> finding {fid}" if fid else ""), quiet)  # fmt: skip
    typer.echo(str(c.total))


def count_train_cmd(
    folder: Annotated[
        Path,
        typer.Argument(help="Folder of images, each with NAME.geojson or NAME.csv of confirmed centres."),
    ],
    obj: Annotated[
        str,
        typer.Option(
            "--object", help="container (40 ft), container20, railcar, vehicle, truck, or LxW in m."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model file to write (.npz).")],
    coords: CoordsOpt = "auto",
    pixel_size: PixelSizeOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the forest.")] = 0,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="Also store the model as an artifact in this workspace."),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Train a counting model on your own corrected counts; use it with 'imagery count --model'.

    FOLDER holds images and, per image, the centres of the objects you confirmed: NAME.geojson or
    NAME.csv as 'imagery count --positions' writes them (count, correct with --add/--remove, write the
    positions), and optionally the search area NAME.area.geojson. Everything else inside the area is
    taken for "not an object". The model file names every training file's SHA-256.

    Example: armswatch imagery count-train my-yards/ --object railcar -o wagons.npz
    """
    import time

    from armswatch.cli.common import progress_for
    from armswatch.imagery.count_model import write
    from armswatch.imagery.count_training import train_folder

    t0 = time.perf_counter()
    with progress_for(quiet) as prog:
        model, provenance = train_folder(folder, obj, coords=_coords(coords), pixel_size_m=pixel_size,
                                         seed=seed, progress=prog)  # fmt: skip
    write(model, provenance, output)
    st = provenance["training"]
    oof = st["out_of_fold"]
    say(f"trained on {st['images']} image(s), {st['objects']} {model.object_name} centres, "
        f"{st['candidates']:,} candidates; threshold {model.threshold:g} (out-of-fold precision "
        f"{oof['precision']:.2f}, recall {oof['recall']:.2f}), {time.perf_counter() - t0:.1f} s -> {output}",
        quiet)  # fmt: skip
    if workspace is not None:
        from armswatch.imagery.count_record import record_count_model

        with open_workspace(workspace) as ws:
            art = record_count_model(ws, output, provenance)
        say(f"stored as {art}", quiet)


def counts_cmd(
    site: Annotated[str, typer.Option("--site", help="Site id.")],
    svg: Annotated[str | None, typer.Option("--svg", help="Also write the series chart as SVG.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """Counts recorded at a site over time (imagery.count findings, rejected ones left out).

    Example: armswatch imagery counts --site rajin-port --format csv -o rajin_counts.csv
    """
    from armswatch.imagery.count_chip import series_svg
    from armswatch.imagery.record import count_series
    from armswatch.io.atomic import write_text_atomic

    ws = open_workspace(workspace)
    with ws:
        rows = count_series(ws, site)
    if svg is not None:
        write_text_atomic(Path(svg), series_svg(rows, title=f"Counts at {site}"))
    emit(rows, fmt=fmt, output=output,
         columns=["date", "object", "count", "detected", "removed", "added", "status", "confidence", "finding"])  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add these commands to the ``imagery`` group."""
    app.command("measure")(measure_cmd)
    app.command("count")(count_cmd)
    app.command("count-train")(count_train_cmd)
    app.command("counts")(counts_cmd)
    from armswatch.cli import imagery_providers

    imagery_providers.register(app)
