"""Sourced case templates of munition items shipped with armswatch (``munitions/data``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Final

from armswatch.errors import NotFoundError
from armswatch.munitions.item import MunitionItem

TEMPLATES: Final = {"dprk-russia": "dprk-russia-items.json"}


def load_template(name: str) -> list[MunitionItem]:
    """The items of a shipped template; each keeps the sources the project fact base cites."""
    filename = TEMPLATES.get(name)
    if filename is None:
        raise NotFoundError(f"no munitions template {name!r}; known: {', '.join(sorted(TEMPLATES))}")
    data = json.loads(resources.files("armswatch.munitions").joinpath("data", filename).read_text("utf-8"))
    return [MunitionItem.from_dict(item) for item in data["items"]]
