"""Sentinel Hub (``sentinelhub`` package): Catalog API search and Process API requests for a site's grid.

Works with the commercial Sentinel Hub (``base_url`` https://services.sentinel-hub.com, the default) and
with the Copernicus Data Space Ecosystem (``base_url = "https://sh.dataspace.copernicus.eu"``,
``token_url = "https://identity.dataspace.copernicus.eu/auth/realms/CDSE/protocol/openid-connect/token"``).
OAuth client id and secret come from the provider config (``SH_CLIENT_ID`` / ``SH_CLIENT_SECRET`` or
``[providers.sentinelhub]``). For each acquisition day found by the catalog, one Process API request asks
for Sentinel-2 L2A red, green, blue and NIR reflectance (float32, NaN outside data) on the site's UTM grid
(the same grid ``imagery ingest`` uses); the delivered GeoTIFF has band descriptions and its acquisition
date, so it can be ingested directly. Nothing is contacted until :func:`search` or :func:`fetch` runs.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from armswatch.connectors.credentials import ProviderConfig
from armswatch.connectors.delivery import Delivery
from armswatch.errors import ExternalServiceError, InputError

LICENCE = (
    "Copernicus Sentinel data terms (free, full and open; credit 'contains modified Copernicus Sentinel data'); "
    "delivered through Sentinel Hub under its terms of service"
)
EVALSCRIPT = """//VERSION=3
function setup() {
  return {input: [{bands: ["B02", "B03", "B04", "B08", "dataMask"], units: "REFLECTANCE"}],
          output: {bands: 4, sampleType: "FLOAT32"}};
}
function evaluatePixel(s) {
  return s.dataMask ? [s.B04, s.B03, s.B02, s.B08] : [NaN, NaN, NaN, NaN];
}
"""
BAND_ROLES = ("red", "green", "blue", "nir")


@dataclass(frozen=True)
class ShScene:
    id: str
    datetime: datetime
    cloud_cover: float | None

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "datetime": self.datetime.isoformat(), "cloud_cover": self.cloud_cover}


def _config(config: ProviderConfig) -> Any:
    from sentinelhub.config import SHConfig

    client_id, secret = config.require("client_id", "client_secret")
    sh = SHConfig(use_defaults=True)
    sh.sh_client_id = client_id
    sh.sh_client_secret = secret
    if config.settings.get("base_url"):
        sh.sh_base_url = str(config.settings["base_url"]).rstrip("/")
    if config.settings.get("token_url"):
        sh.sh_token_url = str(config.settings["token_url"])
    sh.max_download_attempts = 1
    return sh


def _collection(sh: Any) -> Any:
    from sentinelhub.data_collections import DataCollection

    return DataCollection.SENTINEL2_L2A.define_from("armswatch-s2l2a", service_url=sh.sh_base_url)


def _errors() -> tuple[type[Exception], ...]:
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error  # type: ignore[import-untyped]
    from sentinelhub.exceptions import BaseSentinelHubException

    return (BaseSentinelHubException, OAuth2Error, OSError, ValueError)


def _fail(config: ProviderConfig, exc: Exception) -> ExternalServiceError:
    return ExternalServiceError(f"Sentinel Hub: {config.redact(str(exc))}")


def search(
    config: ProviderConfig, area: BaseGeometry, start: date, end: date, *, max_cloud: float | None = None
) -> list[ShScene]:
    """Sentinel-2 L2A acquisitions over ``area`` (WGS84), oldest first."""
    from sentinelhub.api.catalog import SentinelHubCatalog
    from sentinelhub.constants import CRS
    from sentinelhub.geometry import BBox

    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
    sh = _config(config)
    try:
        catalog = SentinelHubCatalog(config=sh)
        found = list(catalog.search(
            _collection(sh), bbox=BBox(area.bounds, crs=CRS.WGS84), time=(start.isoformat(), end.isoformat()),
            filter=f"eo:cloud_cover <= {float(max_cloud)}" if max_cloud is not None else None,
            fields={"include": ["id", "properties.datetime", "properties.eo:cloud_cover"], "exclude": []},
        ))  # fmt: skip
    except _errors() as exc:
        raise _fail(config, exc) from None
    scenes = [
        ShScene(str(f["id"]), datetime.fromisoformat(str(f["properties"]["datetime"]).replace("Z", "+00:00")),
                f["properties"].get("eo:cloud_cover"))
        for f in found
    ]  # fmt: skip
    return sorted(scenes, key=lambda s: (s.datetime, s.id))


def fetch(
    config: ProviderConfig,
    scenes: list[ShScene],
    site_geometry: BaseGeometry,
    *,
    resolution: float = 10.0,
    folder: Path | None = None,
) -> list[Delivery]:
    """One Process API request per acquisition day, on the site's UTM grid; GeoTIFFs ready to ingest."""
    from sentinelhub.api.process import SentinelHubRequest
    from sentinelhub.constants import CRS, MimeType, MosaickingOrder
    from sentinelhub.geometry import BBox

    from armswatch.imagery.ingest import site_grid

    if not scenes:
        raise InputError("nothing to request: the catalog found no Sentinel-2 scenes")
    grid = site_grid(site_geometry, resolution)
    x0, y1 = grid.transform[2], grid.transform[5]
    bbox = BBox((x0, y1 - grid.height * resolution, x0 + grid.width * resolution, y1), crs=CRS(grid.crs))
    sh = _config(config)
    dest = folder or Path(tempfile.mkdtemp(prefix="armswatch-sentinelhub-"))
    dest.mkdir(parents=True, exist_ok=True)
    out: list[Delivery] = []
    for day in sorted({s.datetime.date() for s in scenes}):
        t0 = datetime(day.year, day.month, day.day, tzinfo=UTC)
        request = SentinelHubRequest(
            evalscript=EVALSCRIPT,
            input_data=[SentinelHubRequest.input_data(
                data_collection=_collection(sh), time_interval=(t0, t0 + timedelta(days=1)),
                mosaicking_order=MosaickingOrder.LEAST_CC)],
            responses=[SentinelHubRequest.output_response("default", MimeType.TIFF)],
            bbox=bbox, size=(grid.width, grid.height), config=sh,
        )  # fmt: skip
        try:
            (data,) = request.get_data(decode_data=False)
        except _errors() as exc:
            raise _fail(config, exc) from None
        ids = sorted(s.id for s in scenes if s.datetime.date() == day)
        request_id = "process-" + hashlib.sha256(repr((ids, grid.key)).encode()).hexdigest()[:16]
        path = dest / f"S2L2A_{day:%Y%m%d}_{grid.width}x{grid.height}.tif"
        _write_described(data.content, path, _scene_time(scenes, day))
        out.append(Delivery(path, config.name, str(config.settings.get("licence") or LICENCE), request_id,
                            ",".join(ids), _scene_time(scenes, day),
                            "sentinel-2-l2a", {"grid": grid.key, "evalscript": "r,g,b,nir reflectance"}))  # fmt: skip
    return out


def _scene_time(scenes: list[ShScene], day: date) -> datetime:
    return min(s.datetime for s in scenes if s.datetime.date() == day).astimezone(UTC)


def _write_described(content: bytes, path: Path, when: datetime) -> None:
    """Save the service's GeoTIFF with band roles as descriptions and the acquisition date as a tag."""
    import rasterio

    from armswatch.imagery.raster import open_image

    raw = path.with_suffix(".raw.tif")
    raw.write_bytes(content)
    try:
        with open_image(raw) as src:
            if src.count != len(BAND_ROLES) or src.crs is None:
                raise ExternalServiceError(
                    f"Sentinel Hub returned {src.count} bands / CRS {src.crs}, not 4 georeferenced"
                )
            profile = {**src.profile, "driver": "GTiff", "compress": "deflate"}
            with rasterio.open(path, "w", **profile) as dst:
                dst.write(src.read())
                for i, role in enumerate(BAND_ROLES, start=1):
                    dst.set_band_description(i, role)
                dst.update_tags(ACQUISITION_DATETIME=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    finally:
        raw.unlink(missing_ok=True)
