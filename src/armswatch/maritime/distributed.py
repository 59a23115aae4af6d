"""Run the per-partition AIS code on a Dask distributed cluster (``--scheduler``).

The cluster is Dask's own (``dask``/``distributed``, the ``dask`` extra): this module connects to a
scheduler (``tcp://HOST:PORT``, or ``local[:N]`` for a :class:`distributed.LocalCluster` of N
single-threaded worker processes on this machine), submits partition tasks with ``retries``, shows
progress as partitions done / total and reports task failures. The tasks themselves live in
:mod:`~armswatch.maritime.event_task` (events) and :mod:`~armswatch.maritime.ingest_task` (ingest);
they read and write the partitioned Parquet tables on storage every worker sees (a shared path), and
every write of a task is atomic and idempotent (a fixed file name per partition and job, written
under a temporary name and renamed), so a retried task or a task re-run after a worker died neither
loses nor duplicates rows. Only the client writes to the database (runs, findings, artifacts).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from armswatch.errors import ExternalServiceError, InputError
from armswatch.progress import NO_PROGRESS, Progress

if TYPE_CHECKING:
    from distributed import Client, Future

SCHEDULER_ENV: Final = "ARMSWATCH_DASK_SCHEDULER"
JOBS_DIR: Final = ".dask"
"""Per-job working folders under the workspace's tables folder (staged rows, emitted events)."""
FAILURE_TOPIC: Final = "armswatch-partition-failure"
DEFAULT_RETRIES: Final = 3

T = TypeVar("T")


class ClusterError(ExternalServiceError):
    """The Dask cluster cannot be reached, or a partition still failed after its retries."""


