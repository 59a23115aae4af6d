"""``armswatch imagery``: satellite imagery search, ingest, change detection, monitoring, evaluation."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from armswatch.cli.common import (
    FormatOpt,
    OutputOpt,
    QuietOpt,
    WorkspaceOpt,
    emit,
    open_workspace,
    progress_for,
    say,
)

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
        typer.Option(
            "--threshold",
            help="builtup only: index rise that marks a change pixel (default 0.3; an object also needs a "
            "seed rising 1.2 more).",
        ),
    ] = None,
    min_area: Annotated[
        float | None, typer.Option("--min-area", help="Smallest object kept, in m² (default 60).")
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
    cloud_mask: Annotated[
        bool,
        typer.Option(
            "--cloud-mask/--no-cloud-mask",
            help="Leave out cloud, haze and cloud-shadow pixels of either date (s2cloudless for 13-band "
            "Sentinel-2 L1C, else a classical test) and report the usable share.",
        ),
    ] = True,
    hints: Annotated[
        Path | None,
        typer.Option(
            "--hints",
            help="CSV of analyst points: x,y,label (pixel column,row) or lon,lat,label; label 1 = change, "
            "0 = no change. A small classifier trained on them refines the default method.",
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="A model file from 'imagery train' to refine the default method."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first unusable hint row.")] = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Record the run in this workspace (images, hints, model and mask as artifacts).",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Detect change between two co-registered images; works without a workspace.

    OUT is a single-band uint8 raster the size of BEFORE (0 no change, 255 change), PNG or GeoTIFF by
    extension, georeferenced like BEFORE when it is.

    Example: armswatch imagery change before.tif after.tif -o change.tif --footprints change.geojson

    Example with analyst hints: armswatch imagery change before.tif after.tif -o change.tif --hints hints.csv
    """
    from dataclasses import asdict, replace

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
    forest = None
    if model is not None:
        from armswatch.imagery.forest import load

        forest = load(model)
    t0 = time.perf_counter()
    with progress_for(quiet) as prog:
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
            cloud_mask=cloud_mask,
            hints=hints,
            model=forest,
            strict_hints=strict,
            progress=prog,
        )
    dt = time.perf_counter() - t0
    if res.hints:
        say(f"hints: {res.hints}", quiet)
    if workspace is not None:
        from armswatch.imagery.change_record import record_change

        with open_workspace(workspace) as ws:
            run_id = record_change(
                ws, before=before, after=after, output=Path(output),
                parameters={"method": method, **asdict(params), "cloud_mask": cloud_mask,
                            "hints": str(hints) if hints else None, "model": str(model) if model else None},
                summary={"changed_fraction": round(res.changed_fraction, 6), "usable_fraction": res.usable_fraction,
                         "hints": res.hints},
                hints=hints, model=model,
            )  # fmt: skip
        say(f"recorded as run {run_id}", quiet)
    usable = (
        f", {res.usable_fraction:.1%} usable on both dates ({res.cloud_mask})"
        if res.usable_fraction is not None
        else ""
    )
    say(
        f"{res.method}: {res.width}x{res.height} px at {res.pixel_size_m:g} m, "
        f"{res.changed_fraction:.2%} changed"
        + (f", {res.objects} objects" if res.objects is not None else "")
        + usable
        + f", {res.width * res.height / 1e6 / dt:.1f} Mpx/s -> {output}",
        quiet,
    )


