"""Measurements and counts as findings in a workspace, and counts over time at a site.

Each measurement or count is one recorded run (``imagery.measure`` / ``imagery.count``) whose input is
the image (stored as an artifact) and whose findings cite it as evidence; a count also stores its
evidence chip (PNG, every detection marked) and its positions (GeoJSON), and keeps the analyst's
corrections in the finding's details. A re-run is a new run, never an overwrite.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shapely.geometry import mapping

from armswatch.imagery import raster
from armswatch.imagery.measure import MODEL, Measurement

if TYPE_CHECKING:
    from armswatch.imagery.count_run import CountRun
    from armswatch.provenance.model import Finding
    from armswatch.workspace import Workspace

MEASURE_KIND = "imagery.measure"
COUNT_KIND = "imagery.count"
IMAGE_KIND = "imagery.image"
AUTOMATIC_COUNT_CONFIDENCE = "roughly even chance"
"""A count nobody checked, with a drawn search area. On composited objects (simulated containers, wagons and
cars in real backgrounds) the counter's precision and recall are about 0.8-0.95, but on REAL cars (two
LEVIR-CD scenes labelled by hand, ``benchmarks/count_real.py``) it found 6 of 25 with 5 false boxes:
the composites flatter it, and no other class has been measured on real objects. Until an analyst has
looked at the chip, a count is no better than roughly even chance."""
CORRECTED_COUNT_CONFIDENCE = "very likely"
"""A count an analyst has corrected (added or removed objects) or confirmed as it stands (``checked``) on
the evidence chip."""
WHOLE_IMAGE_COUNT_CONFIDENCE = "roughly even chance"
"""An uncorrected count over a whole image (no search area): over whole real crops the detector finds
wagon- and car-sized boxes on roofs and shadows."""


def image_datetime(path: str | Path) -> datetime | None:
    """Acquisition time from the image's tags (``ACQUISITION_DATETIME``, TIFF ``DATETIME``…), if any."""
    with raster.open_image(path) as ds:
        tags = ds.tags()
    for key in ("ACQUISITION_DATETIME", "acquisition_date", "DATETIME", "TIFFTAG_DATETIME", "datetime"):
        raw = (tags.get(key) or "").strip()
        for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y:%m:%d %H:%M:%S", "%Y-%m-%d"):
            try:
                when = datetime.strptime(raw, fmt)
            except ValueError:
                continue
            return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def _image_artifact(ws: Workspace, path: str | Path, captured_at: datetime | None, simulated: bool) -> str:
    art = ws.add_artifact(
        Path(path), name=Path(path).name, captured_at=captured_at, simulated=simulated,
        metadata={"kind": IMAGE_KIND, "input": Path(path).name},
    )  # fmt: skip
    return art.id


def _subjects(site: str | None) -> list[str]:
    return [f"site:{site}"] if site else []


def record_measurements(
    ws: Workspace,
    image: str | Path,
    measurements: Sequence[Measurement],
    *,
    site: str | None = None,
    captured_at: datetime | None = None,
    simulated: bool = False,
) -> list[str]:
    """One ``imagery.measure`` run with one finding per outline; returns the finding ids."""
    if site:
        ws.get_site(site)  # an unknown site is an error before anything is stored
    when = captured_at or image_datetime(image)
    tag = " (SIMULATED imagery)" if simulated else ""
    image_id = _image_artifact(ws, image, when, simulated)
    params = {"image": Path(image).name, "site": site, "uncertainty_model": MODEL}
    ids: list[str] = []
    with ws.run("imagery.measure", parameters=params, inputs=[image_id]) as run:
        for m in measurements:
            label = m.name or f"outline {m.id}"
            day = f" on {when:%Y-%m-%d}" if when else ""
            ids.append(run.add_finding(
                kind=MEASURE_KIND,
                title=f"{label}: {m.area_m2:,.0f} ± {m.uncertainty_m2:,.0f} m²{day}{tag}",
                summary=(f"Outline {label} measured on {Path(image).name}: {m.area_m2:,.1f} m² "
                         f"± {m.uncertainty_m2:,.1f} m² (perimeter {m.perimeter_m:,.1f} m, pixel "
                         f"{m.pixel_size_m:.2f} m; uncertainty {MODEL})."),
                subjects=_subjects(site),
                geometry=mapping(m.geometry) if raster.image_info(image).georeferenced else None,
                start=when, end=when, confidence="very likely", evidence=[image_id],
                details={k: v for k, v in m.row().items() if k != "geometry"},
            ))  # fmt: skip
        run.summary["outlines"] = len(ids)
    return ids


