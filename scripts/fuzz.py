"""Fuzz campaign over every armswatch reader: structured mutation of seeds, bounded and time-boxed.

    .venv/bin/python scripts/fuzz.py                      # the default campaign (make fuzz)
    .venv/bin/python scripts/fuzz.py --seconds 60 --readers ftm,kml
    .venv/bin/python scripts/fuzz.py --inputs 20000 --no-hostile

Every reader (entity lists, site files, AIS files, ports, imagery masks) gets a share of the time box
on ``--jobs`` worker processes. Each input is a seed built by ``fuzz_seeds.py`` and mutated 1-8 times
(byte flips, inserted/deleted/duplicated spans, format tokens such as deep nesting, 5,000-digit
integers, ``encoding="NaN"``, out-of-world coordinates, formula and markup text, splices of other
seeds, line shuffles); mutants that still parse join the pool. Each input's outcome is one of:

- ``ok``: read, no bad record;
- ``bad``: read, bad records counted (the reader's per-record path);
- ``error``: one clean :class:`armswatch.errors.ArmswatchError` (an input error naming the file);
- ``CRASH``: any other exception, or an input that takes longer than ``--input-timeout``.

A crash input is saved to ``--crash-dir`` with its traceback. The hostile phase then runs each
large hostile file of issue 9 (5 M-vertex KML polygon, 100,000-column CSV headers, a 200 MB cell,
300 MB of NMEA without a newline, deep FtM nesting) in a fresh process and reports its peak memory.
Exit status: 0 when no reader crashed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fuzz_seeds as seeds  # noqa: E402

OUTCOMES = ("ok", "bad", "error", "CRASH")
MAX_INPUT = 200_000  # bytes; hostile sizes are the hostile phase's job


class _Timeout(BaseException):
    """One input ran longer than the per-input timeout (BaseException: readers must not swallow it)."""


# ---------------------------------------------------------------- readers: bytes -> "ok" | "bad"


@dataclass
class Reader:
    name: str
    seeds: Callable[[], list[bytes]]
    run: Callable[[bytes, Path], str]
    tokens: tuple[bytes, ...] = ()
    suffix: str = ".dat"


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _snapshot_outcome(snap: Any) -> str:
    return "bad" if sum(snap.problems.values()) else "ok"


def _entities(fmt: str, suffix: str, mapping: str | None = None) -> Callable[[bytes, Path], str]:
    def run(data: bytes, folder: Path) -> str:
        from armswatch.entities.importer import load_entities

        path = _write(folder, "list" + suffix, data)
        return _snapshot_outcome(load_entities(path, fmt, mapping=mapping))

    return run


def _ofac(data: bytes, folder: Path) -> str:
    """The seed is a JSON object of the four parts; a mutation may hit any part (or the JSON)."""
    from armswatch.entities.importer import load_entities

    try:
        parts = json.loads(data)
        texts = (
            {k: str(v) for k, v in parts.items()}
            if isinstance(parts, dict)
            else {"primary": data.decode("latin-1")}
        )
    except (ValueError, RecursionError):
        texts = {"primary": data.decode("latin-1")}
    names = {"primary": "x_sdn.csv", "add": "x_add.csv", "alt": "x_alt.csv", "comments": "x_sdn_comments.csv"}
    for key, name in names.items():
        path = folder / name
        if key in texts:
            path.write_bytes(texts[key].encode("utf-8", "surrogatepass"))
        elif path.exists():
            path.unlink()
    if "primary" not in texts:
        _write(folder, names["primary"], b"")
    return _snapshot_outcome(load_entities(folder / names["primary"], "ofac-csv"))


def _sites(reader: str) -> Callable[[bytes, Path], str]:
    def run(data: bytes, folder: Path) -> str:
        from armswatch.sites import format_csv, format_geojson, format_kml

        read = {
            "geojson": format_geojson.sites_from_geojson,
            "csv": format_csv.sites_from_csv,
            "kml": format_kml.sites_from_kml,
        }[reader]
        skipped: Counter[str] = Counter()
        if data[:1] in b"02468ACEGIKMOQSUWY":  # half the inputs strict, half lenient
            read(data, path="fuzz")
            return "ok"
        read(data, path="fuzz", skipped=skipped)
        return "bad" if skipped else "ok"

    return run


def _kmz(data: bytes, folder: Path) -> str:
    run = _sites("kml")
    if data.startswith(b"PK\x03\x04"):
        return run(data, folder)
    return run(seeds.zip_kml(data), folder)  # a mutated KML inside a valid zip


def _spreadsheet(data: bytes, folder: Path) -> str:
    """The sites CSV formula guard: reversible for every text, never a formula start left unguarded."""
    from armswatch.io.text import FORMULA_START
    from armswatch.sites.spreadsheet import guard_cell, unguard_cell

    text = data.decode("utf-8", "replace")
    guarded = guard_cell(text)
    if unguard_cell(guarded) != text or guarded.startswith(FORMULA_START):
        raise AssertionError(f"guard_cell broke {text!r}")
    return "ok"


def _ais(fmt: str, suffix: str, mapping: dict[str, str] | None = None) -> Callable[[bytes, Path], str]:
    def run(data: bytes, folder: Path) -> str:
        from armswatch.maritime import ingest

        path = _write(folder, "ais" + suffix, data)
        bad = 0
        check = getattr(ingest, "check_batch", None)
        for batch in ingest.read_batches(path, fmt, mapping):
            bad += batch.rejects.height
            if check is not None:
                checked = check(batch, "fuzz")
                bad += sum(int(v) for v in dict(getattr(checked, "rejected", {}) or {}).values())
        return "bad" if bad else "ok"

    return run


def _ports(data: bytes, folder: Path) -> str:
    from armswatch.maritime.port import read_ports_file

    read_ports_file(_write(folder, "ports.csv", data))
    return "ok"


def _mask(data: bytes, folder: Path) -> str:
    from armswatch.imagery.labelset import read_mask

    read_mask(_write(folder, "mask.png", data))
    return "ok"


def _mask_seeds() -> list[bytes]:
    import numpy as np
    from PIL import Image

    import io

    out = []
    for mode in ("L", "RGB"):
        arr = (np.arange(64 * 64) % 256).astype("uint8").reshape(64, 64)
        img = Image.fromarray(arr if mode == "L" else np.dstack([arr] * 3))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def _hints(data: bytes, folder: Path) -> str:
    from armswatch.imagery.hints import read_hints

    hs = read_hints(_write(folder, "hints.csv", data), width=500, height=400, to_pixel=lambda u, v: (u, v))
    return "bad" if hs.problems else "ok"


def _hints_seeds() -> list[bytes]:
    return [
        b"x,y,label,note\n812,30,1,new hall\n# comment\n\n64,212,0,shadow\n12.5,0.5,change,\n",
        b"# exported\nlon,lat,label\n127.5,40.1,1\n-1,2,no change\n",
    ]


def _count_labels(suffix: str) -> Callable[[bytes, Path], str]:
    def run(data: bytes, folder: Path) -> str:
        from armswatch.imagery.count_labels import read_labels

        read_labels(_write(folder, f"centres{suffix}", data))
        return "ok"

    return run


def _count_labels_seeds() -> list[bytes]:
    return [
        b"id,source,x,y,col,row,angle,score\n1,detected,130.39,42.34,10.5,20.5,15.0,0.9\n2,added,1,2,,,,\n",
        b'{"type": "FeatureCollection", "properties": {"coordinates": "pixel (column, row)"}, "features": ['
        b'{"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.5, 20.5]}, "properties": {}},'
        b'{"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}}]}',
    ]


def _munitions(data: bytes, folder: Path) -> str:
    from armswatch.munitions.csvfile import read_items_csv

    read = read_items_csv(data, "items.csv")
    return "bad" if sum(read.bad.values()) else "ok"


def _munitions_seeds() -> list[bytes]:
    return [
        "id,type,calibre,markings,recovered_at,recovered_country,lat,lon,sources\n"
        "a,rocket,122 mm,방-122 | KN,2024-05,UA,48.6,38.0,https://example.org/a\n"
        "b,shell,152 mm,,2024,UA,,,https://example.org/b\n".encode()
    ]


def _rail(data: bytes, folder: Path) -> str:
    from armswatch.rail.movement import read_movements_csv

    read = read_movements_csv(data, "rail.csv")
    return "bad" if sum(read.bad.values()) else "ok"


def _rail_seeds() -> list[bytes]:
    return [
        b"site,time,wagons,direction,source,note,links\n"
        b"tumangang-rail-station,2023-10-05,73,to_russia,CSIS,railcars,fnd-1|sha256:ab\n"
        b"khasan-station,2024-06-17T02:00Z,112,,CSIS,,\n"
    ]


def _vessel_records(data: bytes, folder: Path) -> str:
    from armswatch.maritime.voyage.record import read_records_csv

    read = read_records_csv(data, "records.csv")
    return "bad" if sum(read.bad.values()) else "ok"


def _vessel_records_seeds() -> list[bytes]:
    return [
        b"vessel,port,time,source,kind,note\n"
        b"9123457,rajin-port,2024-02-03,PSC log,port_state,\n"
        b"273123456,vostochny-port,2024-02-04T10:00Z,customs,trade,IMO 9123457\n"
    ]


def _registry(data: bytes, folder: Path) -> str:
    from armswatch.dossier.registry import read_registry_csv

    read = read_registry_csv(data, "register.csv")
    return "bad" if sum(read.bad.values()) else "ok"


def _registry_seeds() -> list[bytes]:
    return [
        b"imo,name,flag,owner,manager,operator,from,to,source\n"
        b"9123453,SIM PINE,KP,Korea Pine Shipping,,,2019-01-01,2023-06-30,Equasis export\n"
        b"9123453,SIM OAK,RU,,Oak Management,,2023-07-01,,IHS record\n"
    ]


def _provisions(data: bytes, folder: Path) -> str:
    from armswatch.violations.provision import parse_provisions

    parse_provisions(data.decode("utf-8", "replace"))
    return "ok"


def _provisions_seeds() -> list[bytes]:
    from importlib import resources

    text = resources.files("armswatch.violations").joinpath("data", "provisions.toml").read_bytes()
    return [text[:3000], text]


def _package(data: bytes, folder: Path) -> str:
    from armswatch.evidence.package import verify_package

    verify_package(_write(folder, "package.zip", data))
    return "ok"


def _package_seeds() -> list[bytes]:
    import hashlib
    import io
    import zipfile

    body = b"photo bytes"
    sha = hashlib.sha256(body).hexdigest()
    manifest = json.dumps(
        {
            "format": "armswatch-evidence-package",
            "version": 1,
            "files": [
                {"path": f"files/{sha}/p.jpg", "sha256": sha, "size": len(body), "artifact": f"sha256:{sha}"}
            ],
            "timestamps": [],
            "custody": [{"artifact": f"sha256:{sha}", "sha256": sha, "seq": 1}],
        }
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("manifest.sha256", hashlib.sha256(manifest).hexdigest())
        zf.writestr(f"files/{sha}/p.jpg", body)
    return [out.getvalue()]


def _metadata(media_type: str) -> Callable[[bytes, Path], str]:
    def run(data: bytes, folder: Path) -> str:
        from armswatch.evidence.metadata import extract_metadata

        meta = extract_metadata(data, media_type)
        return "bad" if "metadata_error" in meta else "ok"

    return run


def _photo_seeds() -> list[bytes]:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Cam"
    exif[0x8825] = {1: "N", 2: (49.0, 59.0, 30.0), 3: "E", 4: (36.0, 13.0, 48.0)}
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 20, 30)).save(out, format="JPEG", exif=exif)
    return [out.getvalue()]


def _pdf_seeds() -> list[bytes]:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata({"/Title": "report"})
    out = io.BytesIO()
    writer.write(out)
    return [out.getvalue()]


XML_TOKENS = (b'encoding="NaN"', b"<!DOCTYPE x [<!ENTITY a \"b\">]>", b"&a;", b"<![CDATA[", b"]]>", b"<a>" * 50,
              b"&#0;", b"\xff\xfe", b"<?xml version='1.0' encoding='UTF-16'?>", b"</", b"<INDIVIDUAL>", b"<ENTITY>",
              b"<VALUE>", b"<DATAID>", b"xmlns=\"http://www.opengis.net/kml/2.2\"", b"<coordinates>",
              b"3e7,0 ", b"1e400,1 ", b"nan,nan ", b"-181,91 ", b"[/x]", b"<Placemark>", b"<Polygon>")  # fmt: skip
JSON_TOKENS = (b"[" * 1500, b"{\"a\":" * 300, b"9" * 5000, b"1e400", b"NaN", b"-Infinity", b'"schema": 5',
               b'"schema": ["Person"]', b'"id": {}', b"\"\\ud800\"", b"null", b"true", b"[]", b"{}", b'"properties": []',
               b'"crs": {"properties": []}', b'"crs": {"type": "name", "properties": {"name": "+proj=merc +lat_ts=90"}}',
               b"3e7", b"-91", b"\"=HYPERLINK(1)\"", b"\"[/x]\"", b"\x00", b"\xc3\x28")  # fmt: skip
CSV_TOKENS = (b'"', b",", b"\r", b"\n", b"\x00", b"\r\n", b"=HYPERLINK(\"x\")", b"-0-", b"\x1a", b";" * 50,
              b"9" * 5000, b"1e400", b"nan", b"inf", b"-inf", b"3e7", b"-91", b"181", b"POLYGON((0 0,1 0,1 1,0 0))",
              b"GEOMETRYCOLLECTION(" * 100, b"POINT EMPTY", b"\xff", b"\xc3\x28", b"[/x]", b"x" * 2000,
              b"-23750-01-01T00:00:00", b"99999999999", b"2024-02-30", b"1970-01-01", "\ufeff".encode())  # fmt: skip
NMEA_TOKENS = (b"!AIVDM,1,1,,A,", b"!AIVDM,2,1,3,B,", b",0*", b"*00", b"*ZZ", b"$PGHP,1,2024,3,1,12,0,0,0,,,,1,*00",
               b"$PGHP,1,-23750,13,40,25,61,61,0,,,,1,*00", b"\\s:x,c:99999999999999*00\\", b"\\c:-1*00\\",
               b"\\", b"\n", b"\r", b"\x00", b"\xff", b"1" * 5000, b"!BSVDM,1,1,,A,402R3", b"~~~~~~~~~~~~",
               b"0000000000000000000000000000", b",,,,,,,,,,", b"!AIVDO,1,1,,,")  # fmt: skip
ZIP_TOKENS = (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"\xff" * 8, b"\x00" * 16, b"doc.kml")


def readers() -> list[Reader]:
    """Every reader of the campaign, in a fixed order."""
    ofac_seed = [json.dumps(s).encode() for s in seeds.ofac_seeds()]
    mc = seeds.MAPPED_CSV_MAPPING
    return [
        Reader("un-xml", seeds.un_seeds, _entities("un-xml", ".xml"), XML_TOKENS),
        Reader("ofac-csv", lambda: ofac_seed, _ofac, CSV_TOKENS + JSON_TOKENS[:6]),
        Reader("ftm-json", seeds.ftm_seeds, _entities("ftm", ".json"), JSON_TOKENS),
        Reader(
            "entity-csv", seeds.user_csv_seeds, _entities("csv", ".csv", seeds.USER_CSV_MAPPING), CSV_TOKENS
        ),
        Reader("sites-geojson", seeds.geojson_seeds, _sites("geojson"), JSON_TOKENS),
        Reader("sites-csv", seeds.csv_sites_seeds, _sites("csv"), CSV_TOKENS),
        Reader("sites-kml", seeds.kml_seeds, _sites("kml"), XML_TOKENS),
        Reader("sites-kmz", seeds.kmz_seeds, _kmz, ZIP_TOKENS + XML_TOKENS),
        Reader("sites-spreadsheet", seeds.spreadsheet_seeds, _spreadsheet, CSV_TOKENS),  # type: ignore[arg-type]
        Reader("ports-csv", seeds.ports_seeds, _ports, CSV_TOKENS),
        Reader("imagery-mask", _mask_seeds, _mask, (b"IHDR", b"IDAT", b"\xff" * 4, b"\x00" * 64)),
        Reader("ais-nmea", seeds.nmea_seeds, _ais("nmea", ".nmea"), NMEA_TOKENS),
        Reader("ais-aisstream", seeds.aisstream_seeds, _ais("aisstream", ".json"), JSON_TOKENS),
        Reader("ais-marinecadastre", seeds.marinecadastre_seeds, _ais("marinecadastre", ".csv"), CSV_TOKENS),
        Reader("ais-dma", seeds.dma_seeds, _ais("dma", ".csv"), CSV_TOKENS),
        Reader("ais-csv", seeds.mapped_csv_seeds, _ais("csv", ".csv", mc), CSV_TOKENS),
        Reader("ais-parquet", seeds.parquet_seeds, _ais("parquet", ".parquet", mc), CSV_TOKENS),
        Reader("munitions-csv", _munitions_seeds, _munitions, CSV_TOKENS),
        Reader("rail-csv", _rail_seeds, _rail, CSV_TOKENS),
        Reader("imagery-hints-csv", _hints_seeds, _hints, CSV_TOKENS),
        Reader("count-centres-csv", _count_labels_seeds, _count_labels(".csv"), CSV_TOKENS),
        Reader("count-centres-geojson", _count_labels_seeds, _count_labels(".geojson"), JSON_TOKENS),
        Reader("vessel-records-csv", _vessel_records_seeds, _vessel_records, CSV_TOKENS),
        Reader("ship-register-csv", _registry_seeds, _registry, CSV_TOKENS),
        Reader(
            "provisions-toml",
            _provisions_seeds,
            _provisions,
            (b"[[provision]]", b'"', b"=", b"\\u0000", b"["),
        ),
        Reader("evidence-package", _package_seeds, _package, ZIP_TOKENS + JSON_TOKENS[:8]),
        Reader("evidence-photo", _photo_seeds, _metadata("image/jpeg"), (b"\xff\xd8", b"Exif", b"\xff" * 8)),
        Reader(
            "evidence-pdf",
            _pdf_seeds,
            _metadata("application/pdf"),
            (b"%PDF-", b"obj", b"<<", b">>", b"/Info"),
        ),
    ]


# ---------------------------------------------------------------- mutation

_DELIMITERS = frozenset(b'<>,"\n\r:;[]{} ')
_VALUES = (b"", b"-1", b"0", b"1e400", b"-9" + b"9" * 30, b"nan", b"3e7", b"-91", b"181", b"=cmd|'/C calc'!A0",
           b"[/x]", b"<b>x</b>", b"\xff\xfe", b"x" * 300, b"2024-13-45", b"-23750-01-01", b"KP", b"ZZ", b"Vessel")  # fmt: skip


def _field(buf: bytearray, i: int) -> tuple[int, int]:
    """The span of the field around ``i``: the bytes between the nearest delimiters."""
    a = i
    while a > 0 and buf[a - 1] not in _DELIMITERS:
        a -= 1
    b = i
    while b < len(buf) and buf[b] not in _DELIMITERS:
        b += 1
    return a, b


def _span(rng: random.Random, size: int) -> tuple[int, int]:
    start = rng.randrange(size + 1)
    length = min(size - start, int(rng.expovariate(1 / 16)) + 1)
    return start, start + length


def mutate(data: bytes, rng: random.Random, tokens: tuple[bytes, ...], pool: list[bytes]) -> bytes:
    """1-8 structured mutations of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 8))):
        op = rng.randrange(14)
        size = len(buf)
        if op == 0 and size:  # flip a bit
            i = rng.randrange(size)
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and size:  # an interesting byte
            buf[rng.randrange(size)] = rng.choice(
                (0, 0x0A, 0x0D, 0x22, 0x27, 0x2C, 0x3C, 0x3E, 0x5B, 0x7B, 0x7F, 0x80, 0xC3, 0xFF)
            )
        elif op == 2:  # delete a span
            a, b = _span(rng, size)
            del buf[a:b]
        elif op == 3 and size:  # duplicate a span
            a, b = _span(rng, size)
            buf[b:b] = buf[a:b] * rng.choice((1, 2, 10, 100))
        elif op in (4, 5, 6) and tokens:  # a format token, inserted or replacing a field
            token = rng.choice(tokens)
            a, b = _span(rng, size) if op == 6 else (rng.randrange(size + 1),) * 2
            buf[a:b] = token
        elif op == 7 and pool:  # splice with another input
            other = rng.choice(pool)
            a, b = _span(rng, len(other))
            i = rng.randrange(size + 1)
            buf[i:i] = other[a:b]
        elif op == 8 and size:  # truncate
            del buf[rng.randrange(size) :]
        elif op == 9:  # shuffle, drop or repeat lines
            lines = bytes(buf).split(b"\n")
            if len(lines) > 1:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                choice = rng.randrange(3)
                if choice == 0:
                    lines[i], lines[j] = lines[j], lines[i]
                elif choice == 1:
                    del lines[i]
                else:
                    lines.insert(i, lines[j])
                buf = bytearray(b"\n".join(lines))
        elif op == 10:  # replace a number with an extreme one
            digits = [i for i, c in enumerate(buf) if 48 <= c <= 57]
            if digits:
                i = rng.choice(digits)
                buf[i : i + 1] = rng.choice(
                    (b"9" * 400, b"-0", b"1e400", b"nan", b"-1", b"3e7", b"99999999999")
                )
        elif op == 11 and size:  # random bytes
            i = rng.randrange(size + 1)
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        elif op >= 12 and size:  # replace one field (text between delimiters), keeping the structure
            a, b = _field(buf, rng.randrange(size))
            buf[a:b] = rng.choice(tokens) if tokens and rng.random() < 0.5 else rng.choice(_VALUES)
    return bytes(buf[:MAX_INPUT])


