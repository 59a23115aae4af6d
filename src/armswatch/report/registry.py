"""Which domain packages contribute report sections and demo parts.

Each entry is ``module:function``. A section provider is ``report_section(ws) -> ReportSection | None``;
a demo part is ``build_demo(ws) -> None``. Listed in the order they appear.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from armswatch.report.section import ReportSection
    from armswatch.workspace import Workspace

SECTION_PROVIDERS: tuple[str, ...] = (
    "armswatch.imagery.report:report_section",
    "armswatch.maritime.report:report_section",
    "armswatch.rail.report:report_section",
    "armswatch.entities.report:report_section",
    "armswatch.entities.screen:report_section",
    "armswatch.munitions.report:report_section",
    "armswatch.evidence.report:report_section",
    "armswatch.violations.report:report_section",
)

DEMO_PARTS: tuple[str, ...] = (
    "armswatch.entities.demo:build_demo",
    "armswatch.maritime.demo:build_demo",
    "armswatch.cli.ais_ingest:build_demo",
    "armswatch.imagery.demo:build_demo",
    "armswatch.maritime.voyage.demo:build_demo",
    "armswatch.entities.screen:screen_demo",
    "armswatch.joins.demo:build_demo",
)


def _load(entry: str) -> Callable[..., Any]:
    module_name, _, attr = entry.partition(":")
    fn: Callable[..., Any] = getattr(import_module(module_name), attr)
    return fn


def sections(ws: Workspace) -> list[ReportSection]:
    found = [_load(entry)(ws) for entry in SECTION_PROVIDERS]
    return [s for s in found if s is not None]


def demo_parts() -> list[Callable[[Workspace], None]]:
    return [_load(entry) for entry in DEMO_PARTS]
