"""A site's imagery as its page shows it: the stored scenes (date, how much of the site each shows clear,
co-registration), a quicklook of each, and the change series of the latest ``imagery monitor`` run."""

from __future__ import annotations

import math
from typing import Any

from armswatch.errors import NotFoundError
from armswatch.workspace import Workspace

SCENE_KIND = "imagery.scene"


def _share(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _registration(reg: Any) -> str:
    if not isinstance(reg, dict):
        return "–"
    if reg.get("reference"):
        return "reference"
    if reg.get("note"):
        return str(reg["note"])
    shift = reg.get("shift")
    if reg.get("applied") and isinstance(shift, list) and len(shift) == 2:
        return f"shifted {float(shift[0]):+.1f}, {float(shift[1]):+.1f} px"
    return "not shifted"


def site_imagery(ws: Workspace, site_id: str) -> dict[str, Any]:
    """``scenes`` (oldest first, each with its usable share, cloud/haze/shadow, co-registration and
    whether the latest change series used it) and ``series`` (the intervals of the latest monitor run)."""
    from armswatch.imagery.archive import site_scenes
    from armswatch.imagery.monitor import read_series

    frame = read_series(ws).get(site_id)
    series = [] if frame is None else frame.to_dicts()
    used = {s for r in series for s in (r.get("before"), r.get("after")) if s}
    scenes = []
    for a in site_scenes(ws, site_id):
        q = a.metadata.get("quality")
        q = q if isinstance(q, dict) else {}
        usable = _share(q.get("usable_fraction", a.metadata.get("valid_fraction")))
        scenes.append(
            {
                "id": a.id,
                "name": a.name,
                "date": a.captured_at.isoformat()[:16].replace("T", " ") if a.captured_at else "–",
                "usable": usable,
                "cloud": _share(q.get("cloud")),
                "haze": _share(q.get("haze")),
                "shadow": _share(q.get("shadow")),
                "mask": q.get("method") or a.metadata.get("cloud_mask") or "–",
                "registration": _registration(a.metadata.get("registration")),
                "in_series": a.id in used,
                "simulated": bool(a.metadata.get("simulated")),
                "size": a.size,
            }
        )
    return {"scenes": scenes, "series": series}


def quicklook_png(ws: Workspace, artifact_id: str, px: int | None = None) -> bytes:
    """A true-colour PNG of a stored scene (2-98 % stretch, enlarged to at least 256 px); the scene is
    content-addressed, so browsers may keep the answer. ``px``: at most that many pixels a side (the
    thumbnails on the site page; a 2 m scene of a site is 1,000 px and 1.5 MB as a PNG)."""
    art = ws.get_artifact(artifact_id)
    if art.metadata.get("kind") != SCENE_KIND:
        raise NotFoundError(f"artifact {art.id} is not a stored imagery scene")

    import numpy as np

    from armswatch.imagery.chip import chip_png
    from armswatch.imagery.ingest import read_scene

    bands = read_scene(ws.artifact_path(art.id))
    missing = [r for r in ("red", "green", "blue") if r not in bands]
    if missing:
        raise NotFoundError(f"scene {art.id} has no {', '.join(missing)} band for a true-colour quicklook")
    data = chip_png(np.stack([bands["red"], bands["green"], bands["blue"]]))
    if px is None:
        return data
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.thumbnail((px, px), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
