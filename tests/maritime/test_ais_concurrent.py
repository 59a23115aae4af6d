"""Concurrent and repeated ingests of one AIS file store its rows once (issue 9 item 5, Parquet side)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from armswatch.maritime.format_text import read_nmea
from armswatch.maritime.ingest import IngestTally, ingest_batches
from armswatch.maritime.staging import STAGING_DIR, Staging, clean_stale_staging
from armswatch.maritime.store import scan_positions, scan_statics


@dataclass(frozen=True)
class Tables:
    tables_dir: Path


def _feed(path: Path, n: int = 3000) -> None:
    from pyais.encode import encode_dict

    lines = []
    for i in range(n):
        sentence = encode_dict(
            {"type": 1, "mmsi": 273000000 + i % 40, "lat": 42 + i / 1e4, "lon": 131.0, "speed": 5},
            talker_id="AI",
        )[0]
        lines.append(f"\\s:rx,c:{1_700_000_000 + 60 * i}*00\\{sentence}")
    path.write_text("\n".join(lines) + "\n")


WORKER = """
import sys, time
from pathlib import Path
from armswatch.maritime.format_text import read_nmea
from armswatch.maritime.ingest import IngestTally, ingest_batches

class Tables:
    tables_dir = Path(sys.argv[1])

go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.01)
tally = ingest_batches(Tables(), read_nmea(Path(sys.argv[2]), chunk_bytes=20_000), source="sha256:f",
                       tally=IngestTally("nmea"))
print(tally.tables["positions"]["added"])
"""


def test_concurrent_ingests_of_one_file_add_no_duplicates(tmp_path: Path) -> None:
    feed = tmp_path / "feed.nmea"
    _feed(feed)
    tables = tmp_path / "tables"
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tables), str(feed), str(go)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    go.touch()  # all four start reading at once
    added = [int(p.communicate(timeout=300)[0].strip()) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    stored = scan_positions(Tables(tables)).collect()
    assert stored.height == 3000 and stored.unique(["mmsi", "ts", "lat", "lon"]).height == 3000
    assert sum(added) == 3000 and sorted(added)[:3] == [0, 0, 0]  # one ingest stored it all
    assert not (tables / STAGING_DIR).exists()  # no staging left behind
    assert list(tables.rglob("*.tmp")) == []


def test_reingest_adds_a_run_but_no_rows_and_failed_ingest_stores_nothing(tmp_path: Path) -> None:
    feed = tmp_path / "feed.nmea"
    _feed(feed, 200)
    t = Tables(tmp_path / "tables")
    first = ingest_batches(t, read_nmea(feed), source="sha256:f", tally=IngestTally("nmea"))
    again = ingest_batches(t, read_nmea(feed), source="sha256:f", tally=IngestTally("nmea"))
    assert first.tables["positions"]["added"] == 200 and again.tables["positions"]["added"] == 0
    files = sorted(p.name for p in (tmp_path / "tables").rglob("*.parquet"))

    def broken() -> object:
        yield from read_nmea(feed, chunk_bytes=2000)
        raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        ingest_batches(t, broken(), source="sha256:g", tally=IngestTally("nmea"))  # type: ignore[arg-type]
    assert sorted(p.name for p in (tmp_path / "tables").rglob("*.parquet")) == files
    assert scan_positions(t).collect().height == 200 and scan_statics(t).collect().height == 0


def test_staging_of_a_dead_process_is_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / STAGING_DIR / "999999999-abc" / "positions"
    stale.mkdir(parents=True)
    (stale / "part-000001.parquet").write_bytes(b"x")
    live = Staging(tmp_path)  # this process: alive
    live.root.mkdir(parents=True)
    removed = clean_stale_staging(tmp_path)
    assert [p.name for p in removed] == ["999999999-abc"] and live.root.exists()
    live.discard()
    assert not (tmp_path / STAGING_DIR).exists()
