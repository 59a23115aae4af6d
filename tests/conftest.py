"""Shared fixtures: a fresh workspace per test, the CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from armswatch.sites.model import Site
from armswatch.workspace import Workspace


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
