"""The Dask engine runs the same per-partition code as the local run: same events, same stored rows,
failures retried without losing or duplicating anything (a LocalCluster in this process)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from armswatch.cli.main import app
from armswatch.errors import InputError
from armswatch.maritime import distributed, event_task, ingest_task, store
from armswatch.maritime.distributed import Job, connect
from armswatch.maritime.event_task import choose_buckets, detect_on_cluster
from armswatch.maritime.events import Context, EventParams, detect
from armswatch.maritime.ingest import ingest_file
from armswatch.maritime.ingest_task import ingest_on_cluster
from armswatch.maritime.simulate import SimConfig, ports_frame, simulate
from armswatch.progress import RecordedProgress
from armswatch.workspace import Workspace

SIM = simulate(SimConfig(n_vessels=10, days=3, seed=7, p_spoof=0.5))
CTX = Context.build(ports_frame())


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with connect("local:2", processes=False) as c:
        yield c


def _normal(ev: pl.DataFrame) -> list[tuple[object, ...]]:
    """Rows with floats rounded to 9 digits (a sum over another chunking may differ in the last bit)."""

    def clean(v: object) -> object:
        if isinstance(v, float):
            return round(v, 9)
        if isinstance(v, dict):
            return tuple(sorted((k, clean(x)) for k, x in v.items()))
        if isinstance(v, list):
            return tuple(clean(x) for x in v)
        return v

    return [
        tuple(clean(json.loads(v) if k == "details" else v) for k, v in row.items())
        for row in ev.iter_rows(named=True)
    ]


def _fail_once(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, after: bool) -> list[int]:
    """Make ``module.name`` raise on its second call (``after``: once the real call has written)."""
    real: Callable[..., Any] = getattr(module, name)
    calls: list[int] = []
    lock = threading.Lock()

    def flaky(*args: Any, **kwargs: Any) -> Any:
        with lock:
            calls.append(1)
            n = len(calls)
        if n == 2 and not after:
            raise OSError("simulated worker failure before writing")
        result = real(*args, **kwargs)
        if n == 2:
            raise OSError("simulated worker failure after writing")
        return result

    monkeypatch.setattr(module, name, flaky)
    return calls


@pytest.fixture()
def tables(ws: Workspace) -> Workspace:
    store.write_positions(ws, SIM.positions.with_columns(source=pl.lit("simulated")))
    return ws


@pytest.mark.parametrize("buckets", [None, 4, 16])
def test_events_on_the_cluster_equal_the_local_run(
    tables: Workspace, client: Any, buckets: int | None
) -> None:
    local = detect(store.scan_positions(tables), CTX)
    rec = RecordedProgress()
    job = Job(client, tables.tables_dir, progress=rec)
    dist = detect_on_cluster(job, store.positions_path(tables), None, CTX, EventParams(), buckets=buckets)
    assert local.events.height > 30
    assert set(local.events["event_type"]) >= {"port_call", "gap", "encounter", "loitering", "spoofing"}
    assert _normal(dist.events) == _normal(local.events)
    assert dist.coverage.hours.equals(local.coverage.hours)
    assert dist.coverage.outages.equals(local.coverage.outages)
    assert dist.sources == ("simulated",)
    phases = {name: (total, done) for name, total, done in rec.phases}
    assert phases["coverage (days)"] == (3, 3)
    total, done = phases["events (partitions)"]
    assert total == done and total is not None and total >= 3 * 2  # pairs + carries of every day
    assert not (tables.tables_dir / distributed.JOBS_DIR).exists()  # the job folder is removed


def test_events_within_a_period_equal_the_local_run(tables: Workspace, client: Any) -> None:
    start, end = datetime(2026, 3, 1, 18, tzinfo=UTC), datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
    local = detect(store.scan_positions(tables, start, end), CTX)
    job = Job(client, tables.tables_dir)
    dist = detect_on_cluster(
        job, store.positions_path(tables), None, CTX, EventParams(), start=start, end=end
    )
    assert local.events.height > 5
    assert _normal(dist.events) == _normal(local.events)


@pytest.mark.parametrize("after", [False, True])
def test_a_failed_partition_is_retried_and_nothing_is_lost_or_doubled(
    tables: Workspace, client: Any, monkeypatch: pytest.MonkeyPatch, after: bool
) -> None:
    local = detect(store.scan_positions(tables), CTX)
    calls = _fail_once(monkeypatch, event_task, "write_atomic_parquet", after)
    job = Job(client, tables.tables_dir, retries=2)
    dist = detect_on_cluster(job, store.positions_path(tables), None, CTX, EventParams(), buckets=2)
    assert len(calls) > 2  # the failure happened, the task ran again
    assert _normal(dist.events) == _normal(local.events)
    failures = job.collect_failures()
    assert len(failures) == 1 and "simulated worker failure" in failures[0]["error"]


def test_a_partition_failing_every_time_is_one_error_naming_it(
    tables: Workspace, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise OSError("disk gone")

    monkeypatch.setattr(event_task, "write_atomic_parquet", broken)
    job = Job(client, tables.tables_dir, retries=1)
    with pytest.raises(
        distributed.ClusterError, match=r"partition (bucket|pairs)-2026-.* failed after 1 retries"
    ):
        detect_on_cluster(job, store.positions_path(tables), None, CTX, EventParams(), buckets=2)
    assert len(job.collect_failures()) >= 2  # first try and the retry, both reported


def _files(tmp_path: Path) -> list[Path]:
    pos = SIM.positions
    half = pos.height // 2
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pos.slice(0, half + 250).write_parquet(a)  # 250 rows in both files
    pos.slice(half).write_parquet(b)
    return [a, b]


def _stored(ws: Workspace) -> pl.DataFrame:
    return store.scan_positions(ws).collect().drop("source").sort("mmsi", "ts", "lat", "lon")


def test_ingest_on_the_cluster_stores_what_a_local_ingest_stores(
    tmp_path: Path, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when one publish task dies after writing its file (the retry rewrites the same file)."""
    files = _files(tmp_path)
    here = Workspace.init(tmp_path / "here")
    there = Workspace.init(tmp_path / "there")
    try:
        local = [ingest_file(here, f) for f in files]
        calls = _fail_once(monkeypatch, ingest_task, "write_atomic_parquet", after=True)
        job = Job(client, there.tables_dir, retries=2)
        dist = ingest_on_cluster(there, job, files)
        assert len(calls) > 2 and len(job.collect_failures()) == 1
        for (_, a), (_, b) in zip(local, dist, strict=True):
            assert a["positions"] == b["positions"] and a["rejected"] == b["rejected"]
        assert dist[1][1]["positions"]["duplicates"] == 250
        assert _stored(here).equals(_stored(there))
        assert _stored(there).height == SIM.positions.height
        again = ingest_on_cluster(there, Job(client, there.tables_dir), files)  # a re-ingest adds nothing
        assert [s["positions"]["added"] for _, s in again] == [0, 0]
        assert _stored(there).height == SIM.positions.height
        assert not (there.tables_dir / distributed.JOBS_DIR).exists()
    finally:
        here.close()
        there.close()


