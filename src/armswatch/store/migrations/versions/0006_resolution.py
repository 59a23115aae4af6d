"""Entity resolution: analysts' same/different judgements on pairs of list records, and their undoing.

Revision ID: 0006_resolution
Revises: 0005_munitions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_resolution"
down_revision = "0005_munitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entity_resolution",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("left_id", sa.String(255), nullable=False),
        sa.Column("right_id", sa.String(255), nullable=False),
        sa.Column("judgement", sa.String(12), nullable=False),
        sa.Column("undoes", sa.String(40)),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("analyst", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_entity_resolution_left", "entity_resolution", ["left_id"])
    op.create_index("ix_entity_resolution_right", "entity_resolution", ["right_id"])


def downgrade() -> None:
    op.drop_index("ix_entity_resolution_right", "entity_resolution")
    op.drop_index("ix_entity_resolution_left", "entity_resolution")
    op.drop_table("entity_resolution")
