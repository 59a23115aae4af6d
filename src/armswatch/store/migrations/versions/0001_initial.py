"""Initial workspace schema: provenance spine (source, artifact, run, finding, review), sites, audit log.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

T = sa.String(40)  # ISO 8601 UTC timestamp


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("publisher", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("licence", sa.Text),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("created_at", T, nullable=False),
    )
    op.create_table(
        "artifact",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("captured_at", T),
        sa.Column("added_at", T, nullable=False),
        sa.Column("source_id", sa.String(200), sa.ForeignKey("source.id")),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("simulated", sa.Boolean, nullable=False),
    )
    op.create_table(
        "run",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("tool", sa.String(200), nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("started_at", T, nullable=False),
        sa.Column("ended_at", T),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("simulated", sa.Boolean, nullable=False),
    )
    op.create_index("ix_run_tool", "run", ["tool"])
    op.create_table(
        "run_artifact",
        sa.Column("run_id", sa.String(80), sa.ForeignKey("run.id"), primary_key=True),
        sa.Column("artifact_id", sa.String(80), sa.ForeignKey("artifact.id"), primary_key=True),
        sa.Column("role", sa.String(10), primary_key=True),
    )
    op.create_table(
        "finding",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("run_id", sa.String(80), sa.ForeignKey("run.id"), nullable=False),
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("subjects", sa.JSON, nullable=False),
        sa.Column("geometry", sa.JSON),
        sa.Column("start_at", T),
        sa.Column("end_at", T),
        sa.Column("confidence", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("simulated", sa.Boolean, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("created_at", T, nullable=False),
    )
    op.create_index("ix_finding_kind", "finding", ["kind"])
    op.create_index("ix_finding_run", "finding", ["run_id"])
    op.create_table(
        "finding_subject",
        sa.Column("finding_id", sa.String(80), sa.ForeignKey("finding.id"), primary_key=True),
        sa.Column("subject", sa.String(300), primary_key=True),
    )
    op.create_index("ix_finding_subject_subject", "finding_subject", ["subject"])
    op.create_table(
        "finding_evidence",
        sa.Column("finding_id", sa.String(80), sa.ForeignKey("finding.id"), primary_key=True),
        sa.Column("artifact_id", sa.String(80), sa.ForeignKey("artifact.id"), primary_key=True),
    )
    op.create_table(
        "review",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("finding_id", sa.String(80), sa.ForeignKey("finding.id"), nullable=False),
        sa.Column("status_from", sa.String(20), nullable=False),
        sa.Column("status_to", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("at", T, nullable=False),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("geometry", sa.JSON, nullable=False),
        sa.Column("precision", sa.String(20), nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("created_at", T, nullable=False),
        sa.Column("updated_at", T, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", T, nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("object_type", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(300), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "meta",
        "audit_log",
        "site",
        "review",
        "finding_evidence",
        "finding_subject",
        "finding",
        "run_artifact",
        "run",
        "artifact",
        "source",
    ):
        op.drop_table(name)