@dataclass
class Job:
    """One distributed job: its id, where it may write, and the failures its tasks reported."""

    client: Client
    tables_dir: Path
    retries: int = DEFAULT_RETRIES
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    progress: Progress = NO_PROGRESS
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """The job's working folder on shared storage (removed by the client when the job ends)."""
        return Path(self.tables_dir) / JOBS_DIR / self.id

    def submit(self, label: str, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Submit ``fn(*args)`` as the task of partition ``label`` (retried by Dask ``retries`` times)."""
        return self.client.submit(
            guarded, self.id, label, fn, *args, key=f"{label}-{self.id}", retries=self.retries, pure=False
        )

    def wait(self, phase: str, futures: list[Future[Any]], *, keep: bool = True) -> list[Any]:
        """Results of ``futures`` in order, advancing the progress of ``phase`` as each completes; a
        partition that still fails after its retries raises :class:`ClusterError` naming it
        (an :class:`InputError` of a task is raised as it is). The list is emptied, and with
        ``keep=False`` no result is kept, so the cluster can free each result once it is used."""
        from distributed import as_completed

        total = len(futures)
        self.progress.phase(phase, total)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * total
        pending = as_completed(futures)  # type: ignore[no-untyped-call]
        futures.clear()
        for fut in pending:
            if fut.status == "error":
                exc = fut.exception()
                self.collect_failures()
                # stop the job's other tasks (they would write into a folder that is being removed)
                with suppress(Exception):
                    self.client.cancel(list(pending.futures))  # type: ignore[no-untyped-call]
                if isinstance(exc, InputError):
                    raise exc
                error = f"{type(exc).__name__}: {exc}"
                # a task whose input failed errs with that input's exception: name the partition that failed
                label = next(
                    (f["partition"] for f in reversed(self.failures) if f.get("error") == error),
                    str(fut.key).removesuffix(f"-{self.id}"),
                )
                raise ClusterError(f"partition {label} failed after {self.retries} retries: {error}")
            if keep:
                results[index[fut.key]] = fut.result()
            self.progress.advance()
        return results

    def cleanup(self) -> None:
        """Remove the job's working folder (and the jobs folder when no other job uses it)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        with suppress(OSError):
            self.folder.parent.rmdir()

    def collect_failures(self) -> list[dict[str, str]]:
        """The task failures the workers reported for this job (each was retried by Dask)."""
        events = self.client.get_events(FAILURE_TOPIC)
        self.failures = [
            dict(msg) for _, msg in events if isinstance(msg, dict) and msg.get("job") == self.id
        ]
        return self.failures


def guarded(job_id: str, label: str, fn: Callable[..., T], *args: Any) -> T:
    """Run on a worker: ``fn(*args)``; a failure is logged to the scheduler (topic
    :data:`FAILURE_TOPIC`, so the client can report it) and re-raised for Dask to retry."""
    register_sizes()  # the worker reports the size of what the task returns
    try:
        return fn(*args)
    except InputError:
        raise  # bad input is no transient failure; the client reports it as is
    except Exception as exc:
        try:
            from distributed import get_worker

            get_worker().log_event(
                FAILURE_TOPIC, {"job": job_id, "partition": label, "error": f"{type(exc).__name__}: {exc}"}
            )
        except ValueError:  # not running on a worker
            pass
        raise


def _local_workers(address: str) -> int | None:
    """N of ``local`` / ``local:N`` (None when ``address`` names a remote scheduler)."""
    if address == "local":
        return max(1, min(os.cpu_count() or 1, 4))
    if address.startswith("local:"):
        text = address.removeprefix("local:")
        if not (text.isascii() and text.isdigit()) or len(text) > 4 or int(text) < 1:
            raise InputError(f"--scheduler local:N needs a number of workers >= 1 (got {address!r})")
        return int(text)
    return None


@contextmanager
def connect(address: str, *, processes: bool = True, timeout_s: float = 10.0) -> Iterator[Client]:
    """A Dask client for ``address``: ``tcp://HOST:PORT`` (or any Dask address) of a running
    scheduler, or ``local[:N]`` to start a LocalCluster of N single-threaded workers here for the
    duration (``processes=False``: threads in this process, for tests)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError("Dask is not installed: pip install 'armswatch[dask]'") from exc
    workers = _local_workers(address)
    register_sizes()
    if workers is not None:
        # the workers share this machine's cores: polars in each gets its share, not all of them
        # (N processes each running as many polars threads as cores only contend), unless set
        threads = os.environ.get("POLARS_MAX_THREADS") or str(max(1, (os.cpu_count() or 1) // workers))
        share = {"POLARS_MAX_THREADS": threads}
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                **({"env": share} if processes else {}),
                host="127.0.0.1",  # this machine only (and no outward look-up of its address)
                protocol="tcp",
                threads_per_worker=1,
                processes=processes,
                dashboard_address="127.0.0.1:0",  # any free port (the HTTP server always runs)
                silence_logs=40,
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    if "://" not in address:
        raise InputError(f"--scheduler must be tcp://HOST:PORT or local[:N] (got {address!r})")
    try:
        client = Client(address, timeout=timeout_s)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        yield client


def write_atomic_ipc(frame: Any, target: Path) -> Path:
    """Write a polars frame to ``target`` as uncompressed Arrow IPC, atomically (a frame handed from
    one task to another through shared storage: written and read at memory speed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}-{uuid.uuid4().hex[:8]}.tmp")
    frame.write_ipc(tmp, compression="uncompressed")
    os.replace(tmp, target)
    return target


@cache
def register_sizes() -> None:
    """Tell Dask how big a polars frame is (it would take one for 56 bytes, and then place and steal
    tasks as if moving a day of positions between workers cost nothing)."""
    try:
        import polars as pl
        from dask.sizeof import sizeof
    except ImportError:  # the dask extra is not installed: nothing runs on a cluster
        return

    @sizeof.register(pl.DataFrame)  # type: ignore[untyped-decorator,no-untyped-call]
    def _frame(frame: pl.DataFrame) -> int:
        return int(frame.estimated_size())


def write_atomic_parquet(frame: Any, target: Path) -> Path:
    """Write a polars frame to ``target`` atomically (temporary name, then rename), replacing a file
    a previous attempt of the same task left: the idempotent write of a partition task."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}-{uuid.uuid4().hex[:8]}.tmp")
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, target)
    return target
