"""An authenticated STAC API (bearer token, basic auth) served by a recorded server on 127.0.0.1; the
search goes through pystac-client, the assets through GDAL /vsicurl/ with the same credentials."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point
from tests.connectors.fixtures import SITE, geotiff_bytes, workspace
from tests.connectors.recorded import Recorded, Request

from armswatch.connectors import stac_auth
from armswatch.connectors.credentials import Secret, get_provider, load_providers, redact
from armswatch.connectors.delivery import store_deliveries
from armswatch.errors import ExternalServiceError, InputError
from armswatch.imagery import raster
from armswatch.workspace import Workspace

TOKEN = "mx-token-0c8f5e2b"
SITE_GEOM = Point(130.38972, 42.34)


def guarded(expected: str, body: Any) -> Any:
    def respond(req: Request) -> Any:
        if req.headers.get("authorization") != expected:
            return 401, {"message": "unauthorized"}
        return body(req) if callable(body) else body

    return respond


def record_stac(rec: Recorded, expected: str) -> None:
    landing = {"type": "Catalog", "id": "vhr", "description": "recorded", "stac_version": "1.0.0",
               "conformsTo": ["https://api.stacspec.org/v1.0.0/core", "https://api.stacspec.org/v1.0.0/item-search", "https://api.stacspec.org/v1.0.0/item-search#query"],
               "links": [{"rel": "self", "href": rec.url + "/"}, {"rel": "root", "href": rec.url + "/"},
                         {"rel": "search", "href": rec.url + "/search", "method": "POST", "type": "application/geo+json"}]}  # fmt: skip
    rec.add("GET", "/", guarded(expected, landing))
    item = {
        "type": "Feature", "stac_version": "1.0.0", "id": "WV03-20240502-0123", "collection": "wv03-vnir",
        "geometry": json.loads(json.dumps({"type": "Polygon", "coordinates": [[[130.3, 42.3], [130.5, 42.3], [130.5, 42.4], [130.3, 42.4], [130.3, 42.3]]]})),
        "bbox": [130.3, 42.3, 130.5, 42.4],
        "properties": {"datetime": "2024-05-02T02:31:00Z", "eo:cloud_cover": 1.5, "platform": "worldview-3"},
        "links": [], "assets": {r: {"href": f"{rec.url}/assets/{r}.tif", "type": "image/tiff"} for r in ("red", "green", "blue", "nir")},
    }  # fmt: skip
    rec.add(
        "POST", "/search", guarded(expected, {"type": "FeatureCollection", "features": [item], "links": []})
    )
    for r in ("red", "green", "blue", "nir"):
        rec.add("GET", f"/assets/{r}.tif", guarded(expected, geotiff_bytes(size=120, res=2.0, bands=1)))


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARMSWATCH_PROVIDERS_FILE", str(tmp_path / "user.toml"))


def test_bearer_search_and_windowed_delivery(
    recorded: Recorded, tmp_path: Path, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARMSWATCH_MAXAR_TOKEN", TOKEN)
    root = workspace(tmp_path, f'[providers.maxar]\nkind = "stac"\nurl = "{recorded.url}/"\ncollection = "wv03-vnir"\n'
                               'auth = "bearer"\nlicence = "Maxar EULA: no redistribution"\n')  # fmt: skip
    record_stac(recorded, f"Bearer {TOKEN}")
    cfg = get_provider("maxar", root)
    assert cfg.kind == "stac" and TOKEN not in repr(cfg) and "token=set" in cfg.row()["secrets"]
    pairs = stac_auth.search(cfg, SITE_GEOM.buffer(0.01), date(2024, 5, 1), date(2024, 5, 3), max_cloud=10)
    (scene, _item) = pairs[0]
    assert scene.id == "WV03-20240502-0123" and set(scene.bands) >= {"red", "green", "blue", "nir"}
    d = stac_auth.deliver(cfg, scene, SITE_GEOM, resolution=2.0, folder=tmp_path / "dl")
    info = raster.image_info(d.path)
    assert info.roles == {"red": 0, "green": 1, "blue": 2, "nir": 3} and info.pixel_size_m == pytest.approx(
        2.0
    )
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in recorded.log), (
        "every request authenticated"
    )
    assert any(r.path == "/assets/red.tif" for r in recorded.log)
    with Workspace.open(root) as ws:
        (stored,) = store_deliveries(ws, SITE, "maxar", "stac", [d], {"collection": "wv03-vnir"})
        art = ws.get_artifact(stored.artifact_id)
        assert (
            art.metadata["licence"] == "Maxar EULA: no redistribution" and art.metadata["item_id"] == scene.id
        )


def test_basic_auth_and_wrong_credentials(
    recorded: Recorded, tmp_path: Path, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARMSWATCH_VHR_USERNAME", "analyst")
    monkeypatch.setenv("ARMSWATCH_VHR_PASSWORD", "pw-wrong-123456")
    root = workspace(tmp_path, f'[providers.vhr]\nkind = "stac"\nurl = "{recorded.url}/"\nauth = "basic"\n')
    record_stac(recorded, "Basic " + base64.b64encode(b"analyst:pw-right-654321").decode())
    cfg = get_provider("vhr", root)
    with pytest.raises(ExternalServiceError) as err:
        stac_auth.search(cfg, SITE_GEOM.buffer(0.01), date(2024, 5, 1), date(2024, 5, 3))
    assert "pw-wrong" not in str(err.value)
    monkeypatch.setenv("ARMSWATCH_VHR_PASSWORD", "pw-right-654321")
    pairs = stac_auth.search(
        get_provider("vhr", root), SITE_GEOM.buffer(0.01), date(2024, 5, 1), date(2024, 5, 3)
    )
    assert len(pairs) == 1


def test_config_sources_and_errors(tmp_path: Path, env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "user.toml").write_text(
        '[providers.planet]\napi_key = "from-user-file-1234"\nitem_type = "SkySatCollect"\n'
    )
    root = workspace(
        tmp_path,
        '[providers.planet]\nitem_type = "PSScene"\n[providers.up42]\nkind = "stac"\nurl = "https://x"\nauth = "bearer"\ntoken_env = "MY_UP42"\n',
    )
    monkeypatch.setenv("MY_UP42", "tok-from-named-var")
    monkeypatch.delenv("PL_API_KEY", raising=False)
    got = load_providers(root)
    assert got["planet"].settings["item_type"] == "PSScene"  # the workspace wins for settings
    assert got["planet"].secret("api_key") == "from-user-file-1234"
    assert got["up42"].secret("token") == "tok-from-named-var"
    monkeypatch.setenv("PL_API_KEY", "from-environment-5678")
    assert load_providers(root)["planet"].secret("api_key") == "from-environment-5678"  # env wins for secrets
    assert redact("key from-environment-5678 leaked", [Secret("from-environment-5678")]) == "key *** leaked"
    with pytest.raises(InputError, match="unknown imagery provider 'maxar'"):
        get_provider("maxar", root)
    monkeypatch.delenv("MY_UP42")
    with pytest.raises(InputError, match="ARMSWATCH_UP42_TOKEN"):
        stac_auth.auth_headers(load_providers(root)["up42"])
    (root / "armswatch.toml").write_text(
        (root / "armswatch.toml").read_text() + '\n[providers.bad]\nkind = "ftp"\n'
    )
    with pytest.raises(InputError, match="kind must be one of"):
        load_providers(root)


def test_cli_providers_and_order(
    recorded: Recorded, tmp_path: Path, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from armswatch.cli.main import app

    runner = CliRunner()
    monkeypatch.setenv("ARMSWATCH_MAXAR_TOKEN", TOKEN)
    root = workspace(
        tmp_path, f'[providers.maxar]\nkind = "stac"\nurl = "{recorded.url}/"\nauth = "bearer"\n'
    )
    record_stac(recorded, f"Bearer {TOKEN}")
    res = runner.invoke(app, ["imagery", "providers", "-w", str(root), "-f", "json"])
    assert res.exit_code == 0, res.output
    (row,) = [r for r in json.loads(res.output) if r["provider"] == "maxar"]
    assert row["secrets"] == "token=set" and TOKEN not in res.output
    assert recorded.log == []  # listing contacts nothing
    base = [
        "imagery",
        "order",
        "--provider",
        "maxar",
        "--site",
        SITE,
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-03",
        "-w",
        str(root),
    ]
    res = runner.invoke(app, [*base, "--search-only", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in json.loads(res.output)] == ["WV03-20240502-0123"]
    assert not any(r.path.startswith("/assets") for r in recorded.log)
    res = runner.invoke(app, [*base, "--ingest", "-f", "json", "-q"])
    assert res.exit_code == 0, res.output
    (stored,) = json.loads(res.output)
    with Workspace.open(root) as ws:
        assert ws.get_artifact(stored["artifact"]).metadata["provider"] == "maxar"
        assert [a for a in ws.list_artifacts("image/tiff") if a.metadata.get("kind") == "imagery.scene"]
    res = runner.invoke(
        app,
        [
            "imagery",
            "order",
            "--provider",
            "nope",
            "--site",
            SITE,
            "--from",
            "2024-05-01",
            "--to",
            "2024-05-03",
            "-w",
            str(root),
        ],
    )
    assert res.exit_code == 2 and "unknown imagery provider" in res.output
