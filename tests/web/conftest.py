"""A small case for the workbench: users of every role, sites, findings, AIS, a list entity.

Names carry markup (``<script>alert(1)</script>``) so every page is also an XSS check.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import Point

from armswatch.auth.ratelimit import LoginLimiter
from armswatch.auth.roles import ROLES
from armswatch.auth.session import create_session
from armswatch.auth.users import add_user
from armswatch.sites.model import Site
from armswatch.web.app import create_app
from armswatch.workspace import Workspace

XSS = "<script>alert(1)</script>"
PASSWORD = "correct horse battery"
MMSI = 273450000
EVIL_MMSI = 273450001
T0 = datetime(2024, 3, 1, tzinfo=UTC)


@dataclass
class Case:
    ws: Workspace
    app: FastAPI
    findings: dict[str, str]  # label -> id
    root: Path
    sessions: dict[str, tuple[str, str]]  # role -> (cookie token, csrf token)
    bearers: dict[str, str]

    def client(self, role: str | None = None, *, bearer: bool = False) -> TestClient:
        c = TestClient(self.app, base_url="http://127.0.0.1")
        if role is not None and bearer:
            c.headers["Authorization"] = f"Bearer {self.bearers[role]}"
        elif role is not None:
            c.cookies.set("aw_session", self.sessions[role][0])
        return c

    def csrf(self, role: str) -> str:
        return self.sessions[role][1]


def _positions(mmsi: int, n: int) -> pl.DataFrame:
    ts = [T0 + timedelta(minutes=10 * i) for i in range(n)]
    return pl.DataFrame(
        {
            "mmsi": [mmsi] * n,
            "ts": ts,
            "lat": [42.0 + 0.001 * i for i in range(n)],
            "lon": [130.5 + 0.001 * i for i in range(n)],
            "sog": [8.0] * n,
            "msg_type": [1] * n,
            "source": ["simulated"] * n,
            "line": list(range(1, n + 1)),
        }
    )


def _png(colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buf, format="PNG")
    return buf.getvalue()


def build_case(root: Path) -> Case:
    from armswatch.entities.ingest import import_list
    from armswatch.maritime import store

    ws = Workspace.init(root / "case", analyst="ana")
    ws.save_sites(
        [
            Site(
                id="rajin-port",
                name="Rajin port",
                country="KP",
                kind="port",
                precision="settlement",
                geometry=Point(130.39, 42.34),
                sources=("https://example.org/rajin",),
                notes="test",
            ),
            Site(
                id="evil-site",
                name=XSS,
                country="KP",
                kind="production",
                precision="city",
                geometry=Point(127.5, 39.9),
                aliases=(XSS,),
                sources=("https://example.org/e",),
                notes=XSS,
            ),
        ]
    )
    store.write_positions(ws, _positions(MMSI, 60))
    store.write_statics(
        ws,
        pl.DataFrame(
            {
                "mmsi": [MMSI, EVIL_MMSI],
                "ts": [T0, T0],
                "imo": ["9123453", None],
                "name": ["SIM PINE", XSS],
                "callsign": ["UBC1", "X"],
                "ship_type": [70, 70],
                "source": ["simulated"] * 2,
                "line": [1, 2],
            }
        ),
    )
    store.write_positions(ws, _positions(EVIL_MMSI, 3))
    ftm = root / "list.ftm.json"
    ftm.write_text(
        json.dumps({"id": "evil-co", "schema": "Company", "properties": {"name": [XSS]}})
        + "\n"
        + json.dumps({"id": "pine-co", "schema": "Company", "properties": {"name": ["Pine Shipping LLC"]}})
        + "\n",
        encoding="utf-8",
    )
    import_list(ws, ftm, format="ftm", dataset="test", list_date=date(2024, 1, 1))
    image = ws.add_artifact(
        _png((40, 120, 40)),
        name="chip_before.png",
        media_type="image/png",
        metadata={"kind": "imagery.chip", "role": "before"},
    )
    after = ws.add_artifact(
        _png((200, 200, 200)),
        name="chip_after.png",
        media_type="image/png",
        metadata={"kind": "imagery.chip", "role": "after"},
    )
    html = ws.add_artifact(
        b"<html><script>alert(1)</script></html>", name="page.html", media_type="text/html"
    )
    findings: dict[str, str] = {}
    with ws.run("test.analysis", parameters={"k": 1}, inputs=[image.id]) as run:
        findings["change"] = run.add_finding(
            kind="imagery.change",
            title=f"New hall at {XSS}",
            subjects=["site:evil-site"],
            geometry={"type": "Point", "coordinates": [127.5, 39.9]},
            start=T0,
            end=T0 + timedelta(days=30),
            confidence="likely",
            evidence=[image.id, after.id, html.id],
            details={"note": XSS},
        )
        findings["gap"] = run.add_finding(
            kind="ais.gap",
            title="Dark for 31 h near Rajin",
            subjects=[f"vessel:mmsi:{MMSI}", "site:rajin-port"],
            geometry={"type": "Point", "coordinates": [130.5, 42.0]},
            start=T0,
            end=T0 + timedelta(hours=31),
            confidence="roughly even chance",
            evidence=[image.id],
        )
        findings["match"] = run.add_finding(
            kind="entities.match",
            title="Query matches evil-co",
            subjects=["entity:evil-co"],
            confidence="unlikely",
            evidence=[image.id],
        )
    sessions, bearers = {}, {}
    for role in ROLES:
        user = add_user(ws, role, role, PASSWORD)
        token, session = create_session(ws, user, "cookie")
        sessions[role] = (token, session.csrf_token)
        bearers[role] = create_session(ws, user, "bearer")[0]
    # "ana" (who ran the analysis) is also a reviewer: she may reject but not confirm her own findings
    ana = add_user(ws, "ana", "reviewer", PASSWORD)
    token, session = create_session(ws, ana, "cookie")
    sessions["ana"] = (token, session.csrf_token)
    app = create_app(ws, limiter=LoginLimiter(max_failures=3, window_s=60))
    return Case(ws, app, findings, root, sessions, bearers)


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2() -> Iterator[None]:
    """Argon2 with small parameters in tests (the real ones cost about 0.1-0.7 s per hash by design)."""
    from argon2 import PasswordHasher

    from armswatch.auth import password

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(password, "_hasher", lambda: cheap)
        mp.setattr(password, "dummy_hash", lambda: cheap.hash("dummy"))
        yield


@pytest.fixture(scope="module")
def case(cheap_argon2: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    c = build_case(tmp_path_factory.mktemp("web"))
    yield c
    c.ws.close()


@pytest.fixture()
def fresh_case(cheap_argon2: None, tmp_path: Path) -> Iterator[Case]:
    c = build_case(tmp_path)
    yield c
    c.ws.close()
