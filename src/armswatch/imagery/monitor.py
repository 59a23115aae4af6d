"""Monitoring a site over time: change between consecutive scenes, a time series, findings with chips.

For each pair of consecutive scenes on the same site grid, the ``builtup`` method runs on the pixels
usable in both; new-structure area and cleared area are measured from the footprints. An interval whose
new-structure area reaches ``min_finding_m2`` becomes a finding with before/after chips (change outlined)
as evidence. The series (one row per interval) is written to ``tables/imagery_series/<site>.parquet``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
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
from armswatch.imagery.change import BuiltupParams, ChangeResult, detect_builtup
from armswatch.imagery.ingest import Scene, coregister_scene, read_scene, watched_area
from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.confidence import confidence_from_probability

if TYPE_CHECKING:
    from pathlib import Path

    from armswatch.imagery.forest import Forest
    from armswatch.provenance.model import Artifact
    from armswatch.workspace import Workspace

FINDING_KIND = "imagery.change"
SERIES_TABLE = "imagery_series"
MIN_FINDING_M2 = 1000.0
MIN_VALID_SHARE = 0.3
"""A pair becomes a finding only if at least this share of what both scenes show of the site is usable."""
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


MAX_CLOUD_PCT = 50.0
"""Default ``--max-cloud``: scenes with more than this share of the site unusable are excluded (a polygon
site's outline, or the grid around a point site)."""
CLEAR_PAIR = 0.8
"""Both dates at least this usable for a finding to reach 'likely'."""
MOSTLY_CLOUDY = 0.5


def confidence(area: float, mean_score: float, min_area: float, usable: tuple[float, float, float]) -> str:
    """ICD 203 word for a change finding from its size, its mean score and how much of each date was usable.

    ``usable`` is (before, after, both): the clear shares of what each scene and the pair show of the site
    (a scene's missing coverage is not cloud). Large, clear-cut
    change (≥ 3× the finding threshold, mean score ≥ 0.85) on a clear pair is 'likely'. A pair where the
    least usable of the three is under 80 % is at most 'roughly even chance', under 50 % (mostly cloudy)
    at most 'unlikely'; so is a finding whose mean score is under 0.6 (barely over the threshold)."""
    p = 0.70 if area >= 3 * min_area and mean_score >= 0.85 else 0.50
    worst = min(usable)
    if worst < CLEAR_PAIR:
        p = min(p, 0.50)
    if worst < MOSTLY_CLOUDY or mean_score < 0.6:
        p = min(p, 0.40)
    return confidence_from_probability(p)


def _covers(covered: float) -> str:
    return "" if covered > 0.95 else f"; together the scenes cover {covered:.0%} of the site"


def on_site(mask: np.ndarray, watched: np.ndarray) -> np.ndarray:
    """The changed objects (8-connected, as footprints are cut) that touch the site's watched area: an
    object reaching into a polygon site counts whole; change only in the grid's margin around it does not."""
    if watched.all() or not mask.any():
        return mask
    labels, _ = ndi.label(mask, structure=np.ones((3, 3), dtype=bool))
    keep = np.unique(labels[watched & mask])
    return np.asarray(np.isin(labels, keep[keep > 0]))


@dataclass(frozen=True)
class Exclusion:
    """A scene left out of monitoring and why."""

    scene: str
    date: str
    reason: str

    def row(self) -> dict[str, str]:
        return {"scene": self.scene, "date": self.date, "reason": self.reason}


def _scene_usable(art: Artifact) -> float:
    """Share of the site usable in the scene (no data counts as unusable): which scene is the clearest."""
    q = art.metadata.get("quality")
    if isinstance(q, dict) and "usable_fraction" in q:
        return float(q["usable_fraction"])
    return float(art.metadata.get("valid_fraction", 0.0))


def _scene_coverage(art: Artifact) -> float:
    """Share of the site where the scene has data."""
    q = art.metadata.get("quality")
    return 1.0 - float(q.get("nodata", 0.0)) if isinstance(q, dict) else 1.0


def _scene_clear(art: Artifact) -> float:
    """Share of what the scene shows of the site that is usable (1 − cloud, haze and shadow cover): a clear
    scene covering a quarter of the site is clear, its missing three quarters are coverage, not cloud."""
    cover = _scene_coverage(art)
    return min(1.0, _scene_usable(art) / cover) if cover > 0 else 0.0


def _matches(art: Artifact, key: str) -> bool:
    day = art.captured_at.date().isoformat() if art.captured_at else ""
    return key in (art.id, art.name, day) or (len(key) >= 8 and art.id.removeprefix("sha256:").startswith(
        key.removeprefix("sha256:")))  # fmt: skip


def select_scenes(
    scenes: list[Artifact], *, max_cloud: float, exclude: Sequence[str]
) -> tuple[list[Artifact], list[Exclusion]]:
    """Scenes kept for monitoring and the ones left out (by the analyst, or too cloudy), with reasons."""
    if not 0 <= max_cloud <= 100:
        raise InputError(f"--max-cloud must be a percentage between 0 and 100 (got {max_cloud:g})")
    unknown = [k for k in exclude if not any(_matches(a, k) for a in scenes)]
    if unknown:
        raise InputError(f"--exclude {unknown[0]!r} matches no scene of the site (give a date, id or name)")
    kept, out = [], []
    for art in scenes:
        day = art.captured_at.date().isoformat() if art.captured_at else "?"
        clear, cover = _scene_clear(art), _scene_coverage(art)
        q = art.metadata.get("quality") or {}
        if any(_matches(art, k) for k in exclude):
            out.append(Exclusion(art.id, day, "excluded by the analyst"))
        elif cover <= 0:
            out.append(Exclusion(art.id, day, "no data over the site"))
        elif clear < 1.0 - max_cloud / 100.0:
            causes = ", ".join(f"{k} {float(q[k]) / cover:.0%}" for k in ("cloud", "haze", "shadow")
                               if float(q.get(k, 0.0)) >= 0.005)  # fmt: skip
            where = "" if cover > 0.95 else f" of the {cover:.0%} of the site it covers"
            out.append(Exclusion(art.id, day, f"{clear:.0%} clear{where} ({causes or 'masked'}), under the "
                                              f"{100 - max_cloud:g} % needed by --max-cloud {max_cloud:g}"))  # fmt: skip
        else:
            kept.append(art)
    return kept, out


def _with_model(
    a: np.ndarray,
    b: np.ndarray,
    px: float,
    params: BuiltupParams,
    forest: Forest,
    res: ChangeResult,
    valid: np.ndarray,
) -> ChangeResult:
    """New structures from the own model, cleared ones from the default method."""
    from armswatch.imagery import guided
    from armswatch.imagery.change import pair_stats

    guided.check_model(forest, a.shape[0] >= 4 and b.shape[0] >= 4)
    new_params = replace(params, direction="new")
    refined = guided.refine_arrays(a, b, px, new_params, pair_stats(a, b, new_params, px, valid), forest)
    mask = refined.mask | (res.mask & (res.difference < 0))
    return ChangeResult(mask, np.maximum(refined.score, res.score * (res.difference < 0)), res.difference)


def _aligned(ws: Workspace, scenes: list[Artifact]) -> dict[str, dict[str, np.ndarray]]:
    """Every kept scene's bands, shifted onto the clearest kept scene (the co-registration reference)."""
    ref = max(scenes, key=_scene_usable)
    ref_bands = read_scene(ws.artifact_path(ref.id))
    out = {}
    for art in scenes:
        bands = read_scene(ws.artifact_path(art.id))
        if art.id != ref.id:
            assert art.captured_at is not None
            bands = coregister_scene(Scene(bands, art.captured_at, {}), ref_bands).bands
        out[art.id] = bands
    return out


@dataclass(frozen=True)
class Monitored:
    """What a monitoring run produced: the intervals and the scenes left out."""

    intervals: list[Interval]
    excluded: list[Exclusion]
    run_id: str


def monitor_site(ws: Workspace, site_id: str, **options: Any) -> list[Interval]:
    """The intervals of :func:`run_monitor` (same options)."""
    return run_monitor(ws, site_id, **options).intervals


def run_monitor(
    ws: Workspace,
    site_id: str,
    *,
    params: BuiltupParams | None = None,
    min_finding_m2: float = MIN_FINDING_M2,
    min_object_m2: float = MIN_OBJECT_M2,
    max_cloud: float = MAX_CLOUD_PCT,
    exclude: Sequence[str] = (),
    model: Path | None = None,
    progress: Progress = NO_PROGRESS,
) -> Monitored:
    """Run change detection over the site's scene series and record findings in one run.

    Scenes named in ``exclude`` (date, id or name) and scenes with more than ``max_cloud`` % of the site
    unusable (a polygon site's outline; the grid around a point site) are left out, with the reason in the run summary (``excluded``)."""
    site = ws.get_site(site_id)
    scenes = site_scenes(ws, site_id)
    if len(scenes) < 2:
        raise InputError(f"site {site_id} has {len(scenes)} ingested scene(s); monitoring needs at least 2")
    grid_key = scenes[-1].metadata["grid"]["key"]
    scenes = [s for s in scenes if s.metadata["grid"]["key"] == grid_key]
    scenes, excluded = select_scenes(scenes, max_cloud=max_cloud, exclude=exclude)
    if len(scenes) < 2:
        why = "; ".join(f"{e.date}: {e.reason}" for e in excluded)
        raise InputError(
            f"site {site_id}: {len(scenes)} scene(s) left after exclusions, monitoring needs 2 ({why})"
        )
    params = replace(params or BuiltupParams(), direction="both")
    grid = grid_of(scenes[0])
    watched = watched_area(site.geometry, grid)
    simulated = any(s.simulated for s in scenes)
    tag = " (SIMULATED imagery)" if simulated else ""
    intervals: list[Interval] = []
    cumulative = 0.0
    run_params = {"site": site_id, "method": "builtup", "threshold": params.threshold,
                  "min_finding_m2": min_finding_m2, "min_object_m2": min_object_m2, "grid": grid_key,
                  "max_cloud": max_cloud, "exclude": list(exclude)}  # fmt: skip
    previous = {f.title: f.id for f in ws.list_findings(kind=FINDING_KIND, subject=f"site:{site_id}")}
    inputs = [s.id for s in scenes]
    forest = None
    if model is not None:
        from armswatch.imagery.change_record import MODEL_KIND
        from armswatch.imagery.forest import load

        forest = load(model)
        inputs.append(ws.add_artifact(model, media_type="application/x-npz", name=model.name,
                                      metadata={"kind": MODEL_KIND, "provenance": forest.meta.get("provenance")}).id)  # fmt: skip
        run_params["model"] = inputs[-1]
        run_params["method"] = "builtup + own model"
    with ws.run("imagery.monitor", parameters=run_params, inputs=inputs) as run:
        run.summary["excluded"] = [e.row() for e in excluded]
        progress.phase("aligning scenes", None)
        aligned = _aligned(ws, scenes)
        for a_art, b_art in steps(progress, "change between scenes", list(itertools.pairwise(scenes))):
            prev, cur = aligned[a_art.id], aligned[b_art.id]
            nir = "nir" in prev and "nir" in cur
            a, b = _rgb(prev, nir), _rgb(cur, nir)
            valid = np.isfinite(a).all(axis=0) & np.isfinite(b).all(axis=0)
            share = float(valid[watched].mean())  # of the site, usable in both
            # what both scenes show of the site (at most the smaller coverage), and how much of it is usable
            covered = max(share, min(_scene_coverage(a_art), _scene_coverage(b_art)))
            pair_clear = share / covered if covered > 0 else 0.0
            usable3 = (_scene_clear(a_art), _scene_clear(b_art), pair_clear)
            # scenes of one site are mostly unchanged: per-band invariant-pixel normalisation removes colour
            # casts (atmosphere, sensor) that the per-image standardisation alone cannot
            b_norm, _ = prepare.normalise(a, b, valid)
            res = detect_builtup(
                _filled(a, valid),
                _filled(b_norm, valid),
                pixel_size=grid.resolution,
                params=params,
                valid=valid,
            )
            if forest is not None:
                res = _with_model(
                    _filled(a, valid), _filled(b_norm, valid), grid.resolution, params, forest, res, valid
                )
            usable = valid if valid.all() else ~ndi.binary_dilation(~valid, iterations=INVALID_MARGIN_PX)
            mask = on_site(res.mask & usable, watched)
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
            if fid is None and pair_clear >= MIN_VALID_SHARE and new_m2 >= min_finding_m2:
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
                        f"change on {grid.resolution:g} m imagery; {pair_clear:.0%} of what both scenes show "
                        f"of the site usable in both (before {usable3[0]:.0%}, after {usable3[1]:.0%} clear of "
                        f"cloud, haze and shadow){_covers(covered)}."
                    ),
                    subjects=[f"site:{site_id}"],
                    geometry=mapping(geom),
                    start=a_art.captured_at,
                    end=b_art.captured_at,
                    confidence=confidence(new_m2, mean_score, min_finding_m2, usable3),
                    evidence=[ev_a.id, ev_b.id, a_art.id, b_art.id],
                    details={"new_m2": round(new_m2), "cleared_m2": round(cleared_m2), "objects": len(new),
                             "mean_score": round(mean_score, 3), "valid_share": round(share, 3),
                             "coverage": round(covered, 3), "clear_share": round(pair_clear, 3),
                             "usable_before": round(usable3[0], 3), "usable_after": round(usable3[1], 3),
                             "chips": {"before": ev_a.id, "after": ev_b.id}},
                )  # fmt: skip
            intervals.append(
                Interval(a_art.id, b_art.id, a_art.captured_at, b_art.captured_at, new_m2, cleared_m2,
                         len(fps), share, cumulative, fid)
            )  # fmt: skip
        write_series(ws, site_id, intervals)
        run.summary["intervals"] = len(intervals)
        run.summary["findings"] = sum(1 for i in intervals if i.finding_id)
    return Monitored(intervals, excluded, run.id)


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
