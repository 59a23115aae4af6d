"""Voyage evidence (vessel sightings, port-state / trade records) and rail movements.

Revision ID: 0006_voyage
Revises: 0005_munitions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_voyage"
down_revision = "0005_munitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vessel_sighting",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("vessel", sa.String(40), nullable=False),
        sa.Column("site_id", sa.String(120), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("image", sa.String(80), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("analyst", sa.String(120), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_vessel_sighting_vessel", "vessel_sighting", ["vessel"])
    op.create_table(
        "vessel_record",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("vessel", sa.String(40), nullable=False),
        sa.Column("site_id", sa.String(120), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_vessel_record_vessel", "vessel_record", ["vessel"])
    op.create_table(
        "rail_movement",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("site_id", sa.String(120), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("wagons", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(20), nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("links", sa.JSON, nullable=False),
        sa.Column("analyst", sa.String(120), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_rail_movement_site", "rail_movement", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_rail_movement_site", "rail_movement")
    op.drop_table("rail_movement")
    op.drop_index("ix_vessel_record_vessel", "vessel_record")
    op.drop_table("vessel_record")
    op.drop_index("ix_vessel_sighting_vessel", "vessel_sighting")
    op.drop_table("vessel_sighting")
