"""The munition-item table (created by migration 0005_munitions)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Table, Text

from armswatch.store.schema import metadata

munition_item = Table(
    "munition_item",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("type", String(20), nullable=False),
    Column("label", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("ix_munition_item_type", "type"),
)
