"""Monitoring a site over time: change between consecutive scenes, a time series, findings with chips.

For each pair of consecutive scenes on the same site grid, the ``builtup`` method runs on the pixels
usable in both; new-structure area and cleared area are measured from the footprints. An interval whose
new-structure area reaches ``min_finding_m2`` becomes a finding with before/after chips (change outlined)
as evidence. The series (one row per interval) is written to ``tables/imagery_series/<site>.parquet``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from scipy import ndimage as ndi
from shapely.geometry import mapping
from shapely.ops import unary_union

from armswatch.errors import InputError
from armswatch.imagery import chip, footprint, prepare
from armswatch.imagery.archive import grid_of, site_scenes
from armswatch.imagery.change import BuiltupParams, detect_builtup
from armswatch.imagery.ingest import read_scene

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

FINDING_KIND = "imagery.change"
SERIES_TABLE = "imagery_series"
MIN_FINDING_M2 = 1000.0
MIN_VALID_SHARE = 0.3
MIN_OBJECT_M2 = 100.0
"""Smallest change object counted when monitoring (about one small building)."""
INVALID_MARGIN_PX = 3


def _filled(img: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Unusable pixels replaced by the band median of the usable ones (zeros would look like change)."""
    out = img.copy()
    for k in range(out.shape[0]):
        med = float(np.median(out[k][valid])) if valid.any() else 0.0
        out[k][~valid] = med
    return out


@dataclass(frozen=True)
class Interval:
    before: str
    after: str
    start: datetime
    end: datetime
    new_m2: float
    cleared_m2: float
    objects: int
    valid_share: float
    cumulative_new_m2: float
    finding_id: str | None

    def row(self) -> dict[str, Any]:
        return {
            "start": self.start.date().isoformat(), "end": self.end.date().isoformat(),
            "new_m2": round(self.new_m2), "cleared_m2": round(self.cleared_m2), "objects": self.objects,
            "valid_share": round(self.valid_share, 3), "cumulative_new_m2": round(self.cumulative_new_m2),
            "finding": self.finding_id, "before": self.before, "after": self.after,
        }  # fmt: skip


def _rgb(bands: dict[str, np.ndarray], nir: bool = False) -> np.ndarray:
    roles = ["red", "green", "blue", "nir"] if nir else ["red", "green", "blue"]
    return np.stack([bands[r] for r in roles]).astype(np.float32)


def _confidence(area: float, mean_score: float, min_area: float) -> str:
    """ICD 203 wording: large, clear-cut change is 'likely'; near the thresholds 'roughly even chance'."""
    if area >= 3 * min_area and mean_score >= 0.85:
        return "likely"
    return "roughly even chance"


