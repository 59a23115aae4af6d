"""Shared fixtures: a fresh workspace per test, the CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from shapely.geometry import Point
from typer.testing import CliRunner

from armswatch.sites.model import Site
from armswatch.workspace import Workspace

# Property tests: no per-example deadline (two shared cores make timings meaningless) and the same
# examples on every run, so CI is never red by chance; `make fuzz` is where new inputs are searched for.
settings.register_profile("armswatch", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("armswatch")


@pytest.fixture()
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "case", analyst="tester")
    yield workspace
    workspace.close()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def make_site(site_id: str = "rajin-port", lon: float = 130.38972, lat: float = 42.34) -> Site:
    return Site(
        id=site_id,
        name=site_id.replace("-", " ").title(),
        country="KP",
        kind="port",
        precision="settlement",
        geometry=Point(lon, lat),
        sources=("https://example.org/source",),
        notes="test site",
    )