# ---------------------------------------------------------------- one reader's campaign


@dataclass
class Result:
    reader: str
    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, str] = field(default_factory=dict)  # signature -> saved file
    peak_mb: float = 0.0
    seconds: float = 0.0


def _signature(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = next(
        (f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb) if "armswatch" in f.filename), ""
    )
    if not where and tb:
        where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}"
    return f"{type(exc).__name__} at {where}"


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def fuzz_reader(
    name: str,
    seconds: float,
    max_inputs: int,
    seed: int,
    crash_dir: str,
    input_timeout: float,
    shared: Any = None,
    current: str | None = None,
) -> Result:
    """Run one reader's campaign (in a worker process). ``shared`` (inputs and outcome counts) and the
    ``current`` input file let the parent report a worker that dies (a native abort) with its input."""
    import warnings

    warnings.simplefilter("ignore")
    reader = next(r for r in readers() if r.name == name)
    rng = random.Random(f"{seed}-{name}")
    initial = [s if isinstance(s, bytes) else str(s).encode() for s in reader.seeds()]
    pool = list(initial)
    result = Result(name)
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory() as warm:  # imports and caches outside the timed inputs
        for data in initial:
            try:
                reader.run(data, Path(warm))
            except Exception:  # noqa: BLE001, S110 - seeds are judged in the campaign
                pass
    start = time.monotonic()
    with tempfile.TemporaryDirectory(
        prefix=f"fuzz-{name}-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None
    ) as tmp:
        folder = Path(tmp)
        while result.inputs < max_inputs and time.monotonic() - start < seconds:
            base = rng.choice(pool) if rng.random() < 0.7 else rng.choice(initial)
            data = mutate(base, rng, reader.tokens, pool)
            if current is not None:
                Path(current).write_bytes(data)
            outcome, crash = _one(reader, data, folder, input_timeout)
            result.inputs += 1
            result.outcomes[outcome] += 1
            if shared is not None:
                shared[0] = result.inputs
                shared[1 + OUTCOMES.index(outcome)] += 1
            if crash is not None and crash[0] not in result.crashes:
                result.crashes[crash[0]] = _save_crash(crash_dir, name, data, crash)
            if outcome in ("ok", "bad") and len(pool) < 300 and rng.random() < 0.1:
                pool.append(data)
    result.seconds = time.monotonic() - start
    result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _one(
    reader: Reader, data: bytes, folder: Path, timeout: float, retry: bool = True
) -> tuple[str, tuple[str, str] | None]:
    from armswatch.errors import ArmswatchError

    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return reader.run(data, folder), None
    except ArmswatchError:
        return "error", None
    except _Timeout:
        pass
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - the point: anything else is a crash (a Rust panic too)
        return "CRASH", (_signature(exc), "".join(traceback.format_exception(exc)))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if retry:  # a library's one-time lazy load (country tables…) is not a hang: try once more
        return _one(reader, data, folder, timeout, retry=False)
    return "CRASH", (f"timeout over {timeout:g} s (twice)", "")


