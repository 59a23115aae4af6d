"""Alembic environment for armswatch workspaces.

The workspace passes an open SQLAlchemy connection in ``config.attributes["connection"]``; migrations
never open their own engine, so they run inside the caller's transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from armswatch.store.schema import metadata

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic CLI directly
    raise RuntimeError("armswatch migrations run through armswatch.store.database.migrate()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
