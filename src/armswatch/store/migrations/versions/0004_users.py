"""Accounts, sessions and annotations of the web workbench; indexes for the review queue.

Revision ID: 0004_users
Revises: 0003_integrity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_users"
down_revision = "0003_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "user_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_name",
            sa.String(200),
            sa.ForeignKey("app_user.name", name="fk_user_session_user_name_app_user"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )
    op.create_index("ix_user_session_user_name", "user_session", ["user_name"])
    op.create_table(
        "annotation",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "finding_id", sa.String(80), sa.ForeignKey("finding.id", name="fk_annotation_finding_id_finding")
        ),
        sa.Column("subject", sa.String(300)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column(
            "artifact_id",
            sa.String(80),
            sa.ForeignKey("artifact.id", name="fk_annotation_artifact_id_artifact"),
        ),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_annotation_finding_id", "annotation", ["finding_id"])
    op.create_index("ix_annotation_subject", "annotation", ["subject"])
    # the review queue and the finding API sort and filter on these
    op.create_index("ix_finding_status_created", "finding", ["status", "created_at", "id"])
    op.create_index("ix_finding_created", "finding", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_finding_created", "finding")
    op.drop_index("ix_finding_status_created", "finding")
    op.drop_index("ix_annotation_subject", "annotation")
    op.drop_index("ix_annotation_finding_id", "annotation")
    op.drop_table("annotation")
    op.drop_index("ix_user_session_user_name", "user_session")
    op.drop_table("user_session")
    op.drop_table("app_user")
