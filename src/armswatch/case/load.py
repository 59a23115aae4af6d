"""Import a case zip written by :mod:`armswatch.case.export` into a new workspace.

Everything is checked before anything is written: member names (no absolute paths, ``..``, links
or unlisted files), sizes and SHA-256 of every file against the manifest, the audit chain and its
head, and every record against its seal. Only then is the folder created, the database filled
(SQLite, or an empty PostgreSQL database given by URL) and the files copied; the new workspace
must pass ``armswatch verify``, or it is removed again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Connection, insert, inspect, text

from armswatch.case.export import CHUNK, FORMAT, SKIPPED
from armswatch.config import CONFIG_NAME, DEFAULT_DB_URL, WorkspaceConfig, resolve_database_url, write_config
from armswatch.errors import InputError, IntegrityError, WorkspaceError
from armswatch.progress import NO_PROGRESS, Progress, steps
from armswatch.provenance.audit import AuditEntry, verify_chain
from armswatch.provenance.head import write_head
from armswatch.provenance.seal import MODULUS, key_columns, record_id, row_digest, seal_term, table_for
from armswatch.store import database
from armswatch.workspace import Workspace

MAX_MEMBERS = 10_000_000
_PREFIXES = ("db/", "blobs/sha256/", "tables/")


def _bad(archive: Path, message: str, member: str | None = None) -> InputError:
    return InputError(message, path=str(archive), record=member)


def check_members(archive: Path, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename
        parts = PurePosixPath(name).parts
        if name.startswith("/") or "\\" in name or ".." in parts or ":" in name or not parts:
            raise _bad(archive, "unsafe member name (absolute, '..' or drive)", name)
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise _bad(archive, "symbolic link in the archive", name)
        if info.is_dir():
            continue
        if name not in ("manifest.json",) and not name.startswith(_PREFIXES):
            raise _bad(archive, "unexpected member", name)
        if name in infos:
            raise _bad(archive, "member appears twice", name)
        infos[name] = info
        if len(infos) > MAX_MEMBERS:
            raise _bad(archive, "too many members")
    return infos


def read_member(
    archive: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int, digest: str
) -> Iterator[bytes]:
    """The member's bytes, checked against the manifest's size and hash (never more than ``size``)."""
    if info.file_size != size:
        raise _bad(archive, f"size {info.file_size} differs from the manifest's {size}", info.filename)
    h = hashlib.sha256()
    seen = 0
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            seen += len(chunk)
            if seen > size:
                raise _bad(archive, "member longer than declared", info.filename)
            h.update(chunk)
            yield chunk
    if seen != size or h.hexdigest() != digest:
        raise _bad(archive, "member does not match its SHA-256 in the manifest", info.filename)


def load_manifest(archive: Path, zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    info = infos.get("manifest.json")
    if info is None or info.file_size > 1 << 30:
        raise _bad(archive, "no manifest.json (not an armswatch case export)")
    try:
        manifest: dict[str, Any] = json.loads(zf.read(info))
        files = manifest["files"]
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(files, dict):
            raise ValueError("format")
        for name, f in files.items():
            if (
                not isinstance(name, str)
                or not isinstance(f["size"], int)
                or not isinstance(f["sha256"], str)
            ):
                raise ValueError("file entry")
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad(archive, f"malformed manifest ({exc})", "manifest.json") from exc
    extra = set(infos) - set(files) - {"manifest.json"}
    missing = set(files) - set(infos)
    if extra or missing:
        which = sorted(extra or missing)[0]
        raise _bad(archive, "member not in the manifest" if extra else "member listed but missing", which)
    return manifest


def table_lines(
    archive: Path, zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], manifest: dict[str, Any], name: str
) -> Iterator[dict[str, Any]]:
    member = f"db/{name}.jsonl"
    f = manifest["files"].get(member)
    if f is None:
        raise _bad(archive, f"table {name} listed but its file is missing", member)
    buffer = b""
    line_no = 0
    for chunk in read_member(archive, zf, infos[member], f["size"], f["sha256"]):
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            line_no += 1
            yield _row(archive, member, line_no, line)
    if buffer.strip():
        yield _row(archive, member, line_no + 1, buffer)


def _row(archive: Path, member: str, line_no: int, line: bytes) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise _bad(archive, "malformed JSON line", f"{member}:{line_no}") from exc
    if not isinstance(row, dict):
        raise _bad(archive, "a row is not a JSON object", f"{member}:{line_no}")
    return row


def check_case(
    archive: Path,
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    manifest: dict[str, Any],
    conn: Connection,
    progress: Progress = NO_PROGRESS,
) -> None:
    """Files, chain, head and seals: raise on the first thing that does not match."""
    for name, f in steps(progress, "checking files", list(manifest["files"].items())):
        if not name.startswith("db/"):
            for _ in read_member(archive, zf, infos[name], f["size"], f["sha256"]):
                pass
    tables = manifest.get("tables") or {}
    entries = []
    progress.phase("checking the audit chain and seals")
    for r in table_lines(archive, zf, infos, manifest, "audit_log"):
        try:
            entries.append(AuditEntry(**r))
        except TypeError as exc:
            raise _bad(archive, "malformed audit entry", "db/audit_log.jsonl") from exc
    head = manifest.get("head")
    anchor = None if head is None else (int(head["seq"]), str(head["hash"]))
    problems = verify_chain(sorted(entries, key=lambda e: e.seq), anchor)
    if problems or (anchor is None and entries):
        reason = problems[0].reason if problems else "no head"
        raise IntegrityError(f"the audit chain in the archive does not verify: {reason}", path=str(archive))
    expected: dict[str, dict[str, str | None]] = defaultdict(dict)
    sums: dict[int, int] = defaultdict(int)
    counts: dict[int, int] = defaultdict(int)
    for r in sorted(
        table_lines(archive, zf, infos, manifest, "record_seal"), key=lambda r: (r["tbl"], r["rid"], r["seq"])
    ):
        expected[r["tbl"]][r["rid"]] = r["digest"]
        sums[r["seq"]] = (sums[r["seq"]] + seal_term(r["tbl"], r["rid"], r["digest"])) % MODULUS
        counts[r["seq"]] += 1
    for e in entries:
        mark = e.payload.get("_seal") if isinstance(e.payload, dict) else None
        if mark is not None and (int(mark["n"]), int(mark["sum"], 16)) != (
            counts.get(e.seq, 0),
            sums.get(e.seq, 0),
        ):
            raise IntegrityError(f"audit entry {e.seq}: its record seals do not match", path=str(archive))
    for name in tables:
        if name not in _sealed_tables(conn, tables):
            continue
        keys = key_columns(table_for(conn, name))
        want = expected.get(name, {})
        for row in table_lines(archive, zf, infos, manifest, name):
            rid = record_id([row.get(k) for k in keys])
            if want.get(rid) != row_digest(name, row):
                raise IntegrityError(f"{name} {rid}: record does not match its seal", path=str(archive))


def _sealed_tables(conn: Connection, tables: dict[str, int]) -> set[str]:
    from armswatch.provenance.seal import is_protected

    return {n for n in tables if is_protected(n)}


def import_case(
    archive: Path,
    folder: Path,
    *,
    database_url: str | None = None,
    analyst: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> Workspace:
    """Check ``archive`` completely, then create a workspace from it in ``folder``."""
    archive, folder = Path(archive), Path(folder)
    if (folder / CONFIG_NAME).exists():
        raise WorkspaceError("a workspace already exists here", path=str(folder))
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad(archive, f"not a readable zip file: {exc}") from exc
    with zf:
        infos = check_members(archive, zf)
        manifest = load_manifest(archive, zf, infos)
        if set(manifest.get("revisions") or []) != database.head_revisions():
            raise _bad(
                archive,
                f"case written with schema {manifest.get('revisions')}; this armswatch has {sorted(database.head_revisions())}",
            )
        probe = database.make_engine("sqlite://")
        database.migrate(probe)
        with probe.connect() as conn:
            check_case(archive, zf, infos, manifest, conn, progress)
        probe.dispose()
        created = not folder.exists()
        try:
            return _write(archive, zf, infos, manifest, folder, database_url, analyst, progress)
        except BaseException:
            if created:
                shutil.rmtree(folder, ignore_errors=True)
            raise


def _write(
    archive: Path,
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    manifest: dict[str, Any],
    folder: Path,
    database_url: str | None,
    analyst: str | None,
    progress: Progress = NO_PROGRESS,
) -> Workspace:
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("blobs", "tables", "reports"):
        (folder / sub).mkdir(exist_ok=True)
    url = database_url or DEFAULT_DB_URL
    engine = database.make_engine(resolve_database_url(folder, url))
    database.migrate(engine)
    with engine.begin() as conn:
        present = set(inspect(conn).get_table_names())
        if any(conn.execute(text(f"SELECT 1 FROM {n} LIMIT 1")).first() for n in ("audit_log", "run")):
            raise WorkspaceError("the target database is not empty", path=url)
        from armswatch.store.schema import metadata

        order = [t.name for t in metadata.sorted_tables if t.name in manifest["tables"]]
        order += sorted(set(manifest["tables"]) - set(order))
        for name in steps(progress, "writing tables", order):
            if name in SKIPPED or name not in present:
                raise _bad(archive, f"table {name} does not exist in this armswatch")
            table = table_for(conn, name)
            batch: list[dict[str, Any]] = []
            for row in table_lines(archive, zf, infos, manifest, name):
                batch.append(row)
                if len(batch) >= 5000:
                    conn.execute(insert(table), batch)
                    batch = []
            if batch:
                conn.execute(insert(table), batch)
            if conn.dialect.name == "postgresql":
                for col in table.primary_key.columns:
                    if col.autoincrement is True or (
                        col.autoincrement == "auto"
                        and col.type.python_type is int
                        and len(table.primary_key.columns) == 1
                    ):
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{name}', '{col.name}'), COALESCE((SELECT MAX({col.name}) FROM {name}), 0) + 1, false)"
                            )
                        )
        from armswatch.store.shared_case import forget_record

        forget_record(conn)  # the copy's blobs are in its own folder, not the original's store
    engine.dispose()
    for name, f in steps(progress, "writing files", list(manifest["files"].items())):
        if name.startswith("db/"):
            continue
        target = folder / name
        if not target.resolve().is_relative_to(folder.resolve()):
            raise _bad(archive, "member would land outside the workspace", name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            for chunk in read_member(archive, zf, infos[name], f["size"], f["sha256"]):
                out.write(chunk)
        if name.startswith("blobs/"):
            target.chmod(0o444)
    write_config(
        folder,
        WorkspaceConfig(
            name=str(manifest.get("name") or folder.name),
            created=str(manifest.get("created") or ""),
            database_url=url,
        ),
    )
    head = manifest.get("head")
    if head is not None:
        write_head(folder, int(head["seq"]), str(head["hash"]))
    ws = Workspace.open(folder, analyst=analyst)
    from armswatch.provenance.verify import verify_workspace

    report = verify_workspace(ws, progress=progress)
    if not report.ok:
        ws.close()
        raise IntegrityError(
            f"the imported case does not verify: {report.problems[0].line()}", path=str(folder)
        )
    return ws
