"""NMEA decoding and AIS ingest benchmark: armswatch's vectorised decoder vs pyais, same data, same run.

Usage (from the repo root)::

    .venv/bin/python benchmarks/nmea.py [--messages 1000000] [--pyais-messages 200000]
                                        [--data /work/shared/data/ais] [--keep FILE]

Parts:

1. SIMULATED feed: a pool of distinct messages made with pyais's encoder (types 1/2/3 70 %, 18 12 %,
   5 two-sentence 6 %, 24 6 %, 27 3 %, 4 3 %; 2,000 vessels around the Sea of Japan), written with
   NMEA 4.0 tag block timestamps up to ``--messages`` messages. Measured: armswatch end to end
   (read + parse + reassemble + decode) and decode only; pyais ``FileReaderStream`` + ``decode()`` on
   the first ``--pyais-messages`` messages of the same file. Both in messages per second; ratio.
2. Agreement with pyais field by field on the pool (every field we store) and on the real samples in
   ``<data>/nmea`` (pyais's own test files), plus message counts per file.
3. Ingest throughput into a temporary workspace: the simulated feed, the MarineCadastre CSV in
   ``<data>/noaa`` and the derived NY Harbor points CSV (generic CSV with ``--map``).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pyais
from pyais.encode import encode_dict
from pyais.stream import FileReaderStream

from armswatch.maritime.decode import decode_messages
from armswatch.maritime.format_text import read_nmea
from armswatch.maritime.formats import parse_map
from armswatch.maritime.ingest import ingest_file
from armswatch.maritime.nmea import parse_lines, split_lines
from armswatch.workspace import Workspace


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, polars {pl.__version__}, pyais {pyais.__version__}"


def _cs(text: str) -> str:
    c = 0
    for ch in text.encode():
        c ^= ch
    return f"{c:02X}"


def make_pool(n: int, seed: int = 7) -> list[list[str]]:
    """Distinct encoded messages (each a list of sentences), SIMULATED with pyais's encoder."""
    rng = random.Random(seed)
    fleet = [
        rng.choice([445, 273, 351, 636, 412, 440, 431]) * 1_000_000 + rng.randrange(1_000_000)
        for _ in range(2000)
    ]
    pool: list[list[str]] = []
    for seq in range(n):
        mmsi = rng.choice(fleet)
        lat, lon = rng.uniform(33, 48), rng.uniform(127, 142)
        r = rng.random()
        if r < 0.70:
            t = rng.choice((1, 1, 1, 2, 3))
            d = {
                "type": t,
                "msg_type": t,
                "mmsi": mmsi,
                "lat": lat,
                "lon": lon,
                "speed": rng.uniform(0, 20),
                "course": rng.uniform(0, 359.9),
                "heading": rng.randrange(360),
                "status": rng.choice((0, 1, 5)),
            }
        elif r < 0.82:
            d = {
                "type": 18,
                "mmsi": mmsi,
                "lat": lat,
                "lon": lon,
                "speed": rng.uniform(0, 15),
                "course": rng.uniform(0, 359.9),
                "heading": rng.randrange(360),
            }
        elif r < 0.88:
            d = {
                "type": 5,
                "mmsi": mmsi,
                "imo": 9161003,
                "callsign": "HM" + str(mmsi % 1000),
                "shipname": f"VESSEL {mmsi % 997}",
                "ship_type": rng.choice((70, 80, 30)),
                "to_bow": 90,
                "to_stern": 20,
                "to_port": 8,
                "to_starboard": 8,
                "draught": 6.5,
                "destination": "NAMPO",
            }
        elif r < 0.94:
            d = {
                "type": 24,
                "mmsi": mmsi,
                "partno": rng.choice((0, 1)),
                "shipname": f"BOAT {mmsi % 991}",
                "callsign": "UB" + str(mmsi % 100),
                "ship_type": 37,
                "to_bow": 8,
                "to_stern": 2,
            }
        elif r < 0.97:
            d = {
                "type": 27,
                "mmsi": mmsi,
                "lat": lat,
                "lon": lon,
                "speed": rng.randrange(30),
                "course": rng.randrange(360),
                "status": 0,
            }
        else:
            d = {
                "type": 4,
                "mmsi": rng.choice((2734350, 4400001, 4310701)),
                "lat": lat,
                "lon": lon,
                "year": 2024,
                "month": 3,
                "day": 1,
            }
        pool.append(encode_dict(d, talker_id="AI", radio_channel=rng.choice("AB"), seq_id=seq % 10))
    return pool