@app.command("train")
def train_cmd(
    labelset: Annotated[
        Path, typer.Argument(help="Folder with A/ (before), B/ (after) and label/ (0/255 masks).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model file to write (.npz).")],
    bands: Annotated[str | None, typer.Option("--bands", help="Band roles, e.g. red,green,blue,nir.")] = None,
    pixel_size: Annotated[
        float | None, typer.Option("--pixel-size", help="Pixel size in m for images without georeferencing.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (sampling and forest).")] = 0,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="Also store the model as an artifact in this workspace."),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Train your own change model on labelled pairs; use it with 'imagery change|monitor --model'.

    The model file names its training data (SHA-256 of every image and label) and its parameters.
    Do not share models trained on data whose licence forbids it (LEVIR-CD, DSIFN-CD are research-only).

    Example: armswatch imagery train my-labels/ -o hall-model.npz
    """
    from armswatch.imagery.training import train_labelset, write_model

    t0 = time.perf_counter()
    with progress_for(quiet) as prog:
        model, provenance = train_labelset(
            labelset, bands=bands, pixel_size_m=pixel_size, seed=seed, progress=prog
        )
    write_model(model, provenance, output)
    say(
        f"trained on {len(provenance['pairs'])} pair(s), {model.meta['samples']:,} pixels "
        f"({model.meta['positives']:,} change), {model.n_trees} trees, {time.perf_counter() - t0:.1f} s -> {output}",
        quiet,
    )
    if workspace is not None:
        from armswatch.imagery.change_record import MODEL_KIND

        with (
            open_workspace(workspace) as ws,
            ws.run(
                "imagery.train", parameters={"labelset": str(labelset), "seed": seed, **model.meta}
            ) as run,
        ):
            art = ws.add_artifact(output, media_type="application/x-npz", name=output.name,
                                  metadata={"kind": MODEL_KIND, "provenance": provenance})  # fmt: skip
            run.add_output(art.id)
        say(f"stored as {art.id}", quiet)


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
    """Pixel precision, recall, F1, IoU (micro-averaged) and object recall of predictions against labels.

    Example: armswatch imagery evaluate predictions/ levir256/label/
    """
    from armswatch.imagery.labelset import evaluate_paths, total

    with progress_for() as prog:
        scores = evaluate_paths(pred, label, unchanged, progress=prog)
    rows: list[dict[str, Any]] = [{"file": s.name, **s.counts.as_dict()} for s in scores]
    rows.append({"file": "ALL (micro)", **total(scores).as_dict()})
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    emit(rows, fmt=fmt, columns=["file", "precision", "recall", "f1", "iou", "object_recall", "objects"])


def _date(text: str, option: str) -> date:
    from armswatch.errors import InputError

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{option} must be a date like 2024-03-02 (got {text!r})") from exc


@app.command("search")
def search_cmd(
    site: Annotated[str, typer.Argument(help="Site id from the watchlist.")],
    date_from: Annotated[str, typer.Option("--from", help="First acquisition date (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last acquisition date (YYYY-MM-DD).")],
    collection: Annotated[
        str,
        typer.Option("--collection", help="STAC collection; '*' for any (local catalogs often name none)."),
    ] = "sentinel-2-l2a",
    max_cloud: Annotated[
        float | None, typer.Option("--max-cloud", help="Maximum scene cloud cover, %.")
    ] = None,
    stac_url: Annotated[
        str, typer.Option("--stac-url", help="STAC API URL, or a local static catalog.json.")
    ] = "https://earth-search.aws.element84.com/v1",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
) -> None:
    """Find scenes over a site (STAC API or local static catalog); ingest them with 'imagery ingest'.

    Example: armswatch imagery search february-11-plant --collection sentinel-2-l2a --from 2024-03-01 --to 2024-10-31 --max-cloud 20
    """
    from armswatch.imagery.stac import search

    ws = open_workspace(workspace)
    with ws:
        s = ws.get_site(site)
        with progress_for() as prog:
            items = search(
                s.geometry.buffer(0.005) if s.geometry.geom_type == "Point" else s.geometry,
                start=_date(date_from, "--from"),
                end=_date(date_to, "--to"),
                collection=collection,
                max_cloud=max_cloud,
                url=stac_url,
                progress=prog,
            )
    if not items:
        local = not stac_url.startswith(("http://", "https://"))
        hint = (
            f"; a local catalog's items may not name the collection {collection!r}: try --collection '*'"
            if local and collection not in ("", "*")
            else ""
        )
        say(
            f"no scenes found over {site} from {date_from} to {date_to}{hint}; or widen --from/--to or --max-cloud"
        )
    emit(
        [i.row() for i in items],
        fmt=fmt,
        output=output,
        columns=["id", "datetime", "cloud_cover", "platform", "bands", "href"],
    )


@app.command("ingest")
def ingest_cmd(
    site: Annotated[str, typer.Argument(help="Site id from the watchlist.")],
    inputs: Annotated[
        list[str], typer.Argument(help="Image files (GeoTIFF/COG…) or STAC item JSON files/URLs.")
    ],
    resolution: Annotated[
        float | None,
        typer.Option(
            "--resolution", help="Site grid pixel size in m (default: 10 for STAC items, else the file's)."
        ),
    ] = None,
    when: Annotated[
        str | None, typer.Option("--date", help="Acquisition date for files without one (YYYY-MM-DD).")
    ] = None,
    bands: Annotated[
        str | None, typer.Option("--bands", help="Band roles for files, e.g. red,green,blue,nir.")
    ] = None,
    simulated: Annotated[
        bool, typer.Option("--simulated", help="Mark the scenes (and findings) as simulated.")
    ] = False,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Cut the site's window out of each scene, resample to the site grid, mask clouds, co-register, store.

    Example: armswatch imagery ingest february-11-plant S2A_2024-10-11.tif S2B_2024-03-02.tif
    """
    from datetime import UTC, datetime

    from armswatch.imagery.archive import ingest_inputs

    captured = None
    if when:
        day = _date(when, "--date")
        captured = datetime(day.year, day.month, day.day, tzinfo=UTC)
    ws = open_workspace(workspace)
    with ws, progress_for(quiet) as prog:
        done = ingest_inputs(
            ws, site, inputs, resolution=resolution, captured_at=captured, bands=bands, simulated=simulated,
            progress=prog,
        )  # fmt: skip
    for scene in done:
        shift = f", shift {scene.shift[0]:+.2f},{scene.shift[1]:+.2f} px" if scene.shift else ""
        usable = scene.quality.reason() if scene.quality else f"{scene.valid_fraction:.0%} usable"
        how = f" [{scene.quality.method}]" if scene.quality else ""
        say(f"{scene.captured_at:%Y-%m-%d}: {scene.artifact_id[:19]}… {usable}{how}{shift}", quiet)


