"""Vessel registry rows imported from ship-register CSV files (the vessel dossier's ownership history).

Revision ID: 0006_registry
Revises: 0005_munitions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_registry"
down_revision = "0005_munitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vessel_registry",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("imo", sa.String(7), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("flag", sa.String(64), nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("manager", sa.Text, nullable=False),
        sa.Column("operator", sa.Text, nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=False),
        sa.Column("valid_to", sa.String(10), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("artifact_id", sa.String(80), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("run_id", sa.String(80), nullable=False),
    )
    op.create_index("ix_vessel_registry_imo", "vessel_registry", ["imo"])


def downgrade() -> None:
    op.drop_index("ix_vessel_registry_imo", "vessel_registry")
    op.drop_table("vessel_registry")
