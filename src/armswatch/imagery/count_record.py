"""Counting models in a workspace: a trained model is an artifact (kind ``imagery.count_model``), stored
by ``imagery count-train --workspace`` as the output of an ``imagery.count_train`` run and, when a count
with ``--model`` becomes a finding, as an input of its ``imagery.count`` run (the artifact id is the
model file's SHA-256)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from armswatch.imagery.count_model import CountModel
    from armswatch.workspace import Workspace

COUNT_MODEL_KIND = "imagery.count_model"
MEDIA_TYPE = "application/x-npz"


def record_count_model(ws: Workspace, path: Path, provenance: dict[str, Any]) -> str:
    """Store a freshly trained model as the output of an ``imagery.count_train`` run; its artifact id."""
    obj = provenance.get("object", {})
    params = {"folder": provenance.get("folder"), "object": obj, "seed": provenance.get("seed"),
              "threshold": provenance.get("training", {}).get("threshold")}  # fmt: skip
    with ws.run("imagery.count_train", parameters=params) as run:
        art = ws.add_artifact(path, media_type=MEDIA_TYPE, name=path.name,
                              metadata={"kind": COUNT_MODEL_KIND, "provenance": provenance})  # fmt: skip
        run.add_output(art.id)
    return art.id


def model_input(ws: Workspace, model: CountModel) -> tuple[str, dict[str, Any]]:
    """The model used by a count, stored as an artifact: its id and what the finding says about it."""
    art = ws.add_artifact(Path(model.path), media_type=MEDIA_TYPE, name=Path(model.path).name,
                          metadata={"kind": COUNT_MODEL_KIND})  # fmt: skip
    about = {"artifact": art.id, "sha256": model.sha256, "object": model.object_name,
             "threshold": model.threshold}  # fmt: skip
    return art.id, about
