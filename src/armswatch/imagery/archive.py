"""A site's scenes in a workspace: ingest inputs as artifacts with provenance, list them in date order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from armswatch.errors import InputError
from armswatch.imagery import ingest, raster
from armswatch.imagery.ingest import SCENE_KIND, SiteGrid
from armswatch.imagery.stac import read_item

if TYPE_CHECKING:
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
) -> list[Ingested]:
    """Ingest files or STAC items for a site, in one recorded run."""
    import numpy as np

    site = ws.get_site(site_id)
    if not refs:
        raise InputError("nothing to ingest: give image files or STAC item JSON files/URLs")
    res = _resolution(ws, site_id, refs[0], resolution)
    grid = ingest.site_grid(site.geometry, res)
    existing = [a for a in site_scenes(ws, site_id) if a.metadata["grid"]["key"] == grid.key]
    reference = ingest.read_scene(ws.artifact_path(existing[0].id)) if existing else None
    params = {"site": site_id, "resolution_m": res, "grid": grid.key, "inputs": list(refs)}
    out: list[Ingested] = []
    with ws.run("imagery.ingest", parameters=params) as run:
        for ref in refs:
            if _is_item(ref):
                item = read_item(ref)
                scene = ingest.scene_from_item(item, grid)
                src = (
                    ws.add_source(**SENTINEL_SOURCE)
                    if "sentinel" in (item.collection or "").lower()
                    else source
                )
            else:
                scene = ingest.scene_from_file(ref, grid, captured_at, bands)
                src = source
            scene = ingest.coregister_scene(scene, reference)
            if reference is None:
                reference = scene.bands
            valid = float(np.isfinite(scene.bands["red"]).mean())
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
            shift = tuple(reg["shift"]) if isinstance(reg, dict) and "shift" in reg else None
            out.append(Ingested(art.id, scene.captured_at, valid, shift))
        run.summary["scenes"] = len(out)
    return out


def input_label(ref: str) -> str:
    return Path(ref).name if not ref.startswith(("http://", "https://")) else ref
