"""Planet connector against a recorded server on 127.0.0.1 (the SDK's ``base_url`` points at it)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import Point
from tests.connectors.fixtures import SITE, geotiff_bytes, workspace
from tests.connectors.recorded import Recorded

from armswatch.connectors import planet
from armswatch.connectors.credentials import get_provider
from armswatch.connectors.delivery import store_deliveries
from armswatch.errors import ExternalServiceError
from armswatch.workspace import Workspace

KEY = "PLAK-test-key-5f3a9c"
AREA = Point(130.38972, 42.34).buffer(0.005)


def items() -> dict[str, object]:
    feats = [
        {"id": "20240502_021033_41_24c4", "type": "Feature", "geometry": None,
         "properties": {"item_type": "PSScene", "acquired": "2024-05-02T02:10:33.41Z", "cloud_cover": 0.02, "gsd": 3.9}},
        {"id": "20240501_014512_10_2479", "type": "Feature", "geometry": None,
         "properties": {"item_type": "PSScene", "acquired": "2024-05-01T01:45:12.10Z", "cloud_cover": 0.0, "gsd": 3.7}},
    ]  # fmt: skip
    return {"type": "FeatureCollection", "features": feats, "_links": {}}


SPEC = {
    "bundles": {
        "analytic_sr_udm2": {"assets": {"PSScene": ["ortho_analytic_4b_sr", "ortho_udm2"]}},
        "pansharpened_udm2": {"assets": {"SkySatCollect": ["ortho_pansharpened", "ortho_udm2"]}},
    }
}


@pytest.fixture(autouse=True)
def _fresh_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    from planet import specs

    monkeypatch.setattr(specs.PRODUCT_BUNDLES, "cache", None, raising=False)


def record_planet(rec: Recorded) -> None:
    rec.add("GET", "/compute/ops/bundles/spec", SPEC)
    rec.add("POST", "/data/v1/quick-search", items())
    rec.add(
        "POST",
        "/compute/ops/orders/v2",
        {"id": "5f1c0a2e-4c7b-4b8e-9d3a-2f6b1e0c9a77", "state": "queued", "_links": {}},
    )
    results = lambda req: {  # noqa: E731
        "id": "5f1c0a2e-4c7b-4b8e-9d3a-2f6b1e0c9a77", "state": "success",
        "_links": {"_self": rec.url + "/compute/ops/orders/v2/5f1c0a2e-4c7b-4b8e-9d3a-2f6b1e0c9a77", "results": [
            {"name": f"5f1c0a2e-4c7b-4b8e-9d3a-2f6b1e0c9a77/PSScene/{i}_3B_AnalyticMS_SR_clip.tif", "location": f"{rec.url}/dl/{i}"}
            for i in ("20240501_014512_10_2479", "20240502_021033_41_24c4")]
            + [{"name": "5f1c0a2e-4c7b-4b8e-9d3a-2f6b1e0c9a77/PSScene/20240501_014512_10_2479_3B_udm2_clip.tif",
                "location": f"{rec.url}/dl/udm2"}]},
    }  # fmt: skip
    rec.add("GET", "/compute/ops/orders/v2/5f1c0a2e-4c7b-4b8e-9d3a-2f6b1e0c9a77", results)
    for i in ("20240501_014512_10_2479", "20240502_021033_41_24c4"):
        rec.add("GET", f"/dl/{i}", geotiff_bytes(size=210, res=10.0))
    rec.add("GET", "/dl/udm2", geotiff_bytes(size=210, res=10.0, bands=8))


def test_search_order_download_store(
    recorded: Recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PL_API_KEY", KEY)
    monkeypatch.setenv("ARMSWATCH_PROVIDERS_FILE", str(tmp_path / "none.toml"))
    root = workspace(tmp_path, f'[providers.planet]\nbase_url = "{recorded.url}"\n')
    record_planet(recorded)
    cfg = get_provider("planet", root)
    assert KEY not in repr(cfg) and KEY not in json.dumps(cfg.row())
    found = planet.search(cfg, AREA, date(2024, 5, 1), date(2024, 5, 3), max_cloud=10)
    assert [i.id for i in found] == ["20240501_014512_10_2479", "20240502_021033_41_24c4"]  # date order
    assert found[1].cloud_cover == 2.0
    (search_req,) = recorded.seen("POST", "/data/v1/quick-search")
    body = json.loads(search_req.body)
    assert body["item_types"] == ["PSScene"]
    flat = json.dumps(body["filter"])
    assert "2024-05-01T00:00:00" in flat and '"lte": 0.1' in flat
    delivered = planet.order(cfg, found, AREA, name="rajin test", folder=tmp_path / "dl", delay=0)
    roles = {d.path.name.split("_3B_")[1]: d.extra for d in delivered}
    assert roles["AnalyticMS_SR_clip.tif"]["bands"] == "blue,green,red,nir"  # PlanetScope 4-band order
    assert roles["udm2_clip.tif"]["ingest"] is False
    (order_req,) = recorded.seen("POST", "/compute/ops/orders/v2")
    sent = json.loads(order_req.body)
    assert sent["products"][0]["product_bundle"] == "analytic_sr_udm2"
    assert sent["tools"][0]["clip"]["aoi"]["type"] == "Polygon"  # clipped to the site
    for r in recorded.log:  # the key travels in a header, never in a URL or a body
        assert KEY not in r.path + r.query and KEY.encode() not in r.body
    assert any(KEY in v for v in search_req.headers.values())
    with Workspace.open(root) as ws:
        stored = store_deliveries(ws, SITE, "planet", "planet", delivered, {"items": [i.id for i in found]},
                                  ingest=True)  # fmt: skip
        assert len(stored) == 3  # two analytic scenes and one usable-data mask, all kept as artifacts
        scenes = [a for a in ws.list_artifacts("image/tiff") if a.metadata.get("kind") == "imagery.scene"]
        assert (
            len(scenes) == 2
        )  # the mask is not ingested; the analytic files are read as blue, green, red, nir
        art = ws.get_artifact(stored[0].artifact_id)
        assert (
            art.metadata["provider"] == "planet"
            and art.metadata["order_id"] == "5f1c0a2e-4c7b-4b8e-9d3a-2f6b1e0c9a77"
        )
        assert "Planet Labs" in art.metadata["licence"]
        assert art.captured_at is not None and art.captured_at.date() == date(2024, 5, 1)
        (run,) = ws.list_runs(tool="imagery.order")
        assert set(run.outputs) == {s.artifact_id for s in stored}


def test_errors_are_redacted(recorded: Recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PL_API_KEY", KEY)
    monkeypatch.setenv("ARMSWATCH_PROVIDERS_FILE", str(tmp_path / "none.toml"))
    root = workspace(tmp_path, f'[providers.planet]\nbase_url = "{recorded.url}"\n')
    recorded.add("GET", "/compute/ops/bundles/spec", SPEC)
    recorded.add("POST", "/data/v1/quick-search", {"message": f"invalid api key {KEY}"}, status=401)
    cfg = get_provider("planet", root)
    with pytest.raises(ExternalServiceError) as err:
        planet.search(cfg, AREA, date(2024, 5, 1), date(2024, 5, 3))
    assert KEY not in str(err.value) and "***" in str(err.value)
