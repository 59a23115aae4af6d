"""Read an entity list from disk: detect its format, read sibling files, hand bytes to a parser.

``load_entities(path, format="auto")`` is the one entry point (used by screening too). Formats:
``un-xml`` (UN SC consolidated list), ``ofac-csv`` (legacy SDN or consolidated CSV set, named by any
of its files), ``ftm`` (FollowTheMoney JSON lines) and ``csv`` (a user CSV with a column mapping).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from armswatch.entities.format_csv import parse_csv, parse_mapping
from armswatch.entities.format_ftm import parse_ftm_lines
from armswatch.entities.format_ofac import parse_ofac
from armswatch.entities.format_un import parse_un_xml
from armswatch.entities.snapshot import ListSnapshot
from armswatch.errors import InputError, MissingFileError

FORMATS = ("auto", "un-xml", "ofac-csv", "ftm", "csv")
# OFAC part names: (primary stem suffix, dataset, {part: stem suffix})
_OFAC_SETS = (
    ("sdn", "us_ofac_sdn", {"add": "add", "alt": "alt", "comments": "sdn_comments"}),
    ("cons_prim", "us_ofac_cons", {"add": "cons_add", "alt": "cons_alt", "comments": "cons_comments"}),
)
_OFAC_PART = re.compile(
    r"(?i)^(?P<base>.*?)(?P<part>sdn_comments|cons_prim|cons_add|cons_alt|cons_comments|sdn|add|alt)$"
)
_FULL_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def load_entities(
    path: Path,
    format: str = "auto",
    *,
    list_date: date | None = None,
    dataset: str | None = None,
    mapping: str | None = None,
) -> ListSnapshot:
    """Parse the list at ``path``. ``list_date`` supplies the date when the list carries none."""
    path = Path(path)
    if not path.is_file():
        raise MissingFileError("no such file", path=str(path))
    fmt = detect_format(path) if format == "auto" else format
    if fmt == "un-xml":
        snap = parse_un_xml(path.read_bytes(), source=str(path))
    elif fmt == "ofac-csv":
        snap = _load_ofac(path, list_date)
    elif fmt == "ftm":
        snap = parse_ftm_lines(_utf8_lines(path), dataset=dataset, list_date=list_date)
    elif fmt == "csv":
        if not mapping:
            raise InputError("a user CSV needs --mapping property=column,…", path=str(path))
        snap = parse_csv(
            _read_text(path), parse_mapping(mapping), dataset=dataset or "user_csv", source=str(path)
        )
    else:
        raise InputError(f"unknown format {format!r} (one of {', '.join(FORMATS)})", path=str(path))
    if list_date is not None and snap.list_date is None:
        snap = ListSnapshot(snap.dataset, list_date, snap.entities, snap.problems, snap.title)
    if dataset is not None and snap.dataset != dataset and fmt in ("un-xml", "ofac-csv"):
        raise InputError(f"--dataset {dataset} cannot rename the {snap.dataset} list", path=str(path))
    return snap


def detect_format(path: Path) -> str:
    """Guess the format from the name and the first bytes."""
    name = path.name.lower()
    head = path.read_bytes()[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    if name.endswith(".xml") or head.startswith(b"<"):
        return "un-xml"
    if name.endswith((".json", ".jsonl", ".ijson", ".ndjson")) or head.startswith(b"{"):
        return "ftm"
    if name.endswith(".csv") and _OFAC_PART.match(path.stem) and re.match(rb"\d+,", head):
        return "ofac-csv"
    if re.match(rb'\d+,"', head):
        return "ofac-csv"
    return "csv"


def ofac_parts(path: Path) -> tuple[str, dict[str, Path]]:
    """The dataset name and the files of the OFAC set that ``path`` belongs to."""
    match = _OFAC_PART.match(path.stem)
    if match is None:
        raise InputError(
            "cannot tell which OFAC file this is (expected …sdn/add/alt/comments.csv)", path=str(path)
        )
    base, part = match.group("base"), match.group("part").lower()
    is_cons = part.startswith("cons_")
    primary, dataset, others = _OFAC_SETS[1] if is_cons else _OFAC_SETS[0]
    upper = match.group("part").isupper()
    files: dict[str, Path] = {}
    for key, suffix in (("primary", primary), *others.items()):
        stem = base + (suffix.upper() if upper else suffix)
        candidate = path.with_name(stem + path.suffix)
        if candidate.is_file():
            files[key] = candidate
    if "primary" not in files:
        raise MissingFileError(f"OFAC primary file {base}{primary}{path.suffix} not found", path=str(path))
    return dataset, files


def _load_ofac(path: Path, list_date: date | None) -> ListSnapshot:
    dataset, files = ofac_parts(path)
    texts = {key: _read_text(p) for key, p in files.items()}
    when = list_date or _date_in_name(files["primary"])
    snap = parse_ofac(texts, dataset=dataset, list_date=when, source=str(files["primary"]))
    for key in ("add", "alt", "comments"):
        if key not in files:
            snap.problems[f"ofac: no {key} file next to the primary file"] += 1
    return snap


def _date_in_name(path: Path) -> date | None:
    match = _FULL_DATE.search(path.name)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _utf8_lines(path: Path) -> list[str]:
    """JSON text is UTF-8 (RFC 8259); anything else is an input error naming the line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig").splitlines(keepends=True)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text (JSON lines must be UTF-8)", path=str(path), record=line) from exc


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