def write_feed(path: Path, pool: list[list[str]], messages: int, t0: int = 1_709_251_200) -> int:
    """Cycle through the pool with tag-block times 0.1 s apart; returns the number of lines written."""
    lines = 0
    with path.open("w") as fh:
        for i in range(messages):
            parts = pool[i % len(pool)]
            tag = f"s:bench,c:{t0 + i // 10}"
            fh.write(f"\\{tag}*{_cs(tag)}\\{parts[0]}\n")
            for p in parts[1:]:
                fh.write(p + "\n")
            lines += len(parts)
    return lines


def bench_armswatch(path: Path) -> tuple[int, float, float, float]:
    """Messages, wall seconds, CPU seconds (all threads of this process), decode-only CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for batch in read_nmea(path):
        n += batch.counts.get("messages", 0)
    total, total_cpu = time.perf_counter() - start, time.process_time() - cpu
    parsed = parse_lines(split_lines(path.read_bytes()[: 32 * 1024 * 1024]))
    cpu = time.process_time()
    decode_messages(parsed.messages)
    decode_only = (time.process_time() - cpu) / max(parsed.messages.height, 1) * n
    return n, total, total_cpu, decode_only


def bench_pyais(path: Path, limit: int) -> tuple[int, float, float]:
    head = path.with_suffix(".head.nmea")
    with path.open() as src, head.open("w") as dst:
        count = 0
        for line in src:
            dst.write(line)
            if ",1,1," in line or ",2,2," in line:
                count += 1
                if count >= limit:
                    break
    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    for msg in FileReaderStream(str(head)):
        msg.decode()
        n += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    head.unlink()
    return n, elapsed, cpu


FIELDS = {"mmsi": ("mmsi", None), "lat": ("lat", 91.0), "lon": ("lon", 181.0), "sog": ("speed", 102.3),
          "cog": ("course", 360.0), "heading": ("heading", 511), "nav_status": ("status", None),
          "name": ("shipname", ""), "callsign": ("callsign", ""), "destination": ("destination", ""),
          "ship_type": ("ship_type", 0), "to_bow": ("to_bow", 0), "draught": ("draught", 0.0)}  # fmt: skip


def _same(ours: Any, ref: Any, na: Any) -> bool:
    if (
        ref is None
        or (na is not None and ref == na)
        or (isinstance(ref, float) and na is not None and math.isclose(ref, na))
    ):
        return ours is None
    if hasattr(ref, "value"):
        ref = ref.value
    if isinstance(ref, float) or isinstance(ours, float):
        return ours is not None and abs(float(ours) - float(ref)) <= 1e-6
    return bool(ours == ref)


def agreement(messages: pl.DataFrame) -> tuple[Counter[str], Counter[str]]:
    """Compare every stored field of every decoded message with pyais; (agree, disagree) per field."""
    decoded = decode_messages(messages)
    rows: dict[int, dict[str, Any]] = {}
    for frame in (decoded.positions, decoded.base_stations, decoded.statics):
        for r in frame.iter_rows(named=True) if frame.height else []:
            rows.setdefault(r["line"], {}).update(
                {k: v for k, v in r.items() if v is not None or k not in rows.get(r["line"], {})}
            )
    agree: Counter[str] = Counter()
    disagree: Counter[str] = Counter()
    for line, payload, fill in messages.select("line", "payload", "fill").iter_rows():
        body = f"AIVDM,1,1,,A,{payload},{fill}"
        try:
            ref = pyais.decode(f"!{body}*{_cs(body)}").asdict()
        except Exception:  # pyais rejects it: not comparable
            continue
        ours = rows.get(line)
        if ours is None:
            if ref["msg_type"] in (1, 2, 3, 4, 5, 18, 19, 24, 27):
                disagree["missing"] += 1
            continue
        t = ref["msg_type"]
        for ours_key, (ref_key, na) in FIELDS.items():
            if ref_key not in ref or ours_key not in ours:
                continue
            if t == 27 and ours_key in ("sog", "cog"):
                na = 63 if ours_key == "sog" else 511
            (agree if _same(ours[ours_key], ref[ref_key], na) else disagree)[ours_key] += 1
    return agree, disagree


def bench_ingest(path: Path, fmt: str, mapping: dict[str, str] | None = None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "ws", analyst="bench")
        start, cpu = time.perf_counter(), time.process_time()
        _, summary = ingest_file(ws, path, fmt=fmt, mapping=mapping)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        ws.close()
    rows = summary["positions"]["offered"] + summary["statics"]["offered"] + summary["rejected_total"]
    return (f"{path.name} [{fmt}]: {rows:,} records, wall {elapsed:.2f} s = {rows / elapsed:,.0f} records/s, "
            f"CPU {cpu:.2f} s = {rows / cpu:,.0f} records per CPU-second "
            f"(positions added {summary['positions']['added']:,}, rejected {summary['rejected']})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--pyais-messages", type=int, default=200_000)
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/ais"))
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print("note: 2 shared cores, other engineers running at the same time: timings are noisy")
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.nmea"
        t = time.perf_counter()
        pool = make_pool(args.pool)
        lines = write_feed(feed, pool, args.messages)
        print(f"\n1. SIMULATED feed: {args.messages:,} messages ({lines:,} lines, {feed.stat().st_size / 1e6:.0f} MB) "
              f"from a pool of {len(pool):,} pyais-encoded messages, made in {time.perf_counter() - t:.1f} s")  # fmt: skip
        n, total, total_cpu, decode_cpu = bench_armswatch(feed)
        print(
            f"   armswatch end to end (read+parse+reassemble+decode): {n:,} msgs, wall {total:.2f} s = "
            f"{n / total:,.0f} msgs/s; CPU {total_cpu:.2f} s = {n / total_cpu:,.0f} msgs per CPU-second"
        )
        print(f"   armswatch decode only (first 32 MB): {n / decode_cpu:,.0f} msgs per CPU-second")
        pn, pt, pcpu = bench_pyais(feed, args.pyais_messages)
        print(
            f"   pyais FileReaderStream+decode(): {pn:,} msgs, wall {pt:.2f} s = {pn / pt:,.0f} msgs/s; "
            f"CPU {pcpu:.2f} s = {pn / pcpu:,.0f} msgs per CPU-second"
        )
        print(
            f"   ratio armswatch / pyais: wall {(n / total) / (pn / pt):.1f}x, CPU {(n / total_cpu) / (pn / pcpu):.1f}x"
        )
        print(f"   load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

        print("\n2. agreement with pyais, field by field")
        pool_msgs = parse_lines(split_lines("\n".join(s for parts in pool for s in parts))).messages
        agree, disagree = agreement(pool_msgs)
        print(f"   SIMULATED pool ({pool_msgs.height:,} messages): agree {sum(agree.values()):,} fields, "
              f"disagree {sum(disagree.values()):,} {dict(disagree) or ''}")  # fmt: skip
        nmea_dir = args.data / "nmea"
        if nmea_dir.is_dir():
            for f in sorted(nmea_dir.iterdir()):
                parsed = parse_lines(split_lines(f.read_text(errors="replace")))
                a, d = agreement(parsed.messages)
                try:
                    msgs = list(FileReaderStream(str(f)))
                    theirs_n = f"{sum(m.is_valid for m in msgs)} valid of {len(msgs)}"
                except Exception as exc:  # pyais may stop on a malformed line
                    theirs_n = f"error ({type(exc).__name__})"
                print(f"   {f.name}: messages armswatch {parsed.messages.height} / pyais {theirs_n}; "
                      f"fields agree {sum(a.values())}, disagree {sum(d.values())} {dict(d) or ''}")  # fmt: skip
        else:
            print(f"   {nmea_dir} absent: real samples not checked")

        print("\n3. ingest throughput into a workspace (Parquet, deduplicated)")
        print("   " + bench_ingest(feed, "nmea"))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"   peak resident memory of this process so far: {peak:,.0f} MB")
    noaa = args.data / "noaa"
    mc = noaa / "NYHarbor_2020_06_30_first_hour.csv"
    pts = noaa / "derived_NYHarbor_2020_12_first_week_points.csv"
    for path, fmt, mapping in ((mc, "marinecadastre", None), (pts, "csv", parse_map("ts=timestamp_utc"))):
        print("   " + bench_ingest(path, fmt, mapping) if path.is_file() else f"   {path} absent")


if __name__ == "__main__":
    main()
