"""Batches on their way into the workspace: written whole to a spool folder, then ingested.

A batch is first written to ``<workspace>/.live/spool/`` (a temporary file renamed into place), then
ingested with :func:`~armswatch.maritime.ingest.ingest_file` as one ``ais.ingest`` run whose input
artifact is the batch file (content-addressed), and only then removed. A process killed at any point
leaves either nothing, or a whole spool file that the next ``ais listen`` (or :meth:`Spool.drain`)
ingests first; re-ingesting a batch whose rows were already published adds none (rows are
deduplicated), so a batch is never half-written and never stored twice. A spool file that cannot
be read at all is moved to ``.live/rejected/`` and counted, so it never blocks the feed.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from armswatch.errors import InputError

EXTENSIONS: Final = {"nmea": ".nmea", "aisstream": ".jsonl"}
FORMAT_OF: Final = {v: k for k, v in EXTENSIONS.items()}


@dataclass(frozen=True)
class BatchOutcome:
    """One ingested batch: its spool file name, run id and run summary."""

    name: str
    run_id: str
    summary: dict[str, Any]

    @property
    def added(self) -> int:
        return int(self.summary.get("positions", {}).get("added", 0))


@dataclass
class Spool:
    """The spool folder of a workspace and the ingest of its files (call from one thread at a time)."""

    ws: Any
    source_id: str | None = None
    simulated: bool = False
    session: str = field(default_factory=lambda: f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}")
    seq: int = 0
    rejected_files: Counter[str] = field(default_factory=Counter)

    @property
    def folder(self) -> Path:
        return Path(self.ws.root) / ".live" / "spool"

    def write(self, data: bytes, fmt: str) -> Path:
        """Put one batch in the spool, atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.seq += 1
        path = self.folder / f"live-{self.session}-{self.seq:06d}{EXTENSIONS[fmt]}"
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return path

    def pending(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(
            p for p in self.folder.iterdir() if p.suffix in FORMAT_OF and not p.name.startswith(".")
        )

    def drain(self) -> list[BatchOutcome]:
        """Ingest every spool file, oldest first; each is removed once its run has closed."""
        from armswatch.maritime.ingest import ingest_file

        done: list[BatchOutcome] = []
        for path in self.pending():
            try:
                run_id, summary = ingest_file(
                    self.ws,
                    path,
                    fmt=FORMAT_OF[path.suffix],
                    source_id=self.source_id,
                    simulated=self.simulated,
                )
            except InputError:
                rejected = path.parent.parent / "rejected"
                rejected.mkdir(exist_ok=True)
                os.replace(path, rejected / path.name)
                self.rejected_files["unreadable_batch"] += 1
                continue
            path.unlink(missing_ok=True)
            done.append(BatchOutcome(path.name, run_id, summary))
        return done

    def ingest(self, data: bytes, fmt: str, spooled: Callable[[], None] | None = None) -> list[BatchOutcome]:
        """Spool one batch and ingest everything pending (earlier failed batches first);
        ``spooled()`` is called once the batch is whole in the spool (its journal file can go)."""
        if data:
            self.write(data, fmt)
        if spooled is not None:
            spooled()
        return self.drain()
