"""Munition items (the registry of recovered items, their markings and links).

Revision ID: 0005_munitions
Revises: 0004_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_munitions"
down_revision = "0004_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "munition_item",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_munition_item_type", "munition_item", ["type"])


def downgrade() -> None:
    op.drop_index("ix_munition_item_type", "munition_item")
    op.drop_table("munition_item")
