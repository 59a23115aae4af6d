"""Delivered scenes: files a provider sent, stored as workspace artifacts with provider, licence and order.

Each delivered file becomes an artifact (kind ``imagery.delivery``) whose metadata names the provider, the
licence, the order (or request) id, the item id and the site, all in one ``imagery.order`` run; the
provider is also registered as a source with its licence. With ``ingest=True`` the GeoTIFFs are then put on
the site grid by ``imagery ingest`` (same run rules as any other file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from armswatch.workspace import Workspace

DELIVERY_KIND = "imagery.delivery"


@dataclass(frozen=True)
class Delivery:
    """One file delivered by a provider, still in a temporary folder."""

    path: Path
    provider: str
    licence: str
    order_id: str | None
    item_id: str | None
    captured_at: datetime | None
    collection: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_image(self) -> bool:
        return self.path.suffix.lower() in (".tif", ".tiff")

    @property
    def ingestible(self) -> bool:
        """An image of the scene itself (not a quality mask or a metadata file)."""
        return self.is_image and bool(self.extra.get("ingest", True))


@dataclass(frozen=True)
class Stored:
    artifact_id: str
    name: str
    order_id: str | None
    item_id: str | None
    captured_at: datetime | None

    def row(self) -> dict[str, Any]:
        return {"artifact": self.artifact_id, "name": self.name, "order_id": self.order_id,
                "item_id": self.item_id,
                "captured_at": self.captured_at.isoformat() if self.captured_at else None}  # fmt: skip


PUBLISHERS = {
    "planet": ("Planet Labs PBC", "https://www.planet.com"),
    "sentinelhub": ("Sinergise / Planet (Sentinel Hub)", "https://www.sentinel-hub.com"),
}


def store_deliveries(
    ws: Workspace,
    site_id: str,
    provider: str,
    kind: str,
    deliveries: Sequence[Delivery],
    parameters: dict[str, Any],
    *,
    ingest: bool = False,
) -> list[Stored]:
    """Store delivered files as artifacts in one ``imagery.order`` run; optionally ingest the images."""
    ws.get_site(site_id)
    publisher, url = PUBLISHERS.get(kind, (provider, None))
    licence = deliveries[0].licence if deliveries else None
    source = ws.add_source(
        f"{provider} imagery", publisher=publisher, url=url, licence=licence, reliability="A"
    )
    out: list[Stored] = []
    with ws.run("imagery.order", parameters={"provider": provider, "site": site_id, **parameters}) as run:
        for d in deliveries:
            art = ws.add_artifact(
                d.path, name=d.path.name, source=source, captured_at=d.captured_at,
                media_type="image/tiff" if d.is_image else None,
                metadata={"kind": DELIVERY_KIND, "provider": provider, "licence": d.licence,
                          "order_id": d.order_id, "item_id": d.item_id, "site": site_id,
                          "collection": d.collection, **d.extra},
            )  # fmt: skip
            run.add_output(art.id)
            out.append(Stored(art.id, d.path.name, d.order_id, d.item_id, d.captured_at))
        run.summary["delivered"] = len(out)
    if ingest:
        from armswatch.imagery.archive import ingest_inputs

        for d, s in zip(deliveries, out, strict=True):
            if d.ingestible:
                ingest_inputs(ws, site_id, [str(ws.artifact_path(s.artifact_id))], captured_at=d.captured_at,
                              bands=d.extra.get("bands"), source=source)  # fmt: skip
    return out
