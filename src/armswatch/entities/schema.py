"""SQL tables for entities, on the workspace's shared :data:`armswatch.store.schema.metadata`.

* ``entity_statement`` – one row per (dataset, entity, property, value[, language]): the FtM statement
  model. ``first_seen``/``last_seen`` are the list dates (ISO ``YYYY-MM-DD``) of the first and last
  snapshot that carried the value; ``run_id``/``artifact_id`` name the import that first recorded it.
* ``entity_snapshot`` – one row per imported list file (a dataset on a list date).
* ``entity_presence`` – which entities each snapshot carried; listings and delistings come from here.
* ``entity_absence`` – statements whose first/last-seen span covers a snapshot that lacked them.
* ``entity_resolution`` – analysts' judgements that two records are the same thing or different
  things, and the undoing of a judgement (a new row naming the one it undoes; nothing is deleted).

Created by the Alembic migrations ``0002_entities`` and ``0006_resolution``.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, PrimaryKeyConstraint, String, Table, Text, text

from armswatch.store.schema import metadata

# Properties that get an index on (prop, value) for exact lookups (AIS join, ID search).
LOOKUP_PROPS = ("imoNumber", "mmsi", "callSign", "registrationNumber", "unscId", "authorityId", "entity")
_LOOKUP_WHERE = "prop IN (" + ", ".join(f"'{p}'" for p in LOOKUP_PROPS) + ")"

entity_statement = Table(
    "entity_statement",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("entity_id", String(255), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("lang", String(8)),
    Column("original_value", Text),
    Column("dataset", String(100), nullable=False),
    Column("first_seen", String(10), nullable=False),
    Column("last_seen", String(10), nullable=False),
    Column("run_id", String(80)),
    Column("artifact_id", String(80)),
    Index("ix_entity_statement_entity_id", "entity_id"),
    Index("ix_entity_statement_dataset", "dataset"),
    # Partial index: statement values can be long (notes), so only identifier properties are
    # indexed. Queries must repeat ``prop IN LOOKUP_PROPS`` for SQLite to use it.
    Index(
        "ix_entity_statement_lookup",
        "prop",
        "value",
        sqlite_where=text(_LOOKUP_WHERE),
        postgresql_where=text(_LOOKUP_WHERE),
    ),
)

entity_snapshot = Table(
    "entity_snapshot",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("dataset", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("list_date", String(10), nullable=False),
    Column("date_source", String(20), nullable=False),  # "list" | "option" | "import-date"
    Column("artifact_id", String(80), nullable=False),
    Column("artifacts", JSON, nullable=False),
    Column("run_id", String(80), nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("statement_count", Integer, nullable=False),
    Column("new_statements", Integer, nullable=False),
    Column("problems", JSON, nullable=False),
    Column("imported_at", String(40), nullable=False),
    Index("ix_entity_snapshot_dataset", "dataset", "list_date"),
)

entity_presence = Table(
    "entity_presence",
    metadata,
    Column("snapshot_id", String(80), nullable=False),
    Column("entity_id", String(255), nullable=False),
    Column("schema", String(64), nullable=False),
    PrimaryKeyConstraint("snapshot_id", "entity_id"),
    Index("ix_entity_presence_entity_id", "entity_id"),
)

# A statement whose first..last span covers a snapshot that did not carry it (a value that went away
# and came back, or an older edition imported later): as-of queries for that snapshot skip it.
entity_absence = Table(
    "entity_absence",
    metadata,
    Column("statement_id", String(40), nullable=False),
    Column("snapshot_id", String(80), nullable=False),
    PrimaryKeyConstraint("statement_id", "snapshot_id"),
)

# An analyst's judgement on a pair of records (``left_id`` < ``right_id``): "same", "different", or
# "undo" (``undoes`` names the judgement withdrawn). Rows are never updated or deleted.
entity_resolution = Table(
    "entity_resolution",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("left_id", String(255), nullable=False),
    Column("right_id", String(255), nullable=False),
    Column("judgement", String(12), nullable=False),
    Column("undoes", String(40)),
    Column("note", Text, nullable=False),
    Column("analyst", String(100), nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_entity_resolution_left", "left_id"),
    Index("ix_entity_resolution_right", "right_id"),
)
