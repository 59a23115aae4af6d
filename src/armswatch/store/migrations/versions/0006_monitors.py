"""Standing monitors and their alerts (watermark per monitor; alert outbox).

Revision ID: 0006_monitors
Revises: 0005_munitions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_monitors"
down_revision = "0005_munitions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("notify", sa.JSON, nullable=False),
        sa.Column("max_per_hour", sa.Integer, nullable=False),
        sa.Column("watermark", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("removed_at", sa.String(40)),
    )
    op.create_table(
        "monitor_alert",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("monitor_id", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("event_key", sa.String(255), nullable=False),
        sa.Column("finding_id", sa.String(80), nullable=False),
        sa.Column("run_id", sa.String(80), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", sa.String(40)),
    )
    op.create_index("ix_monitor_alert_monitor", "monitor_alert", ["monitor_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_monitor_alert_monitor", "monitor_alert")
    op.drop_table("monitor_alert")
    op.drop_table("monitor")
