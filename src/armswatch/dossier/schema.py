"""The vessel-registry table (created by migration 0006_registry).

One row per accepted line of a user-imported ship-register CSV (``imo, name, flag, owner, manager,
operator, from, to, source``): who the register says owned, managed or operated a ship, under which
name and flag, over which period. ``artifact_id``/``line`` name the imported file and its line,
``run_id`` the import run.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from armswatch.store.schema import metadata

vessel_registry = Table(
    "vessel_registry",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("imo", String(7), nullable=False),
    Column("name", Text, nullable=False),
    Column("flag", String(64), nullable=False),
    Column("owner", Text, nullable=False),
    Column("manager", Text, nullable=False),
    Column("operator", Text, nullable=False),
    Column("valid_from", String(10), nullable=False),
    Column("valid_to", String(10), nullable=False),
    Column("source", Text, nullable=False),
    Column("artifact_id", String(80), nullable=False),
    Column("line", Integer, nullable=False),
    Column("run_id", String(80), nullable=False),
    Index("ix_vessel_registry_imo", "imo"),
)