def record_count(
    ws: Workspace,
    image: str | Path,
    result: CountRun,
    *,
    site: str | None = None,
    captured_at: datetime | None = None,
    simulated: bool = False,
    area_drawn: bool = True,
    checked: bool = False,
) -> str:
    """One ``imagery.count`` run with one finding; evidence = chip, image and positions. A count the analyst
    corrected, or ``checked`` (looked at every box on the chip and found it right), is very likely; any
    other count is roughly even chance and its summary says why (no drawn area, or nobody checked it)."""
    from armswatch.imagery.count_chip import chip_png
    from armswatch.imagery.count_run import positions_geojson

    site_name = ws.get_site(site).name if site else None
    when = captured_at or image_datetime(image)
    c = result.count
    image_id = _image_artifact(ws, image, when, simulated)
    stem = f"{site or Path(image).stem}_{when:%Y%m%d}" if when else (site or Path(image).stem)
    chip = ws.add_artifact(
        chip_png(result.rgb, c, origin=result.window[:2], area_outline=result.area_rings), name=f"{stem}_count.png",
        media_type="image/png", captured_at=when, simulated=simulated,
        metadata={"kind": "imagery.count_chip", "site": site, "image": image_id},
    )  # fmt: skip
    pos = ws.add_artifact(
        positions_geojson(result).encode(), name=f"{stem}_{c.object_name}.geojson",
        media_type="application/geo+json", captured_at=when, simulated=simulated,
        metadata={"kind": "imagery.count_positions", "site": site, "image": image_id},
    )  # fmt: skip
    params = {"image": Path(image).name, "site": site, "object": c.object_name,
              "size_m": [c.length_m, c.width_m], "corrections": c.corrections.as_dict(),
              "checked": checked}  # fmt: skip
    where = f" at {site_name}" if site_name else ""
    day = f" on {when:%Y-%m-%d}" if when else ""
    tag = " (SIMULATED imagery)" if simulated else ""
    corrected = bool(c.corrections.removed or c.corrections.added)
    whole = not area_drawn
    inputs, counter = [image_id], "training-free counter"
    if result.model is not None:  # the trained model is an input; the finding names its SHA-256
        from armswatch.imagery.count_record import model_input

        model_id, params["model"] = model_input(ws, result.model)
        inputs.append(model_id)
        counter = f"trained counting model {model_id[:19]}…"
    with ws.run("imagery.count", parameters=params, inputs=inputs) as run:
        run.add_output(chip.id)
        run.add_output(pos.id)
        fid = run.add_finding(
            kind=COUNT_KIND,
            title=f"{c.total} {c.object_name} counted{where}{day}{tag}",
            summary=(f"{c.total} objects of {c.length_m:g} × {c.width_m:g} m: {c.detected} detected by the "
                     f"{counter}, {len(c.removed)} removed and {len(c.corrections.added)} added "
                     f"by the analyst, on {c.pixel_size_m:.2f} m imagery"
                     + ("." if corrected else "; checked by the analyst on the chip." if checked else
                        "; the whole image was searched (no area drawn), where boxes on roofs and shadows are "
                        "likely: check the chip." if whole else
                        "; nobody has checked it: the counter misses objects and boxes kerbs and shadows on "
                        "real imagery, so check the chip and correct it (or confirm it with --checked).")),
            subjects=_subjects(site),
            geometry=mapping(result.area_wgs84) if result.area_wgs84 is not None else None,
            start=when, end=when,
            confidence=CORRECTED_COUNT_CONFIDENCE if corrected or checked else WHOLE_IMAGE_COUNT_CONFIDENCE
            if whole else AUTOMATIC_COUNT_CONFIDENCE,
            evidence=[chip.id, image_id, pos.id],
            details={**c.summary(), "corrections": c.corrections.as_dict(), "checked": checked, "chip": chip.id,
                     **({"model": params["model"]} if "model" in params else {}),
                     "positions": pos.id, "image": image_id},
        )  # fmt: skip
        run.summary.update(c.summary())
    return fid


def count_series(ws: Workspace, site_id: str, *, include_rejected: bool = False) -> list[dict[str, Any]]:
    """Counts recorded at a site, oldest first: one row per ``imagery.count`` finding."""
    ws.get_site(site_id)
    found: list[Finding] = ws.list_findings(kind=COUNT_KIND, subject=f"site:{site_id}")
    rows = []
    for f in found:
        if f.status == "rejected" and not include_rejected:
            continue
        d = f.details
        rows.append({
            "date": f.start.date().isoformat() if f.start else None, "object": d.get("object"),
            "count": d.get("count"), "detected": d.get("detected"), "removed": d.get("removed"),
            "added": d.get("added"), "status": f.status, "confidence": f.confidence, "finding": f.id,
            "chip": d.get("chip"),
        })  # fmt: skip
    rows.sort(key=lambda r: (r["date"] or "", r["finding"]))
    return rows


def series_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), indent=2, default=str) + "\n"
