"""Any STAC API that needs authentication (Maxar, Satellogic, UP42, private catalogues…).

Provider table, e.g. in ``armswatch.toml`` (the token itself in ``ARMSWATCH_MAXAR_TOKEN`` or the user
config)::

    [providers.maxar]
    kind = "stac"
    url = "https://api.maxar.com/discovery/v1"
    collection = "wv03-vnir"
    auth = "bearer"            # bearer (token), header (header_name + token), basic (username +
                               # password) or query (query_param + token)
    licence = "Maxar end-user licence: internal use, no redistribution"

Search goes through ``pystac-client`` with the credentials as request headers (or query parameters);
band assets are read through GDAL with the same credentials (``GDAL_HTTP_HEADERS`` /
``GDAL_HTTP_USERPWD``), windowed onto the site's UTM grid, so only the blocks over the site are fetched.
The delivered scene is a 4-band GeoTIFF (red, green, blue, nir when present) with band descriptions and
its acquisition time. Nothing is contacted until :func:`search` or :func:`deliver` runs.
"""

from __future__ import annotations

import base64
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from armswatch.connectors.credentials import ProviderConfig
from armswatch.connectors.delivery import Delivery
from armswatch.errors import ExternalServiceError, InputError
from armswatch.imagery.stac import ROLE_KEYS, SceneItem, scene_item

AUTH_TYPES = ("none", "bearer", "header", "basic", "query")
ROLES = ("red", "green", "blue", "nir")


def auth_headers(config: ProviderConfig) -> dict[str, str]:
    """HTTP headers that carry the provider's credentials (empty for none/query auth)."""
    auth = str(config.settings.get("auth", "bearer" if config.secret("token") else "none"))
    if auth not in AUTH_TYPES:
        raise InputError(
            f"provider {config.name!r}: auth must be one of {', '.join(AUTH_TYPES)} (got {auth!r})"
        )
    if auth == "bearer":
        (token,) = config.require("token")
        return {"Authorization": f"Bearer {token}"}
    if auth == "header":
        (token,) = config.require("token")
        return {str(config.settings.get("header_name", "X-API-Key")): token}
    if auth == "basic":
        user, password = config.require("username", "password")
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    return {}


def auth_params(config: ProviderConfig) -> dict[str, str]:
    """Query parameters that carry the credentials (``auth = "query"`` only)."""
    if config.settings.get("auth") != "query":
        return {}
    (token,) = config.require("token")
    return {str(config.settings.get("query_param", "api_key")): token}


def _url(config: ProviderConfig) -> str:
    url = config.settings.get("url")
    if not url:
        raise InputError(f"provider {config.name!r} needs url = the STAC API root")
    return str(url)


def search(
    config: ProviderConfig,
    area: BaseGeometry,
    start: date,
    end: date,
    *,
    collection: str | None = None,
    max_cloud: float | None = None,
    limit: int = 100,
) -> list[tuple[SceneItem, Any]]:
    """(SceneItem, pystac Item) pairs over ``area`` (WGS84) between ``start`` and ``end``, oldest first."""
    from pystac_client import Client

    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
    coll = collection or config.settings.get("collection")
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC)
    t1 = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)
    try:
        client = Client.open(
            _url(config), headers=auth_headers(config), parameters=auth_params(config) or None
        )
        found = client.search(
            collections=[str(coll)] if coll else None, intersects=mapping(area),
            datetime=f"{t0.isoformat()}/{t1.isoformat()}", max_items=limit,
            query={"eo:cloud_cover": {"lte": max_cloud}} if max_cloud is not None else None,
        )  # fmt: skip
        raw = list(found.items())
    except InputError:
        raise
    except Exception as exc:  # pystac_client raises APIError, requests errors, JSON errors
        raise ExternalServiceError(f"STAC API of {config.name}: {config.redact(str(exc))}") from None
    pairs = []
    for it in raw:
        cc = it.properties.get("eo:cloud_cover")
        if max_cloud is not None and cc is not None and cc > max_cloud:
            continue
        pairs.append((scene_item(it), it))
    return sorted(pairs, key=lambda p: (p[0].datetime, p[0].id))


def _gdal_env(config: ProviderConfig) -> dict[str, str]:
    headers = auth_headers(config)
    env = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "CPL_DEBUG": "OFF"}
    if headers:
        env["GDAL_HTTP_HEADERS"] = "\r\n".join(f"{k}: {v}" for k, v in headers.items())
    return env


def _href(config: ProviderConfig, href: str) -> str:
    params = auth_params(config)
    if params:
        href += ("&" if "?" in href else "?") + urlencode(params)
    return href if not href.startswith(("http://", "https://")) else "/vsicurl/" + href


def deliver(
    config: ProviderConfig,
    scene: SceneItem,
    site_geometry: BaseGeometry,
    *,
    resolution: float,
    folder: Path | None = None,
) -> Delivery:
    """Read the item's band assets onto the site grid (windowed, authenticated) into one GeoTIFF."""
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    from armswatch.imagery.ingest import site_grid

    roles = [r for r in ROLES if r in scene.bands]
    if not {"red", "green", "blue"} <= set(roles):
        raise InputError(
            f"STAC item {scene.id} has no red/green/blue assets (keys tried: {ROLE_KEYS['red']}…)"
        )
    grid = site_grid(site_geometry, resolution)
    dest = folder or Path(tempfile.mkdtemp(prefix=f"armswatch-{config.name}-"))
    dest.mkdir(parents=True, exist_ok=True)
    bands = []
    try:
        with rasterio.Env(**_gdal_env(config)):
            for role in roles:
                with rasterio.open(_href(config, scene.bands[role])) as src, WarpedVRT(
                    src, crs=grid.crs, transform=rasterio.Affine(*grid.transform), width=grid.width,
                    height=grid.height, resampling=Resampling.bilinear, src_nodata=src.nodata,
                    nodata=np.nan, dtype="float32",
                ) as vrt:  # fmt: skip
                    bands.append(vrt.read(1))
    except rasterio.errors.RasterioIOError as exc:
        raise ExternalServiceError(
            f"{config.name}: asset of {scene.id} unreadable: {config.redact(str(exc))}"
        ) from None
    path = dest / f"{scene.id}_{grid.width}x{grid.height}.tif"
    profile = {"driver": "GTiff", "width": grid.width, "height": grid.height, "count": len(roles),
               "dtype": "float32", "crs": grid.crs, "transform": rasterio.Affine(*grid.transform),
               "nodata": np.nan, "compress": "deflate"}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        for i, (role, data) in enumerate(zip(roles, bands, strict=True), start=1):
            dst.write(data, i)
            dst.set_band_description(i, role)
        dst.update_tags(ACQUISITION_DATETIME=scene.datetime.strftime("%Y-%m-%dT%H:%M:%SZ"))
    licence = str(config.settings.get("licence") or scene.licence)
    return Delivery(path, config.name, licence, None, scene.id, scene.datetime, scene.collection,
                    {"grid": grid.key, "stac_item": scene.self_href})  # fmt: skip
