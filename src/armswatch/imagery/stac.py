"""STAC search and item handling (pystac-client for APIs, pystac for static catalogs).

``search`` asks a STAC API (default Earth Search, the public Sentinel-2 COG archive on AWS) for items
over a site; a local static catalog (a ``catalog.json`` path or ``file://`` URL) is walked and filtered
in code instead, which is what the tests and offline users do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from armswatch.errors import ExternalServiceError, InputError, MissingFileError
from armswatch.progress import NO_PROGRESS, Progress, steps

DEFAULT_STAC_URL = "https://earth-search.aws.element84.com/v1"
DEFAULT_COLLECTION = "sentinel-2-l2a"

ROLE_KEYS = {
    "blue": ("blue", "B02", "b02", "B2", "SR_B2"),
    "green": ("green", "B03", "b03", "B3", "SR_B3"),
    "red": ("red", "B04", "b04", "B4", "SR_B4"),
    "nir": ("nir", "B08", "b08", "nir08", "B5", "SR_B5"),
    "swir1": ("swir16", "B11", "b11", "swir1", "SR_B6"),
    "scl": ("scl", "SCL"),
}
"""Asset keys per band role in Earth Search, Planetary Computer (Sentinel-2) and Landsat C2 items."""

S2_BAND_KEYS = {
    "B01": ("coastal", "B01", "b01"), "B02": ("blue", "B02", "b02"), "B03": ("green", "B03", "b03"),
    "B04": ("red", "B04", "b04"), "B05": ("rededge1", "B05", "b05"), "B08": ("nir", "B08", "b08"),
    "B8A": ("nir08", "B8A", "b8a"), "B09": ("nir09", "B09", "b09"), "B10": ("cirrus", "B10", "b10"),
    "B11": ("swir16", "B11", "b11"), "B12": ("swir22", "B12", "b12"),
}  # fmt: skip
"""Sentinel-2 band asset keys (Earth Search names, then band names). When an item has all of them (an L1C
item: L2A items have no B10), ingest runs the s2cloudless cloud detector; they are kept as ``s2:Bxx``."""

LICENCES = {
    "sentinel-2": "Copernicus Sentinel data terms: free, full and open; credit 'contains modified Copernicus "
    "Sentinel data [year]'",
    "landsat": "USGS Landsat data: public domain, credit 'Landsat imagery courtesy of the U.S. Geological Survey'",
}


@dataclass(frozen=True)
class SceneItem:
    """The parts of a STAC item that ingest needs."""

    id: str
    collection: str | None
    datetime: datetime
    cloud_cover: float | None
    platform: str | None
    bands: dict[str, str]  # role -> asset href (absolute)
    licence: str
    self_href: str | None

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "datetime": self.datetime.isoformat(),
            "cloud_cover": self.cloud_cover,
            "collection": self.collection,
            "platform": self.platform,
            "bands": ",".join(sorted(self.bands)),
            "href": self.self_href,
        }


def licence_for(collection: str | None, declared: str | None) -> str:
    c = (collection or "").lower()
    for key, text in LICENCES.items():
        if key in c:
            return text
    return declared or "unknown licence (check the provider's terms)"


def _asset_href(item: Any, keys: tuple[str, ...]) -> str | None:
    for k in keys:
        asset = item.assets.get(k)
        if asset is not None:
            return str(asset.get_absolute_href() or asset.href)
    for asset in item.assets.values():
        for b in asset.extra_fields.get("eo:bands", []) or []:
            if b.get("common_name") in keys or b.get("name") in keys:
                return str(asset.get_absolute_href() or asset.href)
    return None


def scene_item(item: Any) -> SceneItem:
    """SceneItem from a pystac Item."""
    when = item.datetime or item.common_metadata.start_datetime
    if when is None:
        raise InputError(f"STAC item {item.id} has no datetime")
    bands = {role: href for role, keys in ROLE_KEYS.items() if (href := _asset_href(item, keys))}
    s2 = {f"s2:{b}": href for b, keys in S2_BAND_KEYS.items() if (href := _asset_href(item, keys))}
    if len(s2) == len(S2_BAND_KEYS) and "sentinel" in (item.collection_id or "").lower():
        bands.update(s2)
    if not {"red", "green", "blue"} <= bands.keys():
        raise InputError(f"STAC item {item.id} has no red/green/blue band assets (found {sorted(bands)})")
    props = item.properties
    return SceneItem(
        id=item.id,
        collection=item.collection_id,
        datetime=when.astimezone(UTC),
        cloud_cover=props.get("eo:cloud_cover"),
        platform=props.get("platform"),
        bands=bands,
        licence=licence_for(item.collection_id, props.get("license")),
        self_href=item.get_self_href(),
    )


def read_item(ref: str) -> SceneItem:
    """A STAC item from a local JSON file (or an URL, read by pystac)."""
    import pystac

    if not ref.startswith(("http://", "https://")) and not Path(ref).exists():
        raise MissingFileError("no such STAC item file", path=ref)
    try:
        item = pystac.Item.from_file(ref)
    except Exception as exc:  # pystac raises many types for bad JSON
        raise InputError(f"not a STAC item: {exc}", path=ref) from exc
    return scene_item(item)


def _is_local(url: str) -> bool:
    return url.startswith("file://") or not urlparse(url).scheme or Path(url).exists()


def _walk_static(url: str) -> Iterator[Any]:
    import pystac

    path = url.removeprefix("file://")
    if not Path(path).exists():
        raise MissingFileError("no such STAC catalog", path=path)
    cat = pystac.read_file(path)
    if isinstance(cat, pystac.Item):
        yield cat
        return
    if not isinstance(cat, pystac.Catalog):
        raise InputError("not a STAC catalog or item", path=path)
    yield from cat.get_items(recursive=True)


def search(
    area: BaseGeometry,
    *,
    start: date,
    end: date,
    collection: str = DEFAULT_COLLECTION,
    max_cloud: float | None = None,
    url: str = DEFAULT_STAC_URL,
    limit: int = 200,
    progress: Progress = NO_PROGRESS,
) -> list[SceneItem]:
    """Items over ``area`` (WGS84) acquired between ``start`` and ``end`` (inclusive), fewest clouds
    first within each day, in date order."""
    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
    t0 = datetime(start.year, start.month, start.day, tzinfo=UTC)
    t1 = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)
    if _is_local(url):
        raw = [
            it
            for it in steps(progress, "reading the local catalog's items", _walk_static(url))
            if (collection in ("", "*") or it.collection_id == collection)
            and it.geometry is not None
            and shape(it.geometry).intersects(area)
            and it.datetime is not None
            and t0 <= it.datetime.astimezone(UTC) <= t1
        ]
    else:
        raw = _api_search(url, area, t0, t1, collection, max_cloud, limit, progress)
    items = []
    for it in raw:
        cc = it.properties.get("eo:cloud_cover")
        if max_cloud is not None and cc is not None and cc > max_cloud:
            continue
        items.append(scene_item(it))
    items.sort(key=lambda s: (s.datetime, s.cloud_cover if s.cloud_cover is not None else 101.0))
    return items[:limit]


def _api_search(
    url: str,
    area: BaseGeometry,
    t0: datetime,
    t1: datetime,
    collection: str,
    max_cloud: float | None,
    limit: int,
    progress: Progress = NO_PROGRESS,
) -> list[Any]:
    from pystac_client import Client

    try:
        client = Client.open(url)
        query = {"eo:cloud_cover": {"lte": max_cloud}} if max_cloud is not None else None
        found = client.search(
            collections=[collection],
            intersects=mapping(area),
            datetime=f"{t0.isoformat()}/{t1.isoformat()}",
            query=query,
            max_items=limit,
        )
        return list(steps(progress, f"items from {url}", found.items()))
    except (OSError, ConnectionError) as exc:
        raise ExternalServiceError(f"STAC API {url} could not be reached: {exc}") from exc
    except Exception as exc:  # pystac_client.exceptions.APIError and HTTP errors
        if type(exc).__name__ in ("APIError", "HTTPError", "ConnectionError", "Timeout"):
            raise ExternalServiceError(f"STAC API {url} answered badly: {exc}") from exc
        raise
