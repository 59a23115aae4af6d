"""Integrity: record seals bound to the audit chain, the Parquet file registry and run leases.

* ``record_seal`` – one row per (table, record id, audit entry): the content digest of the record as
  that audit entry wrote it (``digest`` null when the entry removed it). The latest seal of a record
  is what ``armswatch verify`` expects to find; each audit entry commits to the sum of its seals.
* ``table_file`` – every Parquet file under ``tables/`` with its SHA-256 and size, and the run that
  wrote it.
* ``run_lease`` – liveness of a running run: process id, host, process start time and a lease,
  so that a run left "running" by a dead process is recognised and closed as failed.

Revision ID: 0003_integrity
Revises: 0002_entities
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_integrity"
down_revision = "0002_entities"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_seal",
        sa.Column("tbl", sa.String(64), nullable=False),
        sa.Column("rid", sa.String(600), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64)),
        sa.PrimaryKeyConstraint("tbl", "rid", "seq", name="pk_record_seal"),
    )
    op.create_index("ix_record_seal_seq", "record_seal", ["seq"])
    op.create_table(
        "table_file",
        sa.Column("path", sa.String(500), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("run_id", sa.String(80)),
        sa.Column("recorded_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "run_lease",
        sa.Column("run_id", sa.String(80), primary_key=True),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("boot_id", sa.String(80), nullable=False),
        sa.Column("proc_start", sa.String(40), nullable=False),
        sa.Column("lease_until", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_lease")
    op.drop_table("table_file")
    op.drop_index("ix_record_seal_seq", "record_seal")
    op.drop_table("record_seal")
