"""On-disk cache of parsed sanctions lists and their candidate index, for standalone screening.

``armswatch screen --list FILE`` parses the list (seconds for the UN XML) and builds its index on
every run; this cache keeps both, keyed by the sha256 of the list files' bytes, so a second run
starts at once.

Format (safe by construction, no pickle): a folder
``$ARMSWATCH_CACHE_DIR`` or ``$XDG_CACHE_HOME/armswatch`` or ``~/.cache/armswatch``, then
``screen/<key>/`` holding

* ``subjects.json``: the matchable subjects (strings and lists of strings only),
* ``keys.json``: the index key strings,
* ``index.npz``: the integer arrays ``postings`` and ``df``, read with ``allow_pickle=False``,
* ``meta.json``: format version and the sha256 of each of the three files above.

``<key>`` is the sha256 of the list files' sha256s, their file names (the dataset name comes from
it), and a fingerprint of the code that parses lists and builds the index (the source files of
``armswatch.matching`` and ``armswatch.entities`` importers), so a code change never serves stale
subjects. On load every file's hash is checked and every value is type-checked; anything unexpected
is treated as a miss (the entry is rebuilt), never trusted. Entries are written to a temporary
folder and renamed into place, so a crash leaves no half-written entry.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from armswatch.matching.index import CandidateIndex
from armswatch.matching.subject import Subject

FORMAT = 1
_TUPLES = ("names", "former_names", "birth_dates")
_SETS = ("countries", "imo", "mmsi", "registration")
_STRINGS = ("id", "schema", "dataset", "caption")


def cache_root() -> Path:
    """Where armswatch keeps caches (``ARMSWATCH_CACHE_DIR``, else ``XDG_CACHE_HOME/armswatch``)."""
    explicit = os.environ.get("ARMSWATCH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "armswatch"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of the source of the modules that parse lists and build subjects and the index."""
    import armswatch.entities as entities_pkg
    import armswatch.matching as matching_pkg

    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for pkg in (matching_pkg, entities_pkg):
        folder = Path(next(iter(pkg.__path__)))
        for source in sorted(folder.glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def cache_key(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for path in paths:
        digest.update(f"\0{Path(path).name}\0{_sha256_file(Path(path))}".encode())
    return digest.hexdigest()


def subject_to_json(subject: Subject) -> dict[str, Any]:
    out: dict[str, Any] = {k: getattr(subject, k) for k in _STRINGS}
    out.update({k: list(getattr(subject, k)) for k in _TUPLES})
    out.update({k: sorted(getattr(subject, k)) for k in _SETS})
    return out


def subject_from_json(data: Any) -> Subject:
    """A :class:`Subject` from :func:`subject_to_json` output; ValueError on anything else."""
    if not isinstance(data, dict) or set(data) != {*_STRINGS, *_TUPLES, *_SETS}:
        raise ValueError("not a cached subject")
    for key in _STRINGS:
        if not isinstance(data[key], str):
            raise ValueError(f"cached subject field {key} is not text")
    for key in (*_TUPLES, *_SETS):
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"cached subject field {key} is not a list of text")
    return Subject(
        id=data["id"],
        schema=data["schema"],
        names=tuple(data["names"]),
        former_names=tuple(data["former_names"]),
        birth_dates=tuple(data["birth_dates"]),
        countries=frozenset(data["countries"]),
        imo=frozenset(data["imo"]),
        mmsi=frozenset(data["mmsi"]),
        registration=frozenset(data["registration"]),
        dataset=data["dataset"],
        caption=data["caption"],
    )


def _blobs(subjects: Sequence[Subject], index: CandidateIndex) -> dict[str, bytes]:
    import numpy as np

    key_names, arrays = index.arrays()
    buf = io.BytesIO()
    np.savez(buf, postings=arrays["postings"], df=arrays["df"])
    return {
        "subjects.json": json.dumps([subject_to_json(s) for s in subjects], ensure_ascii=False).encode(),
        "keys.json": json.dumps(key_names, ensure_ascii=False).encode(),
        "index.npz": buf.getvalue(),
    }


def store(paths: Sequence[Path], subjects: Sequence[Subject], index: CandidateIndex) -> Path | None:
    """Write a cache entry for ``paths``; returns its folder, or None when the cache is not writable."""
    folder = cache_root() / "screen" / cache_key(paths)
    tmp: Path | None = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        blobs = _blobs(subjects, index)
        for name, data in blobs.items():
            (tmp / name).write_bytes(data)
        meta = {"format": FORMAT, "sha256": {n: hashlib.sha256(d).hexdigest() for n, d in blobs.items()}}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except OSError:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        return None
    return folder


def load(paths: Sequence[Path]) -> tuple[list[Subject], CandidateIndex] | None:
    """The cached subjects and index for ``paths``, or None (missing, damaged or foreign entry)."""
    import numpy as np

    folder = cache_root() / "screen" / cache_key(paths)
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            return None
        expected = meta.get("sha256")
        if not isinstance(expected, dict):
            return None
        blobs = {n: (folder / n).read_bytes() for n in ("subjects.json", "keys.json", "index.npz")}
        if any(hashlib.sha256(d).hexdigest() != expected.get(n) for n, d in blobs.items()):
            return None
        subjects = [subject_from_json(d) for d in json.loads(blobs["subjects.json"])]
        keys = json.loads(blobs["keys.json"])
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            return None
        with np.load(io.BytesIO(blobs["index.npz"]), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in ("postings", "df")}
        return subjects, CandidateIndex.from_arrays(subjects, keys, arrays)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cached_list_index(
    paths: Sequence[Path], *, use_cache: bool = True
) -> tuple[list[Subject], CandidateIndex, bool]:
    """Subjects and index of list files, from the cache when possible: ``(subjects, index, hit)``."""
    from armswatch.entities.screen import load_list_subjects

    if use_cache:
        found = load(paths)
        if found is not None:
            return found[0], found[1], True
    subjects = load_list_subjects(paths)
    index = CandidateIndex(subjects)
    if use_cache:
        store(paths, subjects, index)
    return subjects, index, False
