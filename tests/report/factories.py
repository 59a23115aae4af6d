"""Small report fixtures made in code (generated PNGs, made-up ids; nothing from shared data)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import numpy as np
from PIL import Image
from shapely.geometry import Point

from armswatch.report.model import EvidenceItem, ReportData, ReportFinding, ReviewEntry, RunInfo
from armswatch.report.section import ReportSection
from armswatch.sites.model import Site

T0 = datetime(2024, 10, 3, 12, 0, tzinfo=UTC)
SHA_A = "sha256:" + "a" * 64
SHA_B = "sha256:" + "b" * 64


def png_bytes(seed: int = 0, size: tuple[int, int] = (24, 32)) -> bytes:
    rng = np.random.default_rng(seed)
    arr = (rng.random((*size, 3)) * 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(arr).save(out, format="PNG")
    return out.getvalue()


def make_run(**kw: Any) -> RunInfo:
    base: dict[str, Any] = {
        "id": "run-0001",
        "tool": "imagery.change",
        "version": "0.1.0",
        "parameters": {"threshold": 0.3, "bands": ["B04", "B08"]},
        "inputs": (SHA_A, SHA_B),
        "started_at": T0,
        "ended_at": T0,
    }
    return RunInfo(**(base | kw))


def make_finding(**kw: Any) -> ReportFinding:
    base: dict[str, Any] = {
        "id": "fnd-0001",
        "kind": "imagery.change",
        "title": "New hall at test plant",
        "summary": "Bright change of 120 m2",
        "status": "new",
        "confidence": "likely",
        "simulated": False,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[127.5, 39.9], [127.6, 39.9], [127.6, 40.0], [127.5, 40.0], [127.5, 39.9]]],
        },
        "start": T0,
        "end": T0,
        "subjects": ("site:test-plant",),
        "evidence": (EvidenceItem(SHA_A, "before.png", "image/png", png_bytes(1)),),
        "run": make_run(),
        "reviews": (ReviewEntry(T0, "alice", "new", "first look"),),
        "details": {"area_m2": 120},
    }
    return ReportFinding(**(base | kw))


def make_site(site_id: str = "test-plant", lon: float = 127.53639, lat: float = 39.91833, **kw: Any) -> Site:
    base: dict[str, Any] = {
        "id": site_id,
        "name": "Test plant",
        "country": "KP",
        "kind": "production",
        "geometry": Point(lon, lat),
        "precision": "city",
        "sources": ("https://example.org/source", "a printed citation"),
        "notes": "city centroid",
    }
    return Site(**(base | kw))


def make_data(**kw: Any) -> ReportData:
    base: dict[str, Any] = {
        "title": "Test report",
        "generated_at": T0,
        "workspace": "case",
        "version": "0.1.0",
        "sites": (make_site(), make_site("test-port", 130.39, 42.34, name="Test port", kind="port")),
        "findings": (make_finding(),),
        "sections": (),
    }
    return ReportData(**(base | kw))


SECTION = ReportSection(
    "Maritime",
    "<p class='domain'>Port calls: <b>12</b></p>",
    (
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [131.0, 42.0]},
            "properties": {"label": "gap"},
        },
    ),
)
