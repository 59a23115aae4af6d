"""The rail-movement table (created by migration 0006_voyage)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from armswatch.store.schema import metadata

rail_movement = Table(
    "rail_movement",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("site_id", String(120), nullable=False),
    Column("at", String(40), nullable=False),  # ISO 8601 UTC
    Column("wagons", Integer, nullable=False),
    Column("direction", String(20), nullable=True),  # to_russia | to_dprk | unknown …
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("links", JSON, nullable=False),  # finding / artifact ids (shipments, evidence)
    Column("analyst", String(120), nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_rail_movement_site", "site_id"),
)
