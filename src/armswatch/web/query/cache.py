"""A small per-process cache keyed by a fingerprint of the files or rows a value was computed from."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_values: dict[tuple[str, str], tuple[str, Any]] = {}
_computing: dict[tuple[str, str], threading.RLock] = {}
MAX_ENTRIES = 2000


def files_fingerprint(files: Iterable[Path]) -> str:
    """Names, sizes and modification times of ``files`` (a changed or added file changes it)."""
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def cached(scope: str, name: str, fingerprint: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per (scope, name, fingerprint); a new fingerprint replaces the old value."""
    key = (scope, name)
    with _lock:
        hit = _values.get(key)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]  # type: ignore[no-any-return]
    with _lock:
        computing = _computing.setdefault(key, threading.RLock())
    with computing:  # a second request for the same value waits for the first instead of redoing it
        with _lock:
            hit = _values.get(key)
        if hit is not None and hit[0] == fingerprint:
            return hit[1]  # type: ignore[no-any-return]
        value = compute()
        with _lock:
            if len(_values) >= MAX_ENTRIES:
                _values.clear()
            _values[key] = (fingerprint, value)
    return value


def case_version(ws: Any) -> str:
    """A stamp that changes with every recorded change to the case: the audit log's head sequence
    (findings, reviews, runs, sites … are all audited), read from one row."""
    head = ws.audit_head()
    return "0" if head is None else str(head[0])