@app.command("monitor")
def monitor_cmd(
    site: Annotated[str, typer.Argument(help="Site id with at least two ingested scenes.")],
    min_finding: Annotated[
        float, typer.Option("--min-finding", help="New-structure area (m²) that makes an interval a finding.")
    ] = 1000.0,
    min_object: Annotated[
        float, typer.Option("--min-object", help="Smallest change object counted, m².")
    ] = 100.0,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Built-up index rise that marks a change pixel (default 0.3)."),
    ] = None,
    max_cloud: Annotated[
        float,
        typer.Option(
            "--max-cloud",
            help="Leave out scenes with more than this % of the site unusable (cloud, haze, shadow, no data; a polygon site: its outline).",
        ),
    ] = 50.0,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="A model file from 'imagery train' to refine new structures."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", help="Leave out a scene (date YYYY-MM-DD, artifact id or name); repeatable."
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = "-",
    quiet: QuietOpt = False,
) -> None:
    """Change between consecutive scenes of a site: time series, findings and evidence chips.

    Scenes left out (too cloudy or by --exclude) are listed with the reason and recorded in the run.

    Example: armswatch imagery monitor february-11-plant --max-cloud 30 --exclude 2024-06-15
    """
    from armswatch.imagery.change import BuiltupParams
    from armswatch.imagery.monitor import run_monitor

    ws = open_workspace(workspace)
    with ws, progress_for(quiet) as prog:
        done = run_monitor(
            ws,
            site,
            params=BuiltupParams() if threshold is None else BuiltupParams(threshold=threshold),
            min_finding_m2=min_finding,
            min_object_m2=min_object,
            max_cloud=max_cloud,
            exclude=exclude or (),
            model=model,
            progress=prog,
        )
    for ex in done.excluded:
        say(f"left out {ex.date} {ex.scene[:19]}…: {ex.reason}", quiet)
    emit([i.row() for i in done.intervals], fmt=fmt, output=output,
         columns=["start", "end", "new_m2", "cleared_m2", "objects", "valid_share", "cumulative_new_m2", "finding"])  # fmt: skip


from armswatch.cli.imagery_extra import register as _register_extra  # noqa: E402  (E2: measure, count, providers)

_register_extra(app)
