"""Recording a file-level change run in a workspace: inputs (both images, hints, model) and the mask are
artifacts, the run holds the parameters. Every call is a new run; a re-run with other hints has another
hints artifact as input."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

HINTS_KIND = "imagery.hints"
MODEL_KIND = "imagery.model"


def record_change(
    ws: Workspace,
    *,
    before: Path,
    after: Path,
    output: Path,
    parameters: dict[str, Any],
    summary: dict[str, Any],
    hints: Path | None = None,
    model: Path | None = None,
) -> str:
    """Store the inputs and the output mask as artifacts and record one ``imagery.change`` run."""
    inputs = [
        ws.add_artifact(before, media_type="image/tiff" if before.suffix.lower() in (".tif", ".tiff") else None,
                        metadata={"kind": "imagery.image", "role": "before"}).id,
        ws.add_artifact(after, media_type="image/tiff" if after.suffix.lower() in (".tif", ".tiff") else None,
                        metadata={"kind": "imagery.image", "role": "after"}).id,
    ]  # fmt: skip
    if hints is not None:
        inputs.append(ws.add_artifact(hints, media_type="text/csv", metadata={"kind": HINTS_KIND}).id)
    if model is not None:
        inputs.append(
            ws.add_artifact(model, media_type="application/x-npz", metadata={"kind": MODEL_KIND}).id
        )
    with ws.run("imagery.change", parameters=parameters, inputs=inputs) as run:
        mask = ws.add_artifact(output, metadata={"kind": "imagery.change-mask"})
        run.add_output(mask.id)
        run.summary.update(summary)
        return run.id