def test_strict_ingest_on_the_cluster_records_a_failed_run_and_stores_nothing_of_that_file(
    ws: Workspace, tmp_path: Path, client: Any
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("mmsi,ts,lat,lon\n445000001,2026-03-01T00:00:00Z,40.0,130.0\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "mmsi,ts,lat,lon\n445000002,2026-03-01T00:00:00Z,40.0,130.0\nxx,2026-03-01T00:01:00Z,40,130\n"
    )
    with pytest.raises(InputError, match=r"bad\.csv:3: bad AIS record"):
        ingest_on_cluster(ws, Job(client, ws.tables_dir), [good, bad], strict=True)
    assert store.scan_positions(ws).collect()["mmsi"].to_list() == [445000001]
    runs = sorted(ws.list_runs(tool="ais.ingest"), key=lambda r: r.parameters["file"])
    assert [(r.parameters["file"], r.status) for r in runs] == [
        ("bad.csv", "failed"),
        ("good.csv", "succeeded"),
    ]


def test_choose_buckets_divides_the_storage_buckets() -> None:
    assert choose_buckets([10], 1) == 1
    assert choose_buckets([10], 2) == 2
    assert choose_buckets([10], 3) == 4
    assert choose_buckets([1_000_000], 1) == 4
    assert choose_buckets([100_000_000], 1) == 16


def test_cli_scheduler_runs_ingest_and_events_like_the_local_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = distributed.connect
    monkeypatch.setattr(distributed, "connect", lambda address: real(address, processes=False))
    files = [str(f) for f in _files(tmp_path)]
    runner = CliRunner()
    out: dict[str, str] = {}
    for name, extra in (("here", []), ("there", ["--scheduler", "local:2"])):
        root = str(Workspace.init(tmp_path / name).root)
        res = runner.invoke(
            app, ["ais", "ingest", *files, "-w", root, "-q", "--output-format", "json", *extra]
        )
        assert res.exit_code == 0, res.output
        assert [r["positions_added"] for r in json.loads(res.stdout)] == [SIM.positions.height // 2 + 250,
                                                                          SIM.positions.height // 2 - 250]  # fmt: skip
        res = runner.invoke(
            app, ["ais", "events", "-w", root, "-q", "-o", str(tmp_path / f"{name}.parquet"), *extra]
        )
        assert res.exit_code == 0, res.output
        out[name] = res.output
    here, there = (pl.read_parquet(tmp_path / f"{n}.parquet") for n in ("here", "there"))
    assert here.height > 30 and _normal(here) == _normal(there)


def test_cli_scheduler_env_and_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(Workspace.init(tmp_path / "case").root)
    runner = CliRunner()
    res = runner.invoke(app, ["ais", "events", str(tmp_path / "x.csv"), "-w", root, "--scheduler", "local:1"])
    assert res.exit_code == 2 and "ingest the files first" in res.output
    monkeypatch.setenv(distributed.SCHEDULER_ENV, "local:zero")
    res = runner.invoke(app, ["ais", "events", "-w", root, "-q"])
    assert res.exit_code == 2 and "local:N needs a number of workers" in res.output
    monkeypatch.setenv(distributed.SCHEDULER_ENV, "somewhere:8786")
    res = runner.invoke(app, ["ais", "events", "-w", root, "-q"])
    assert res.exit_code == 2 and "tcp://HOST:PORT" in res.output
    res = runner.invoke(app, ["ais", "events", "-w", root, "-q", "--retries", "-1"])
    assert res.exit_code == 2 and "--retries" in res.output


def test_an_encounter_task_run_again_returns_what_it_stored(tables: Workspace, tmp_path: Path) -> None:
    """A pairs task recomputed after its worker died (its step files already read and removed)
    returns the open encounters it stored, and writes its events once."""
    params = EventParams()
    scope = event_task.Scope(store.positions_path(tables), None, None, 2, tmp_path / "job" / "events")
    day = datetime(2026, 3, 1, tzinfo=UTC)
    outs = [event_task.bucket_task(scope, CTX, params, day, False, b, None, None) for b in range(2)]
    steps = tmp_path / "job" / "steps" / "day=2026-03-01"
    names = ["keys-00.arrow", "keys-01.arrow", "slots-00.arrow", "slots-01.arrow"]
    assert sorted(p.name for p in steps.iterdir()) == names
    slots = pl.concat([pl.read_ipc(p) for p in steps.glob("slots-*")])
    keys = pl.concat([pl.read_ipc(p) for p in steps.glob("keys-*")])
    assert slots.height > 0
    # the keys are every in-state position of exactly the vessels that have slots
    moving = set(slots["mmsi"].to_list())
    in_state = pl.concat([o.data.filter(pl.col("in_state")) for o in outs])
    assert keys.height == in_state.filter(pl.col("mmsi").is_in(list(moving))).height
    assert set(keys["mmsi"].to_list()) == moving != set(in_state["mmsi"].to_list())
    first = event_task.pairs_task(scope, CTX, params, day, False, [])
    assert not steps.exists()  # read once, then removed
    again = event_task.pairs_task(scope, CTX, params, day, False, [])
    assert first.equals(again)
    # the second run did not detect again from the (removed) step files: the day's encounter is kept
    events = pl.read_parquet(tmp_path / "job" / "events" / "day=2026-03-01" / "pairs.parquet")
    assert events["event_type"].to_list() == ["encounter"]


def test_dask_weighs_polars_frames_and_bucket_results_by_their_size() -> None:
    from dask.sizeof import sizeof

    distributed.register_sizes()
    frame = SIM.positions.select("mmsi", "ts", "lat", "lon")
    out = event_task.BucketOut(frame, tuple(frame.columns), frame.head(0))
    assert sizeof(frame) == frame.estimated_size() > 10_000
    assert sizeof(out) >= frame.estimated_size()


def test_local_cluster_workers_share_the_cores_for_polars(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    with connect("local:2") as c:  # worker processes, as the CLI starts them
        threads = c.run(pl.thread_pool_size)
    assert sorted(threads.values()) == [max(1, (os.cpu_count() or 1) // 2)] * 2
