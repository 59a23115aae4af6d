"""A site's scenes in a workspace: ingest inputs as artifacts with provenance, list them in date order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armswatch.errors import InputError
from armswatch.imagery import ingest, raster
from armswatch.imagery.ingest import SCENE_KIND, SiteGrid
from armswatch.imagery.stac import read_item
from armswatch.progress import NO_PROGRESS, Progress, steps

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from armswatch.imagery.quality import Quality
    from armswatch.provenance.model import Artifact
    from armswatch.workspace import Workspace

SENTINEL_SOURCE = dict(
    name="Copernicus Sentinel-2",
    publisher="European Space Agency / European Commission (Copernicus)",
    url="https://sentinels.copernicus.eu/web/sentinel/missions/sentinel-2",
    licence="Copernicus Sentinel data terms (free, full and open; credit: contains modified Copernicus Sentinel data)",
    reliability="A",
)


def site_scenes(ws: Workspace, site_id: str) -> list[Artifact]:
    """The site's ingested scenes, oldest first."""
    arts = [
        a for a in ws.list_artifacts(media_type="image/tiff")
        if a.metadata.get("kind") == SCENE_KIND and a.metadata.get("site") == site_id
    ]  # fmt: skip
    return sorted(arts, key=lambda a: (a.captured_at or datetime.min, a.id))


def grid_of(art: Artifact) -> SiteGrid:
    g = art.metadata["grid"]
    return SiteGrid(g["crs"], tuple(g["transform"]), g["width"], g["height"], g["resolution"])


def _is_item(ref: str) -> bool:
    return ref.lower().endswith(".json") or ref.startswith(("http://", "https://"))


def _resolution(ws: Workspace, site_id: str, first_ref: str, explicit: float | None) -> float:
    if explicit is not None:
        return explicit
    existing = site_scenes(ws, site_id)
    if existing:
        return float(existing[0].metadata["grid"]["resolution"])
    if _is_item(first_ref):
        return 10.0
    px = raster.image_info(first_ref).pixel_size_m
    if px is None:
        raise InputError("image is not georeferenced; it cannot be placed on a site grid", path=first_ref)
    return round(px, 2)


@dataclass(frozen=True)
class Ingested:
    artifact_id: str
    captured_at: datetime
    valid_fraction: float
    shift: tuple[float, float] | None
    quality: Quality | None = None


def _read_input(ref: str, grid: SiteGrid, captured_at: datetime | None, bands: str | None) -> ingest.Scene:
    if _is_item(ref):
        return ingest.scene_from_item(read_item(ref), grid)
    return ingest.scene_from_file(ref, grid, captured_at, bands)


def _usable(art: Artifact) -> float:
    q = art.metadata.get("quality")
    return float(q["usable_fraction"] if isinstance(q, dict) else art.metadata.get("valid_fraction", 0.0))


def ingest_inputs(
    ws: Workspace,
    site_id: str,
    refs: Sequence[str],
    *,
    resolution: float | None = None,
    captured_at: datetime | None = None,
    bands: str | None = None,
    simulated: bool = False,
    source: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> list[Ingested]:
    """Ingest files or STAC items for a site, in one recorded run.

    Every input is read and masked before anything is stored: an input that does not cover the site
    (data over less than half of its footprint) is an :class:`InputError` and nothing is stored. Scenes are
    co-registered to the clearest scene of the site (the largest usable share among the stored scenes and
    the new ones)."""
    import numpy as np

    site = ws.get_site(site_id)
    if not refs:
        raise InputError("nothing to ingest: give image files or STAC item JSON files/URLs")
    res = _resolution(ws, site_id, refs[0], resolution)
    grid = ingest.site_grid(site.geometry, res)
    footprint = ingest.site_footprint(site.geometry, grid)
    watched = ingest.watched_area(site.geometry, grid)
    scenes: list[ingest.Scene] = []
    for ref in steps(progress, "reading and masking scenes", refs):
        scene = _read_input(ref, grid, captured_at, bands)
        cover = ingest.site_coverage(scene, footprint)
        if cover < ingest.MIN_SITE_COVERAGE:
            raise InputError(
                f"does not cover site {site_id}: data over {cover:.0%} of the site "
                f"(needs {ingest.MIN_SITE_COVERAGE:.0%}); nothing was ingested",
                path=input_label(ref),
            )
        scenes.append(_over_watched_area(scene, watched))
    existing = [a for a in site_scenes(ws, site_id) if a.metadata["grid"]["key"] == grid.key]
    best_old = max(existing, key=_usable, default=None)
    best_new = max(range(len(scenes)), key=lambda i: _quality_share(scenes[i]))
    # stored shares are rounded to 4 places: a stored scene as clear as a new one stays the reference
    if best_old is not None and _usable(best_old) >= round(_quality_share(scenes[best_new]), 4):
        ref_index, ref_bands = -1, ingest.read_scene(ws.artifact_path(best_old.id))
    else:
        ref_index, ref_bands = best_new, scenes[best_new].bands
    params = {"site": site_id, "resolution_m": res, "grid": grid.key, "inputs": list(refs)}
    out: list[Ingested] = []
    with ws.run("imagery.ingest", parameters=params) as run:
        pairs = list(zip(refs, scenes, strict=True))
        for i, (ref, scene) in enumerate(steps(progress, "co-registering and storing", pairs)):
            scene = ingest.coregister_scene(scene, None if i == ref_index else ref_bands)
            src = (
                ws.add_source(**SENTINEL_SOURCE)
                if "sentinel" in str(scene.metadata.get("collection") or "").lower()
                else source
            )
            valid = float(np.isfinite(scene.bands["red"])[watched].mean())
            meta: dict[str, Any] = {
                **scene.metadata, "kind": SCENE_KIND, "site": site_id,
                "grid": {**asdict(grid), "key": grid.key}, "bands": sorted(scene.bands),
                "valid_fraction": round(valid, 4), "simulated": simulated,
            }  # fmt: skip
            art = ws.add_artifact(
                ingest.scene_tiff(scene, grid),
                name=f"{site_id}_{scene.captured_at:%Y%m%dT%H%M%S}.tif",
                media_type="image/tiff",
                source=src,
                captured_at=scene.captured_at,
                url=ref if ref.startswith(("http://", "https://")) else None,
                metadata=meta,
                simulated=simulated,
            )
            run.add_output(art.id)
            reg = scene.metadata.get("registration", {})
            shift = tuple(reg["shift"]) if isinstance(reg, dict) and reg.get("applied") else None
            out.append(Ingested(art.id, scene.captured_at, valid, shift, scene.quality))
        run.summary["scenes"] = len(out)
    return out


def _over_watched_area(scene: ingest.Scene, watched: npt.NDArray[np.bool_]) -> ingest.Scene:
    """The scene's usable shares counted over the site's watched area (a polygon site's outline), so a scene
    clipped to the site is not read as half unusable because the grid's margin has no data."""
    if scene.quality is None or scene.quality.cause is None or watched.all():
        return scene
    q = scene.quality.within(watched)
    return replace(scene, quality=q, metadata={**scene.metadata, "quality": q.as_dict()})


def _quality_share(scene: ingest.Scene) -> float:
    return scene.quality.usable_fraction if scene.quality is not None else 0.0


def input_label(ref: str) -> str:
    return Path(ref).name if not ref.startswith(("http://", "https://")) else ref