def _save_crash(crash_dir: str, reader: str, data: bytes, crash: tuple[str, str]) -> str:
    folder = Path(crash_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{reader}-{abs(hash(crash[0])) % 10**8:08d}"
    (folder / f"{stem}.bin").write_bytes(data)
    (folder / f"{stem}.txt").write_text(f"{reader}: {crash[0]}\n\n{crash[1]}", encoding="utf-8")
    return str(folder / f"{stem}.bin")


def _child(conn: Any, args: tuple[Any, ...]) -> None:
    conn.send(fuzz_reader(*args))


@dataclass
class _Running:
    name: str
    proc: Any
    conn: Any
    shared: Any
    current: str
    ends: float
    restarts: int
    before: Result | None


def _merge(a: Result | None, b: Result) -> Result:
    if a is None:
        return b
    a.inputs += b.inputs
    a.outcomes.update(b.outcomes)
    a.crashes.update(b.crashes)
    a.peak_mb = max(a.peak_mb, b.peak_mb)
    a.seconds += b.seconds
    return a


def run_campaign(
    names: list[str],
    seconds: float,
    jobs: int,
    cap: int,
    seed: int,
    crash_dir: str,
    timeout: float,
    report: Callable[[Result], None] = lambda r: None,
) -> list[Result]:
    """Each reader in its own process, ``jobs`` at a time. A reader's share is the time left divided
    over the readers not started yet (so early finishers give time to later ones). A worker that dies
    (a native abort, an out-of-memory kill) is a CRASH with its last input saved, and the reader is
    started again for the rest of its share (at most three times)."""
    ctx = mp.get_context("fork")
    deadline = time.time() + seconds
    pending: list[tuple[str, int, Result | None, float | None]] = [(n, 0, None, None) for n in names]
    running: list[_Running] = []
    results: list[Result] = []
    scratch = tempfile.mkdtemp(prefix="fuzz-current-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                name, restarts, before, ends = pending.pop(0)
                now = time.time()
                if ends is None:
                    remaining = deadline - now
                    ends = now + max(1.0, min(remaining, remaining * jobs / (len(pending) + 1)))
                shared = ctx.Array("q", 1 + len(OUTCOMES))
                current = os.path.join(scratch, f"{name}.bin")
                done = before.inputs if before else 0
                args = (
                    name,
                    max(1.0, ends - now),
                    cap - done,
                    seed + restarts,
                    crash_dir,
                    timeout,
                    shared,
                    current,
                )
                parent, child = ctx.Pipe()
                proc = ctx.Process(target=_child, args=(child, args))
                proc.start()
                running.append(_Running(name, proc, parent, shared, current, ends, restarts, before))
            time.sleep(0.2)
            for job in list(running):
                if job.conn.poll():
                    result = _merge(job.before, job.conn.recv())
                    job.proc.join()
                elif job.proc.is_alive():
                    continue
                else:
                    job.proc.join()
                    result = _merge(job.before, _died(job, crash_dir))
                    if job.restarts < 3 and job.ends - time.time() > 2 and result.inputs < cap:
                        running.remove(job)
                        pending.insert(0, (job.name, job.restarts + 1, result, job.ends))
                        continue
                running.remove(job)
                results.append(result)
                report(result)
    finally:
        for job in running:
            job.proc.kill()
        for leftover in Path(scratch).glob("*"):
            leftover.unlink()
        os.rmdir(scratch)
    return results


def _died(job: _Running, crash_dir: str) -> Result:
    counts = list(job.shared)
    result = Result(job.name, inputs=counts[0] + 1)
    result.outcomes.update({o: counts[1 + i] for i, o in enumerate(OUTCOMES) if counts[1 + i]})
    result.outcomes["CRASH"] += 1
    signature = f"worker process died (exit code {job.proc.exitcode})"
    data = Path(job.current).read_bytes() if os.path.exists(job.current) else b""
    result.crashes[signature] = _save_crash(crash_dir, job.name, data, (signature, "native abort or kill"))
    result.peak_mb = float("nan")
    return result


# ---------------------------------------------------------------- hostile phase


def _hostile_cases() -> dict[str, Callable[[Path], None]]:
    def kml_5m(folder: Path) -> None:
        from armswatch.sites.format_kml import sites_from_kml

        head = b"<kml><Placemark><name>P</name><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 "
        path = folder / "big.kml"
        with path.open("wb") as fh:
            fh.write(head)
            fh.write(b"1,1 " * 5_000_000)
            fh.write(b"0,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>")
        sites_from_kml(path.read_bytes(), path=str(path), default_country="KP")

    def geojson_5m(folder: Path) -> None:
        from armswatch.sites.format_geojson import sites_from_geojson

        ring = "[0,0]," + "[1,1]," * 5_000_000 + "[0,0]"
        text = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"P","country":"KP",' \
               '"kind":"port","precision":"city"},"geometry":{"type":"Polygon","coordinates":[[' + ring + "]]}}]}"  # fmt: skip
        sites_from_geojson(text, path="big.geojson")

    def header_100k(reader: str) -> Callable[[Path], None]:
        def run(folder: Path) -> None:
            header = ",".join(f"c{i}" for i in range(100_000)).encode() + b"\n"
            path = folder / "wide.csv"
            path.write_bytes(header + b"1,2,3\n" * 10)
            _case_reader(reader)(path)

        return run

    def cell_200mb(reader: str) -> Callable[[Path], None]:
        def run(folder: Path) -> None:
            path = folder / "cell.csv"
            with path.open("wb") as fh:
                fh.write(_HEADERS[reader])
                fh.write(b"x" * 200_000_000)
                fh.write(b"\n")
            _case_reader(reader)(path)

        return run

    def nmea_300mb(folder: Path) -> None:
        path = folder / "big.nmea"
        with path.open("wb") as fh:
            for _ in range(300):
                fh.write(b"!AIVDM" * (1_000_000 // 6))
        _case_reader("ais-nmea")(path)

    def ftm_deep(folder: Path) -> None:
        path = folder / "deep.json"
        path.write_bytes(b'{"id":"a","schema":"Person","properties":' + b"[" * 1_000_000 + b"}\n")
        _case_reader("ftm-json")(path)

    cases: dict[str, Callable[[Path], None]] = {
        "sites-kml: 5 M-vertex polygon": kml_5m,
        "sites-geojson: 5 M-vertex polygon": geojson_5m,
        "ftm-json: 1 M-deep nesting": ftm_deep,
        "ais-nmea: 300 MB without a newline": nmea_300mb,
    }
    for reader in ("entity-csv", "sites-csv", "ais-marinecadastre", "ais-csv"):
        cases[f"{reader}: 100,000-column header"] = header_100k(reader)
        cases[f"{reader}: one 200 MB cell"] = cell_200mb(reader)
    return cases


_HEADERS = {
    "entity-csv": b"ref,name,type,aka,imo\nr1,",
    "sites-csv": b"id,name,aliases,country,kind,precision,lat,lon,wkt,sources,notes\na,A,,KP,port,city,42,130,,,",
    "ais-marinecadastre": b"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName\n367000001,2020-06-30T00:00:01,40.6,-74.0,1,1,1,",
    "ais-csv": b"id,when,y,x,speed\n445114000,2024-03-01T12:00:00Z,42.3,130.4,",
}


def _case_reader(name: str) -> Callable[[Path], None]:
    reader = next(r for r in readers() if r.name == name)

    def run(path: Path) -> None:
        folder = path.parent / "work"
        folder.mkdir(exist_ok=True)
        _run_path(reader, path, folder)

    return run


def _run_path(reader: Reader, path: Path, folder: Path) -> None:
    """Run a reader on a large file without holding a second copy where the reader takes a path."""
    if reader.name.startswith("ais-"):
        from armswatch.maritime import ingest

        fmt = {"ais-nmea": "nmea", "ais-marinecadastre": "marinecadastre", "ais-csv": "csv"}[reader.name]
        for _ in ingest.read_batches(path, fmt, seeds.MAPPED_CSV_MAPPING if fmt == "csv" else None):
            pass
        return
    if reader.name in ("entity-csv", "ftm-json"):
        from armswatch.entities.importer import load_entities

        fmt = "csv" if reader.name == "entity-csv" else "ftm"
        load_entities(path, fmt, mapping=seeds.USER_CSV_MAPPING if fmt == "csv" else None)
        return
    reader.run(path.read_bytes(), folder)


def _hostile_child(name: str, out: Any) -> None:
    from armswatch.errors import ArmswatchError

    case = _hostile_cases()[name]
    with tempfile.TemporaryDirectory(prefix="fuzz-hostile-") as tmp:
        start = time.monotonic()
        try:
            case(Path(tmp))
            outcome = "ok"
        except ArmswatchError as exc:
            outcome = f"error: {str(exc)[:120]}"
        except BaseException as exc:  # noqa: BLE001
            outcome = f"CRASH: {_signature(exc)}"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.send((outcome, peak, time.monotonic() - start))


def run_hostile(limit_mb: int) -> list[tuple[str, str, float, float]]:
    """Each hostile case in a fresh process (address space capped at ``limit_mb``): outcome and peak."""
    ctx = mp.get_context("fork")
    rows = []
    for name in _hostile_cases():
        parent, child = ctx.Pipe()

        def target(n: str = name, c: Any = child) -> None:
            if limit_mb:
                resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))
            _hostile_child(n, c)

        proc = ctx.Process(target=target)
        proc.start()
        proc.join()
        if parent.poll():
            outcome, peak, secs = parent.recv()
        else:
            outcome, peak, secs = f"CRASH: process died (exit {proc.exitcode})", float("nan"), float("nan")
        rows.append((name, outcome, peak, secs))
        print(f"  {name:48s} {peak:8.0f} MB  {secs:6.1f} s  {outcome}", flush=True)
    return rows


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=1500.0,
        help="wall-clock time box of the mutation phase (default 1500)",
    )
    parser.add_argument(
        "--inputs",
        type=int,
        default=0,
        help="stop after this many inputs in total, split evenly over the readers",
    )
    parser.add_argument(
        "--reader-cap",
        type=int,
        default=150_000,
        help="at most this many inputs per reader (default 150,000); time left goes to the next readers",
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--readers", default="", help="comma-separated reader names (default: all)")
    parser.add_argument("--seed", type=int, default=9, help="random seed (default 9)")
    parser.add_argument("--crash-dir", default="fuzz-crashes", help="where crash inputs are saved")
    parser.add_argument(
        "--input-timeout", type=float, default=20.0, help="seconds before one input counts as a hang"
    )
    parser.add_argument(
        "--hostile", action=argparse.BooleanOptionalAction, default=True, help="run the large hostile files"
    )
    parser.add_argument(
        "--memory-limit-mb", type=int, default=0, help="address-space cap for hostile cases (0: none)"
    )
    parser.add_argument("--json", default="", help="also write the figures to this JSON file")
    parser.add_argument("--list", action="store_true", help="list the readers and exit")
    args = parser.parse_args(argv)
    names = [r.name for r in readers()]
    if args.list:
        print("\n".join(names))
        return 0
    chosen = [n.strip() for n in args.readers.split(",") if n.strip()] or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        parser.error(f"unknown reader(s): {', '.join(unknown)} (see --list)")
    cap = -(-args.inputs // len(chosen)) if args.inputs else args.reader_cap
    print(
        f"fuzz: {len(chosen)} readers in {args.seconds:.0f} s on {args.jobs} process(es), at most {cap:,} inputs "
        f"per reader, seed {args.seed}",
        flush=True,
    )
    started = time.monotonic()
    results = run_campaign(
        chosen, args.seconds, args.jobs, cap, args.seed, args.crash_dir, args.input_timeout, _print_row
    )
    results.sort(key=lambda r: names.index(r.reader))
    total = Counter[str]()
    for r in results:
        total.update(r.outcomes)
    inputs = sum(r.inputs for r in results)
    crashed = [r for r in results if r.outcomes["CRASH"]]
    print(
        f"\n{'reader':20s} {'inputs':>10s} {'ok':>9s} {'bad':>9s} {'error':>9s} {'CRASH':>6s} {'peak MB':>8s}"
    )
    for r in results:
        _print_row(r)
    print(f"{'total':20s} {inputs:10,d} {total['ok']:9,d} {total['bad']:9,d} {total['error']:9,d} {total['CRASH']:6,d}"
          f"   ({time.monotonic() - started:.0f} s)")  # fmt: skip
    for r in crashed:
        for sig, path in r.crashes.items():
            print(f"CRASH {r.reader}: {sig}  ({path})")
    hostile = []
    if args.hostile:
        print("\nhostile files (each in a fresh process):")
        hostile = run_hostile(args.memory_limit_mb)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "inputs": inputs, "outcomes": dict(total), "seconds": time.monotonic() - started,
            "readers": [{"reader": r.reader, "inputs": r.inputs, "outcomes": dict(r.outcomes), "peak_mb": round(r.peak_mb),
                         "crashes": r.crashes} for r in results],
            "hostile": [{"case": n, "outcome": o, "peak_mb": round(p), "seconds": round(s, 1)} for n, o, p, s in hostile],
        }, indent=1))  # fmt: skip
    hostile_crash = any(o.startswith("CRASH") for _, o, _, _ in hostile)
    return 1 if crashed or hostile_crash else 0


def _print_row(r: Result) -> None:
    o = r.outcomes
    print(
        f"{r.reader:20s} {r.inputs:10,d} {o['ok']:9,d} {o['bad']:9,d} {o['error']:9,d} {o['CRASH']:6,d} {r.peak_mb:8.0f}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
