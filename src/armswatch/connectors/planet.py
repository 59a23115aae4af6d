"""Planet (PlanetScope, SkySat) through the official ``planet`` SDK: search, order clipped to a site,
download.

Nothing is contacted until :func:`search` or :func:`order` is called. The API key comes from the
provider config (``PL_API_KEY`` or ``[providers.planet] api_key``); it is sent by the SDK's auth and
removed from any error text. ``base_url`` (default https://api.planet.com) is a setting so a recorded
server can stand in for the service in tests.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from armswatch.connectors.credentials import ProviderConfig
from armswatch.connectors.delivery import Delivery
from armswatch.errors import ExternalServiceError, InputError

DEFAULT_ITEM_TYPE = "PSScene"
BUNDLES = {"PSScene": "analytic_sr_udm2", "SkySatCollect": "pansharpened_udm2"}
LICENCE = (
    "Planet Labs PBC: licensed under your Planet agreement (end-user licence); not for redistribution; "
    "credit 'Image © Planet Labs PBC'"
)


@dataclass(frozen=True)
class PlanetItem:
    id: str
    item_type: str
    acquired: datetime | None
    cloud_cover: float | None
    gsd: float | None

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "item_type": self.item_type,
                "acquired": self.acquired.isoformat() if self.acquired else None,
                "cloud_cover": self.cloud_cover, "gsd": self.gsd}  # fmt: skip


def _when(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _seed_bundles(base_url: str) -> None:
    """The SDK validates item types and bundles against a spec it fetches from the hard-coded
    https://api.planet.com; with another ``base_url`` (a proxy or a recorded server) fetch it there."""
    import httpx
    from planet import specs  # type: ignore[import-untyped]

    if getattr(specs.PRODUCT_BUNDLES, "cache", None) is not None:
        return
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/compute/ops/bundles/spec", timeout=30)
        response.raise_for_status()
        bundles = response.json()["bundles"]
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise ExternalServiceError(f"Planet bundle spec could not be read from {base_url}: {exc}") from None
    item_types = {t for b in bundles.values() for t in b.get("assets", {})}
    specs.PRODUCT_BUNDLES.cache = {
        "bundles": bundles,
        "bundle_names": bundles.keys(),
        "item_types": item_types,
    }


@contextmanager
def _client(config: ProviderConfig) -> Iterator[Any]:
    import planet

    (key,) = config.require("api_key")
    base_url = config.settings.get("base_url")
    try:
        if base_url:
            _seed_bundles(str(base_url))
        session = planet.Session(auth=planet.Auth.from_key(key))
        client = planet.Planet(session=session, base_url=config.settings.get("base_url") or None)
        yield client
    except (planet.exceptions.PlanetError, planet.specs.FetchBundlesSpecError) as exc:
        raise ExternalServiceError(f"Planet: {config.redact(str(exc))}") from None
    except OSError as exc:
        raise ExternalServiceError(f"Planet could not be reached: {config.redact(str(exc))}") from None


def search(
    config: ProviderConfig,
    area: BaseGeometry,
    start: date,
    end: date,
    *,
    max_cloud: float | None = None,
    item_type: str | None = None,
    limit: int = 50,
) -> list[PlanetItem]:
    """Planet items over ``area`` (WGS84) acquired between ``start`` and ``end`` (inclusive)."""
    from planet import data_filter

    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
    kind = item_type or config.settings.get("item_type") or DEFAULT_ITEM_TYPE
    filters = [
        data_filter.date_range_filter("acquired", gte=datetime(start.year, start.month, start.day, tzinfo=UTC),
                                      lte=datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)),
        data_filter.geometry_filter(mapping(area)),
    ]  # fmt: skip
    if max_cloud is not None:
        filters.append(data_filter.range_filter("cloud_cover", lte=max_cloud / 100.0))
    with _client(config) as pl:
        found = list(pl.data.search([kind], search_filter=data_filter.and_filter(filters), limit=limit))
    items = []
    for f in found:
        p = f.get("properties", {})
        cc = p.get("cloud_cover")
        items.append(PlanetItem(str(f.get("id")), str(p.get("item_type", kind)), _when(p.get("acquired")),
                                None if cc is None else round(float(cc) * 100, 1), p.get("gsd")))  # fmt: skip
    items.sort(key=lambda i: (i.acquired or datetime.min.replace(tzinfo=UTC), i.id))
    return items


def _file_role(name: str) -> dict[str, Any]:
    """How a delivered file is used: PlanetScope 4-band analytic files are blue, green, red, NIR (no band
    descriptions in the file, so ``imagery ingest`` is told); 8-band files are coastal blue, blue, green I,
    green, yellow, red, red edge, NIR; UDM2 usable-data masks, XML and JSON are stored, not ingested."""
    low = name.lower()
    if "udm" in low or not low.endswith((".tif", ".tiff")):
        return {"ingest": False, "role": "usable data mask" if "udm" in low else "metadata"}
    if "8b" in low:
        return {"bands": "-,blue,-,green,-,red,-,nir", "role": "analytic 8-band"}
    if "analyticms" in low or "analytic" in low:
        return {"bands": "blue,green,red,nir", "role": "analytic 4-band"}
    return {"role": "image"}  # SkySat pansharpened RGB(N): bands resolved by count


def order(
    config: ProviderConfig,
    items: list[PlanetItem],
    area: BaseGeometry,
    *,
    name: str,
    folder: Path | None = None,
    delay: int = 10,
    max_attempts: int = 360,
) -> list[Delivery]:
    """Order ``items`` clipped to ``area``, wait for the order and download it into ``folder``."""
    from planet import order_request

    if not items:
        raise InputError("nothing to order: the search found no Planet items")
    kind = items[0].item_type
    bundle = config.settings.get("product_bundle") or BUNDLES.get(kind, "analytic_udm2")
    request = order_request.build_request(
        name, products=[order_request.product([i.id for i in items], bundle, kind)],
        tools=[order_request.clip_tool(mapping(area))],
    )  # fmt: skip
    dest = folder or Path(tempfile.mkdtemp(prefix="armswatch-planet-"))
    dest.mkdir(parents=True, exist_ok=True)
    with _client(config) as pl:
        created = pl.orders.create_order(request)
        order_id = str(created["id"])
        state = pl.orders.wait(order_id, delay=delay, max_attempts=max_attempts)
        if state not in ("success", "partial"):
            raise ExternalServiceError(f"Planet order {order_id} ended in state {state!r}")
        paths = pl.orders.download_order(order_id, directory=dest, overwrite=True, progress_bar=False)
    by_id = {i.id: i for i in items}
    out = []
    for p in sorted(Path(x) for x in paths):
        item = next((i for k, i in by_id.items() if p.name.startswith(k)), None)
        out.append(Delivery(p, config.name, str(config.settings.get("licence") or LICENCE), order_id,
                            item.id if item else None, item.acquired if item else None, kind,
                            {"bundle": bundle, "clipped_to_site": True, **_file_role(p.name)}))  # fmt: skip
    return out