def monitor_site(
    ws: Workspace,
    site_id: str,
    *,
    params: BuiltupParams | None = None,
    min_finding_m2: float = MIN_FINDING_M2,
    min_object_m2: float = MIN_OBJECT_M2,
) -> list[Interval]:
    """Run change detection over the site's scene series and record findings in one run."""
    site = ws.get_site(site_id)
    scenes = site_scenes(ws, site_id)
    if len(scenes) < 2:
        raise InputError(f"site {site_id} has {len(scenes)} ingested scene(s); monitoring needs at least 2")
    grid_key = scenes[-1].metadata["grid"]["key"]
    scenes = [s for s in scenes if s.metadata["grid"]["key"] == grid_key]
    params = replace(params or BuiltupParams(), direction="both")
    grid = grid_of(scenes[0])
    simulated = any(s.simulated for s in scenes)
    tag = " (SIMULATED imagery)" if simulated else ""
    intervals: list[Interval] = []
    cumulative = 0.0
    run_params = {"site": site_id, "method": "builtup", "threshold": params.threshold,
                  "min_finding_m2": min_finding_m2, "min_object_m2": min_object_m2, "grid": grid_key}  # fmt: skip
    previous = {f.title: f.id for f in ws.list_findings(kind=FINDING_KIND, subject=f"site:{site_id}")}
    with ws.run("imagery.monitor", parameters=run_params, inputs=[s.id for s in scenes]) as run:
        prev = read_scene(ws.artifact_path(scenes[0].id))
        for a_art, b_art in itertools.pairwise(scenes):
            cur = read_scene(ws.artifact_path(b_art.id))
            nir = "nir" in prev and "nir" in cur
            a, b = _rgb(prev, nir), _rgb(cur, nir)
            valid = np.isfinite(a).all(axis=0) & np.isfinite(b).all(axis=0)
            share = float(valid.mean())
            # scenes of one site are mostly unchanged: per-band invariant-pixel normalisation removes colour
            # casts (atmosphere, sensor) that the per-image standardisation alone cannot
            b_norm, _ = prepare.normalise(a, b, valid)
            res = detect_builtup(
                _filled(a, valid), _filled(b_norm, valid), pixel_size=grid.resolution, params=params
            )
            usable = valid if valid.all() else ~ndi.binary_dilation(~valid, iterations=INVALID_MARGIN_PX)
            mask = res.mask & usable
            fps = footprint.extract(
                mask, transform=grid.transform, crs=grid.crs, sign=np.sign(res.difference).astype(np.int8),
                score=res.score, min_area_m2=max(params.min_area_m2, min_object_m2),
            )  # fmt: skip
            new = [f for f in fps if f.direction == footprint.NEW]
            new_m2 = float(sum(f.area_m2 or 0.0 for f in new))
            cleared_m2 = float(sum(f.area_m2 or 0.0 for f in fps if f.direction == footprint.CLEARED))
            cumulative += new_m2
            assert a_art.captured_at is not None and b_art.captured_at is not None
            d0, d1 = a_art.captured_at.date().isoformat(), b_art.captured_at.date().isoformat()
            title = f"+{new_m2:,.0f} m² of new structures between {d0} and {d1} at {site.name}{tag}"
            fid = previous.get(title)  # re-running with the same inputs does not duplicate findings
            if fid is None and share >= MIN_VALID_SHARE and new_m2 >= min_finding_m2:
                labels, _ = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))  # same ids as footprints
                new_mask = np.isin(labels, [f.id for f in new])
                ev_a = ws.add_artifact(
                    chip.chip_png(a[:3], new_mask), name=f"{site_id}_{a_art.captured_at:%Y%m%d}_before.png",
                    media_type="image/png", captured_at=a_art.captured_at, simulated=a_art.simulated,
                    metadata={"kind": "imagery.chip", "site": site_id, "role": "before", "scene": a_art.id},
                )  # fmt: skip
                ev_b = ws.add_artifact(
                    chip.chip_png(b[:3], new_mask), name=f"{site_id}_{b_art.captured_at:%Y%m%d}_after.png",
                    media_type="image/png", captured_at=b_art.captured_at, simulated=b_art.simulated,
                    metadata={"kind": "imagery.chip", "site": site_id, "role": "after", "scene": b_art.id},
                )  # fmt: skip
                run.add_output(ev_a.id)
                run.add_output(ev_b.id)
                mean_score = float(np.average([f.mean_score for f in new], weights=[f.pixels for f in new]))
                geom = unary_union([f.geometry for f in new])
                fid = run.add_finding(
                    kind=FINDING_KIND,
                    title=title,
                    summary=(
                        f"{len(new)} new built-up object(s) totalling {new_m2:,.0f} m² appeared between {d0} and "
                        f"{d1}; {cleared_m2:,.0f} m² looks cleared or demolished. Training-free built-up-index "
                        f"change on {grid.resolution:g} m imagery; {share:.0%} of the site grid usable in both."
                    ),
                    subjects=[f"site:{site_id}"],
                    geometry=mapping(geom),
                    start=a_art.captured_at,
                    end=b_art.captured_at,
                    confidence=_confidence(new_m2, mean_score, min_finding_m2),
                    evidence=[ev_a.id, ev_b.id, a_art.id, b_art.id],
                    details={"new_m2": round(new_m2), "cleared_m2": round(cleared_m2), "objects": len(new),
                             "mean_score": round(mean_score, 3), "valid_share": round(share, 3),
                             "chips": {"before": ev_a.id, "after": ev_b.id}},
                )  # fmt: skip
            intervals.append(
                Interval(a_art.id, b_art.id, a_art.captured_at, b_art.captured_at, new_m2, cleared_m2,
                         len(fps), share, cumulative, fid)
            )  # fmt: skip
            prev = cur
        write_series(ws, site_id, intervals)
        run.summary["intervals"] = len(intervals)
        run.summary["findings"] = sum(1 for i in intervals if i.finding_id)
    return intervals


def write_series(ws: Workspace, site_id: str, intervals: list[Interval]) -> None:
    folder = ws.tables_dir / SERIES_TABLE
    folder.mkdir(parents=True, exist_ok=True)
    frame = pl.DataFrame([i.row() for i in intervals])
    tmp = folder / f".{site_id}.parquet.tmp"
    frame.write_parquet(tmp)
    tmp.replace(folder / f"{site_id}.parquet")


def read_series(ws: Workspace) -> dict[str, pl.DataFrame]:
    folder = ws.tables_dir / SERIES_TABLE
    if not folder.is_dir():
        return {}
    return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
