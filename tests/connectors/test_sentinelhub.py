"""Sentinel Hub connector against a recorded server on 127.0.0.1 (``base_url`` and ``token_url`` point at
it; the OAuth library is told plain http is acceptable for the local server only)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import Point
from tests.connectors.fixtures import SITE, geotiff_bytes, workspace
from tests.connectors.recorded import Recorded

from armswatch.connectors import sentinelhub as shc
from armswatch.connectors.credentials import get_provider
from armswatch.connectors.delivery import store_deliveries
from armswatch.errors import ExternalServiceError
from armswatch.imagery import raster
from armswatch.workspace import Workspace

CLIENT_ID = "sh-client-9d2e41"
SECRET = "sh-secret-77b0c3aa"
SITE_GEOM = Point(130.38972, 42.34)


@pytest.fixture()
def root(recorded: Recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the recorded server is plain http on localhost
    monkeypatch.setenv("SH_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SH_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("ARMSWATCH_PROVIDERS_FILE", str(tmp_path / "none.toml"))
    recorded.add(
        "POST", "/oauth/token", {"access_token": "tok-abc123", "token_type": "Bearer", "expires_in": 3600}
    )
    return workspace(
        tmp_path,
        f'[providers.sentinelhub]\nbase_url = "{recorded.url}"\ntoken_url = "{recorded.url}/oauth/token"\n',
    )


def catalog() -> dict[str, object]:
    feats = [
        {"id": "S2B_MSIL2A_20240503T021609_N0510_R003_T52TFN", "properties": {"datetime": "2024-05-03T02:26:10Z", "eo:cloud_cover": 3.1}},
        {"id": "S2A_MSIL2A_20240428T021611_N0510_R003_T52TFN", "properties": {"datetime": "2024-04-28T02:26:12Z", "eo:cloud_cover": 0.4}},
    ]  # fmt: skip
    return {"type": "FeatureCollection", "features": feats, "context": {"limit": 100, "returned": 2}}


def test_catalog_then_process_per_day(recorded: Recorded, root: Path) -> None:
    recorded.add("POST", "/api/v1/catalog/1.0.0/search", catalog())
    recorded.add("POST", "/api/v1/process", geotiff_bytes(size=201, res=10.0))
    cfg = get_provider("sentinelhub", root)
    scenes = shc.search(cfg, SITE_GEOM.buffer(0.01), date(2024, 4, 25), date(2024, 5, 5), max_cloud=20)
    assert [s.datetime.date().isoformat() for s in scenes] == ["2024-04-28", "2024-05-03"]
    (search,) = recorded.seen("POST", "/api/v1/catalog/1.0.0/search")
    assert "eo:cloud_cover <= 20.0" in json.dumps(json.loads(search.body))
    assert search.headers["authorization"] == "Bearer tok-abc123"
    delivered = shc.fetch(cfg, scenes, SITE_GEOM, folder=root.parent / "dl")
    assert len(delivered) == 2 and len(recorded.seen("POST", "/api/v1/process")) == 2
    body = json.loads(recorded.seen("POST", "/api/v1/process")[0].body)
    assert body["input"]["bounds"]["properties"]["crs"].endswith("32652")  # the site's UTM grid
    assert body["output"]["width"] == 201 and "B08" in body["evalscript"]
    info = raster.image_info(delivered[0].path)
    assert set(info.roles) == {"red", "green", "blue", "nir"}
    token_req = recorded.seen("POST", "/oauth/token")[0]
    assert SECRET.encode() in token_req.body  # the secret goes only to the token endpoint
    for r in recorded.log:
        assert SECRET not in r.path + r.query and CLIENT_ID not in r.path + r.query
        if r.path != "/oauth/token":
            assert SECRET.encode() not in r.body
    with Workspace.open(root) as ws:
        stored = store_deliveries(ws, SITE, "sentinelhub", "sentinelhub", delivered, {}, ingest=True)
        art = ws.get_artifact(stored[0].artifact_id)
        assert art.metadata["provider"] == "sentinelhub" and art.metadata["order_id"].startswith("process-")
        assert "Copernicus" in art.metadata["licence"]
        scenes_ingested = [
            a for a in ws.list_artifacts("image/tiff") if a.metadata.get("kind") == "imagery.scene"
        ]
        assert len(scenes_ingested) == 2


def test_auth_failure_is_redacted(recorded: Recorded, root: Path) -> None:
    recorded.add(
        "POST", "/oauth/token", {"error": "invalid_client", "error_description": f"bad {SECRET}"}, status=401
    )
    cfg = get_provider("sentinelhub", root)
    with pytest.raises(ExternalServiceError) as err:
        shc.search(cfg, SITE_GEOM.buffer(0.01), date(2024, 4, 25), date(2024, 5, 5))
    assert SECRET not in str(err.value)
