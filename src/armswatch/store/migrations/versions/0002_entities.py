"""Entities: FollowTheMoney statements, list snapshots, entity presence and statement absences.

Revision ID: 0002_entities
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_entities"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_LOOKUP_WHERE = (
    "prop IN ('imoNumber', 'mmsi', 'callSign', 'registrationNumber', 'unscId', 'authorityId', 'entity')"
)


def upgrade() -> None:
    op.create_table(
        "entity_statement",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("prop", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8)),
        sa.Column("original_value", sa.Text),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("first_seen", sa.String(10), nullable=False),
        sa.Column("last_seen", sa.String(10), nullable=False),
        sa.Column("run_id", sa.String(80)),
        sa.Column("artifact_id", sa.String(80)),
    )
    op.create_index("ix_entity_statement_entity_id", "entity_statement", ["entity_id"])
    op.create_index("ix_entity_statement_dataset", "entity_statement", ["dataset"])
    op.create_index(
        "ix_entity_statement_lookup",
        "entity_statement",
        ["prop", "value"],
        sqlite_where=sa.text(_LOOKUP_WHERE),
        postgresql_where=sa.text(_LOOKUP_WHERE),
    )
    op.create_table(
        "entity_snapshot",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("list_date", sa.String(10), nullable=False),
        sa.Column("date_source", sa.String(20), nullable=False),
        sa.Column("artifact_id", sa.String(80), nullable=False),
        sa.Column("artifacts", sa.JSON, nullable=False),
        sa.Column("run_id", sa.String(80), nullable=False),
        sa.Column("entity_count", sa.Integer, nullable=False),
        sa.Column("statement_count", sa.Integer, nullable=False),
        sa.Column("new_statements", sa.Integer, nullable=False),
        sa.Column("problems", sa.JSON, nullable=False),
        sa.Column("imported_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_entity_snapshot_dataset", "entity_snapshot", ["dataset", "list_date"])
    op.create_table(
        "entity_presence",
        sa.Column("snapshot_id", sa.String(80), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", "entity_id", name="pk_entity_presence"),
    )
    op.create_index("ix_entity_presence_entity_id", "entity_presence", ["entity_id"])
    op.create_table(
        "entity_absence",
        sa.Column("statement_id", sa.String(40), nullable=False),
        sa.Column("snapshot_id", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", "snapshot_id", name="pk_entity_absence"),
    )


def downgrade() -> None:
    op.drop_table("entity_absence")
    op.drop_table("entity_presence")
    op.drop_table("entity_snapshot")
    op.drop_table("entity_statement")
