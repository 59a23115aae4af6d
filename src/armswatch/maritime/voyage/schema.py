"""Tables of the voyage evidence (created by migration 0006_voyage): analysts' sightings of vessels
at sites, and imported port-state / trade records naming a vessel at a port."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from armswatch.store.schema import metadata

vessel_sighting = Table(
    "vessel_sighting",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("vessel", String(40), nullable=False),  # "imo:9123456" or "mmsi:273123456"
    Column("site_id", String(120), nullable=False),
    Column("at", String(40), nullable=False),  # ISO 8601 UTC
    Column("image", String(80), nullable=True),  # artifact id of the image
    Column("note", Text, nullable=False),
    Column("analyst", String(120), nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_vessel_sighting_vessel", "vessel"),
)

vessel_record = Table(
    "vessel_record",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),  # port_state | trade | rail
    Column("vessel", String(40), nullable=False),
    Column("site_id", String(120), nullable=False),
    Column("at", String(40), nullable=False),
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_vessel_record_vessel", "vessel"),
)
