"""A report section contributed by a domain package (imagery, maritime, entities).

``html`` is trusted HTML produced by armswatch's own code (never user text pasted in unescaped);
``features`` are extra GeoJSON Feature dicts drawn on the report map (a ``properties.label`` is shown
as a tooltip, ``properties.status`` picks the colour).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ReportSection:
    title: str
    html: str
    features: Sequence[Mapping[str, Any]] = field(default=())
