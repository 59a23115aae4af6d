"""``monitor run --every``: the evaluation loop as a service, stopped by SIGINT/SIGTERM between runs."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from armswatch.monitors.engine import run_monitors


def run_service(
    ws: Any,
    *,
    period: float | None,
    duration: float | None = None,
    only: Sequence[str] = (),
    on_result: Callable[[list[dict[str, Any]]], None],
) -> int:
    """Run once, or every ``period`` seconds until stopped (or ``duration`` passed); returns the
    number of runs. A run never raises for a monitor or a delivery (see :func:`run_monitors`)."""
    stop = threading.Event()
    old = {}
    if period is not None and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.signal(sig, lambda *_: stop.set())
    start = time.monotonic()
    runs = 0
    try:
        while True:
            try:
                rows = [o.as_row() for o in run_monitors(ws, only=only)]
            except Exception as exc:  # a service keeps going (a busy database, a full disk); once: raise
                if period is None:
                    raise
                rows = [{"monitor": "", "error": f"{type(exc).__name__}: {exc}"}]
            on_result(rows)
            runs += 1
            if period is None:
                return runs
            left = None if duration is None else duration - (time.monotonic() - start)
            if left is not None and left <= 0:
                return runs
            if stop.wait(period if left is None else min(period, left)):
                return runs
            if left is not None and left <= period:
                return runs
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
