"""``armswatch imagery``: satellite imagery search, ingest, change detection, monitoring, evaluation."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import FormatOpt, QuietOpt, emit, say

app = typer.Typer(
    help="Satellite imagery: search, ingest, change detection, monitoring and evaluation.\n\n"
    "Example: armswatch imagery change before.tif after.tif -o change.tif --footprints change.geojson",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    """Add the ``imagery`` command group to the root app."""
    root.add_typer(app, name="imagery")


@app.command("change")
def change_cmd(
    before: Annotated[Path, typer.Argument(help="Earlier image (GeoTIFF/COG, ENVI, PNG, JPEG…).")],
    after: Annotated[Path, typer.Argument(help="Later image on the same grid as BEFORE.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Change mask: .tif or .png (0 / 255).")],
    probability: Annotated[
        str | None,
        typer.Option("--probability", help="Also write the 0..1 change score (.tif float32 or .png 0-255)."),
    ] = None,
    footprints: Annotated[
        str | None, typer.Option("--footprints", help="Also write change polygons as GeoJSON.")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="builtup (default), cva or pca-kmeans.")
    ] = "builtup",
    direction: Annotated[
        str, typer.Option("--direction", help="builtup only: new, cleared or both.")
    ] = "new",
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="builtup only: index rise counted as change (default 0.6)."),
    ] = None,
    min_area: Annotated[
        float | None, typer.Option("--min-area", help="Smallest object kept, in m² (default 15).")
    ] = None,
    pixel_size: Annotated[
        float | None,
        typer.Option(
            "--pixel-size",
            help="Ground pixel size in metres for images without georeferencing (default 0.5).",
        ),
    ] = None,
    bands: Annotated[
        str | None,
        typer.Option("--bands", help="Band roles, e.g. red,green,blue,nir or red=4,green=3,blue=2."),
    ] = None,
    tile: Annotated[int, typer.Option("--tile", help="Tile size in pixels for large images.")] = 1024,
    quiet: QuietOpt = False,
) -> None:
    """Detect change between two co-registered images; works without a workspace."""
    from dataclasses import replace

    from armswatch.errors import InputError
    from armswatch.imagery.change import BuiltupParams
    from armswatch.imagery.tiling import run_change

    if direction not in ("new", "cleared", "both"):
        raise InputError(f"--direction must be new, cleared or both (got {direction!r})")
    params = BuiltupParams(direction=direction)  # type: ignore[arg-type]
    if threshold is not None:
        params = replace(params, threshold=threshold)
    if min_area is not None:
        params = replace(params, min_area_m2=min_area)
    if tile < 64:
        raise InputError("--tile must be at least 64 pixels")
    t0 = time.perf_counter()
    res = run_change(
        str(before),
        str(after),
        output,
        probability=probability,
        method=method,
        params=params,
        pixel_size_m=pixel_size,
        bands=bands,
        footprints=footprints,
        min_area_m2=min_area,
        tile=tile,
    )
    dt = time.perf_counter() - t0
    say(
        f"{res.method}: {res.width}x{res.height} px at {res.pixel_size_m:g} m, "
        f"{res.changed_fraction:.2%} changed"
        + (f", {res.objects} objects" if res.objects is not None else "")
        + f", {res.width * res.height / 1e6 / dt:.1f} Mpx/s -> {output}",
        quiet,
    )


@app.command("evaluate")
def evaluate_cmd(
    pred: Annotated[Path, typer.Argument(help="Prediction folder (or file), 0/255 masks.")],
    label: Annotated[Path, typer.Argument(help="Label folder (or file) with the same file names.")],
    unchanged: Annotated[
        Path | None,
        typer.Option(
            "--unchanged",
            help="Sparse labels: unchanged-pixel mask (file or folder); LABEL then holds changed pixels.",
        ),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Pixel precision, recall, F1, IoU (micro-averaged) and object recall of predictions against labels."""
    from armswatch.imagery.labelset import evaluate_paths, total

    scores = evaluate_paths(pred, label, unchanged)
    rows: list[dict[str, Any]] = [{"file": s.name, **s.counts.as_dict()} for s in scores]
    rows.append({"file": "ALL (micro)", **total(scores).as_dict()})
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    emit(rows, fmt=fmt, columns=["file", "precision", "recall", "f1", "iou", "object_recall", "objects"])
