"""Conversions between SQL rows and the spine's record values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from armswatch.provenance.clock import from_iso
from armswatch.provenance.model import Artifact, Finding, Review, Run, Source

if TYPE_CHECKING:  # sites pull in shapely, numpy and pyproj: imported when a site is read or written
    from armswatch.sites.model import Site


def _dt(value: Any) -> datetime:
    parsed = from_iso(value)
    assert parsed is not None
    return parsed


def source_from_row(row: Mapping[Any, Any]) -> Source:
    return Source(
        id=row["id"],
        name=row["name"],
        publisher=row["publisher"],
        url=row["url"],
        licence=row["licence"],
        reliability=row["reliability"],
        created_at=_dt(row["created_at"]),
    )


def artifact_from_row(row: Mapping[Any, Any]) -> Artifact:
    return Artifact(
        id=row["id"],
        sha256=row["sha256"],
        media_type=row["media_type"],
        size=int(row["size"]),
        name=row["name"],
        url=row["url"],
        captured_at=from_iso(row["captured_at"]),
        added_at=_dt(row["added_at"]),
        source_id=row["source_id"],
        metadata=dict(row["meta"] or {}),
        simulated=bool(row["simulated"]),
    )


def run_from_row(row: Mapping[Any, Any], links: Iterable[Mapping[Any, Any]] = ()) -> Run:
    links = list(links)
    return Run(
        id=row["id"],
        tool=row["tool"],
        version=row["version"],
        parameters=dict(row["parameters"] or {}),
        started_at=_dt(row["started_at"]),
        ended_at=from_iso(row["ended_at"]),
        status=row["status"],
        error=row["error"],
        analyst=row["analyst"],
        summary=dict(row["summary"] or {}),
        simulated=bool(row["simulated"]),
        inputs=tuple(link["artifact_id"] for link in links if link["role"] == "input"),
        outputs=tuple(link["artifact_id"] for link in links if link["role"] == "output"),
    )


def review_from_row(row: Mapping[Any, Any]) -> Review:
    return Review(
        finding_id=row["finding_id"],
        status_from=row["status_from"],
        status_to=row["status_to"],
        note=row["note"],
        analyst=row["analyst"],
        at=_dt(row["at"]),
    )


def finding_from_row(
    row: Mapping[Any, Any], evidence: Iterable[str] = (), reviews: Iterable[Review] = ()
) -> Finding:
    return Finding(
        id=row["id"],
        run_id=row["run_id"],
        kind=row["kind"],
        title=row["title"],
        summary=row["summary"],
        subjects=tuple(row["subjects"] or ()),
        geometry=row["geometry"],
        start=from_iso(row["start_at"]),
        end=from_iso(row["end_at"]),
        confidence=row["confidence"],
        status=row["status"],
        simulated=bool(row["simulated"]),
        details=dict(row["details"] or {}),
        created_at=_dt(row["created_at"]),
        evidence=tuple(evidence),
        reviews=tuple(reviews),
    )


def site_to_row(site: Site) -> dict[str, Any]:
    from shapely.geometry import mapping

    return {
        "id": site.id,
        "name": site.name,
        "aliases": list(site.aliases),
        "country": site.country,
        "kind": site.kind,
        "geometry": dict(mapping(site.geometry)),
        "precision": site.precision,
        "sources": list(site.sources),
        "notes": site.notes,
    }


def site_from_row(row: Mapping[Any, Any]) -> Site:
    from shapely.geometry import shape

    from armswatch.sites.model import Site

    return Site(
        id=row["id"],
        name=row["name"],
        aliases=tuple(row["aliases"] or ()),
        country=row["country"],
        kind=row["kind"],
        geometry=shape(row["geometry"]),
        precision=row["precision"],
        sources=tuple(row["sources"] or ()),
        notes=row["notes"],
    )
