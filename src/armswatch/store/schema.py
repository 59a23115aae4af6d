"""SQL tables of a workspace (SQLAlchemy Core), shared by every capability.

Domain packages add their own tables to the same :data:`metadata` and ship an Alembic migration for
them; the migrations, not ``metadata.create_all``, create the tables in a workspace.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Times are stored as ISO 8601 UTC strings ("2024-03-02T10:00:00+00:00"): portable between SQLite and
# PostgreSQL and byte-stable for the audit hash chain.

source = Table(
    "source",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("publisher", Text),
    Column("url", Text),
    Column("licence", Text),
    Column("reliability", String(1), nullable=False),
    Column("created_at", String(40), nullable=False),
)

artifact = Table(
    "artifact",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("media_type", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text),
    Column("captured_at", String(40)),
    Column("added_at", String(40), nullable=False),
    Column("source_id", String(200), ForeignKey("source.id")),
    Column("meta", JSON, nullable=False),
    Column("simulated", Boolean, nullable=False),
)

run = Table(
    "run",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("tool", String(200), nullable=False),
    Column("version", String(80), nullable=False),
    Column("parameters", JSON, nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("ended_at", String(40)),
    Column("status", String(20), nullable=False),
    Column("error", Text),
    Column("analyst", String(200), nullable=False),
    Column("summary", JSON, nullable=False),
    Column("simulated", Boolean, nullable=False),
    Index("ix_run_tool", "tool"),
)

run_artifact = Table(
    "run_artifact",
    metadata,
    Column("run_id", String(80), ForeignKey("run.id"), primary_key=True),
    Column("artifact_id", String(80), ForeignKey("artifact.id"), primary_key=True),
    Column("role", String(10), primary_key=True),
)

finding = Table(
    "finding",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("run_id", String(80), ForeignKey("run.id"), nullable=False),
    Column("kind", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("subjects", JSON, nullable=False),
    Column("geometry", JSON),
    Column("start_at", String(40)),
    Column("end_at", String(40)),
    Column("confidence", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("simulated", Boolean, nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_finding_kind", "kind"),
    Index("ix_finding_run", "run_id"),
)

finding_subject = Table(
    "finding_subject",
    metadata,
    Column("finding_id", String(80), ForeignKey("finding.id"), primary_key=True),
    Column("subject", String(300), primary_key=True),
    Index("ix_finding_subject_subject", "subject"),
)

finding_evidence = Table(
    "finding_evidence",
    metadata,
    Column("finding_id", String(80), ForeignKey("finding.id"), primary_key=True),
    Column("artifact_id", String(80), ForeignKey("artifact.id"), primary_key=True),
)

review = Table(
    "review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", String(80), ForeignKey("finding.id"), nullable=False),
    Column("status_from", String(20), nullable=False),
    Column("status_to", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("analyst", String(200), nullable=False),
    Column("at", String(40), nullable=False),
)

site = Table(
    "site",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("name", Text, nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("country", String(2), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("geometry", JSON, nullable=False),
    Column("precision", String(20), nullable=False),
    Column("sources", JSON, nullable=False),
    Column("notes", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("analyst", String(200), nullable=False),
    Column("action", String(80), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(300), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("value", JSON, nullable=False),
)

# Integrity (migration 0003_integrity): see armswatch.provenance.seal and armswatch.provenance.liveness.
record_seal = Table(
    "record_seal",
    metadata,
    Column("tbl", String(64), primary_key=True),
    Column("rid", String(600), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("digest", String(64)),
    Index("ix_record_seal_seq", "seq"),
)

table_file = Table(
    "table_file",
    metadata,
    Column("path", String(500), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("run_id", String(80)),
    Column("recorded_at", String(40), nullable=False),
)

run_lease = Table(
    "run_lease",
    metadata,
    Column("run_id", String(80), primary_key=True),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("boot_id", String(80), nullable=False),
    Column("proc_start", String(40), nullable=False),
    Column("lease_until", String(40), nullable=False),
)
