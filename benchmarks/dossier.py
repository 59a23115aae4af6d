"""Dossier speed on SIMULATED data, and a vessel dossier on REAL AIS (NOAA, New York harbour).

    .venv/bin/python benchmarks/dossier.py [--data ../shared/data/ais/noaa] [--out DIR]

SIMULATED (labelled so in every output): one vessel over one year of AIS (a position every 5 min,
port calls between Rajin, Vostochny and Nakhodka, a dark leg every 9th voyage: >= 100 k positions),
renamed four times, listed with a designated owner and a register history, 60 findings naming it;
and a facility with 50 scenes, a 49-interval change series, 49 change findings and 50 count findings.
Targets (docs/dossier.md): each dossier gathered and rendered to HTML in < 5 s; the vessel
dossier's PDF (print HTML + WeasyPrint) in < 10 s, also timed as the whole command in a new process. Wall and CPU seconds
are printed side by side (the benchmark machine is shared and loaded: CPU is the steadier figure).

REAL: both NOAA MarineCadastre files under ``../shared/data/ais/noaa`` (never copied into the
repository; the script says so when they are missing) are ingested into a temporary workspace with
``armswatch ais ingest``, and the dossier of the vessel with the most positions among those that
broadcast an IMO number is written (HTML, PDF and JSON into ``--out``) and summarised.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "ais" / "noaa"
T0 = datetime(2025, 1, 1, tzinfo=UTC)
PORTS = {
    "rajin-port": (42.2333, 130.3),
    "vostochny-port": (42.75, 133.0833),
    "nakhodka-port": (42.80, 132.89),
}
IMO, MMSI = "8660313", 445301000


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def year_track() -> pl.DataFrame:
    from armswatch.maritime.simulate import track

    rng = np.random.default_rng(7)
    names = list(PORTS)
    pts: list[tuple[float, float, float]] = []
    silent: list[tuple[float, float]] = []
    h, here, k = 0.0, names[0], 0
    while h < 365 * 24:
        lat, lon = PORTS[here]
        stay = float(rng.uniform(18, 40))
        pts += [(h, lat, lon), (h + stay, lat, lon)]
        h += stay
        there = names[(names.index(here) + 1 + int(rng.integers(0, 2))) % 3]
        lat2, lon2 = PORTS[there]
        sea = float(rng.uniform(20, 36))
        pts.append((h + sea / 2, (lat + lat2) / 2 - 0.3, (lon + lon2) / 2))
        if k % 9 == 8:
            silent.append((h + sea * 0.2, h + sea * 0.8))
        h += sea
        here, k = there, k + 1
    return track(MMSI, pts, start=T0, interval_s=300, silent=tuple(silent))


def build_vessel_case(ws: Any, tmp: Path) -> int:
    from shapely.geometry import Point

    from armswatch.dossier.registry import import_registry
    from armswatch.entities.ingest import import_list
    from armswatch.maritime import store
    from armswatch.maritime.schema import empty_statics
    from armswatch.sites.model import Site

    ws.save_sites([Site(id=k, name=k.replace("-", " ").title(), country="KP" if "rajin" in k else "RU", kind="port",
                        precision="facility", geometry=Point(v[1], v[0])) for k, v in PORTS.items()])  # fmt: skip
    pos = year_track()
    buf = io.BytesIO()
    pos.write_parquet(buf)
    art = ws.add_artifact(buf.getvalue(), name="SIMULATED-year-track.parquet", simulated=True)
    with ws.run("ais.simulate", parameters={"benchmark": "dossier"}) as run:
        run.add_output(art.id)
        store.write_positions(
            ws, pos.with_columns(source=pl.lit(art.id), line=pl.int_range(1, pl.len() + 1, dtype=pl.UInt64))
        )
        names = ["SUN BONG", "OCEAN STAR", "SUN BONG", "PIONEER", "RYUGYONG 7"]
        st = pl.DataFrame({"mmsi": [MMSI] * 5, "ts": [T0 + timedelta(days=80 * i) for i in range(5)], "imo": [IMO] * 5,
                           "name": [f"{n} (SIMULATED)" for n in names], "ship_type": [80] * 5, "source": [art.id] * 5,
                           "line": list(range(1, 6))})  # fmt: skip
        store.write_statics(
            ws, pl.concat([empty_statics(), st], how="diagonal_relaxed").select(empty_statics().columns)
        )
    ents = [
        {"id": "b-vessel", "schema": "Vessel", "properties": {"name": ["SUN BONG (SIMULATED)"], "imoNumber": [IMO], "mmsi": [str(MMSI)]}},
        {"id": "b-owner", "schema": "Company", "properties": {"name": ["Benchmark Owner Ltd (SIMULATED)"]}},
        {"id": "b-own", "schema": "Ownership", "properties": {"owner": ["b-owner"], "asset": ["b-vessel"]}},
        {"id": "b-sanction", "schema": "Sanction", "properties": {"entity": ["b-owner"], "authority": ["Benchmark"], "listingDate": ["2024-02-02"]}},
    ]  # fmt: skip
    lst = tmp / "bench-list.ftm.json"
    lst.write_text("\n".join(json.dumps(e) for e in ents) + "\n")
    import_list(ws, lst, format="ftm", dataset="bench_list", list_date=date(2025, 6, 1), simulated=True)
    reg = tmp / "register.csv"
    rows = [
        f"{IMO},SUN BONG (SIMULATED),KP,Benchmark Owner Ltd (SIMULATED),,,{2015 + i},{2016 + i},SIMULATED register"
        for i in range(8)
    ]
    reg.write_text("imo,name,flag,owner,manager,operator,from,to,source\n" + "\n".join(rows) + "\n")
    import_registry(ws, reg)
    ev = ws.add_artifact(b"SIMULATED evidence", name="sim.txt", simulated=True)
    with ws.run("benchmark.findings", parameters={}, inputs=[ev.id]) as run:
        for i in range(60):
            run.add_finding(kind="voyage.dark" if i % 2 else "ais.gap", title=f"SIMULATED finding {i}",
                            subjects=[f"vessel:mmsi:{MMSI}"], start=T0 + timedelta(days=6 * i), end=T0 + timedelta(days=6 * i, hours=9),
                            geometry={"type": "Point", "coordinates": [131.5, 42.4]}, evidence=[ev.id])  # fmt: skip
    return pos.height


def build_site_case(ws: Any) -> None:
    from shapely.geometry import Point

    from armswatch.imagery.ingest import SCENE_KIND
    from armswatch.imagery.monitor import Interval, write_series
    from armswatch.sites.model import Site

    ws.save_sites([Site(id="bench-plant", name="Benchmark plant (SIMULATED)", country="KP", kind="production",
                        precision="approximate", geometry=Point(129.9, 41.8), notes="SIMULATED benchmark site.")])  # fmt: skip
    scenes = [
        ws.add_artifact(f"SIMULATED scene {i}".encode(), name=f"scene-{i:02d}.tif", media_type="image/tiff",
                        captured_at=T0 + timedelta(days=7 * i), simulated=True,
                        metadata={"kind": SCENE_KIND, "site": "bench-plant", "quality": {"usable_fraction": 0.9}})
        for i in range(50)
    ]  # fmt: skip
    intervals = []
    with ws.run("imagery.monitor", parameters={"site": "bench-plant"}, inputs=[s.id for s in scenes]) as run:
        total = 0.0
        for a, b in itertools.pairwise(scenes):
            total += 500.0
            fid = run.add_finding(kind="imagery.change", title=f"+500 m² at Benchmark plant {b.captured_at:%Y-%m-%d} (SIMULATED)",
                                  subjects=["site:bench-plant"], start=a.captured_at, end=b.captured_at, evidence=[a.id, b.id],
                                  geometry={"type": "Polygon", "coordinates": [[[129.9, 41.8], [129.901, 41.8], [129.901, 41.801], [129.9, 41.8]]]})  # fmt: skip
            intervals.append(
                Interval(a.id, b.id, a.captured_at, b.captured_at, 500.0, 0.0, 2, 0.9, total, fid)
            )
        for s in scenes:
            run.add_finding(kind="imagery.count", title=f"launchers counted {s.captured_at:%Y-%m-%d} (SIMULATED)",
                            subjects=["site:bench-plant"], start=s.captured_at, end=s.captured_at, evidence=[s.id],
                            details={"count": int(s.captured_at.day % 7), "object": "launcher"})  # fmt: skip
    write_series(ws, "bench-plant", intervals)


def _pdf_summary(pdf: bytes) -> str:
    """Pages, and whether the PDF says SIMULATED and what it left out (pypdf, when installed)."""
    try:
        import pypdf
    except ImportError:
        return "pypdf not installed: pages not counted"
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(p.extract_text() for p in pages)
    return (f"{len(pages)} pages, says SIMULATED: {'SIMULATED DATA' in text}, "
            f"has 'Left out of this PDF': {'Left out of this PDF' in text}")  # fmt: skip


def cli_pdf(root: Path, path: Path) -> None:
    """The whole command in a fresh process, as a user runs it (imports, fonts and base map cold)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w = time.perf_counter()
    cmd = [
        sys.executable,
        "-c",
        "from armswatch.cli.main import main; main()",
        "dossier",
        "vessel",
        IMO,
        "-o",
        str(path),
    ]
    subprocess.run([*cmd, "-w", str(root), "-q"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"  armswatch dossier vessel {IMO} -o x.pdf (new process, gather + PDF): {time.perf_counter() - w:.2f} s wall "
          f"/ {cpu:.2f} s CPU; load average {os.getloadavg()[0]:.1f}")  # fmt: skip


def simulated(out: Path) -> None:
    from armswatch.dossier.render import render_html, render_json
    from armswatch.dossier.site import site_dossier
    from armswatch.dossier.vessel import vessel_dossier
    from armswatch.report.render import with_fonts
    from armswatch.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "case", analyst="bench")
        n = build_vessel_case(ws, Path(tmp))
        build_site_case(ws)
        with_fonts("warm-up")  # font files and the Natural Earth shapefile are read once per process
        from armswatch.report.basemap import clip_countries

        clip_countries((129.0, 41.0, 134.0, 44.0), tolerance=0.01)
        print(f"SIMULATED vessel: {n:,} positions over 365 days (MMSI {MMSI}, IMO {IMO})")
        d, w, c = timed(lambda: vessel_dossier(ws, IMO))
        html, w2, c2 = timed(lambda: render_html(d))
        print(f"  gather {w:.2f} s wall / {c:.2f} s CPU; HTML {w2:.2f} s wall / {c2:.2f} s CPU; total {w + w2:.2f} s wall "
              f"(target < 5 s); {len(d.statements)} statements, stats {d.stats}; HTML {len(html) / 1e6:.2f} MB")  # fmt: skip
        from armswatch.dossier.pdf import html_to_pdf

        pdf, w3, c3 = timed(lambda: html_to_pdf(render_html(d, pdf=True)))
        (out / "SIMULATED-vessel-dossier.pdf").write_bytes(pdf)
        print(f"  PDF (print HTML + WeasyPrint) {w3:.2f} s wall / {c3:.2f} s CPU (target < 10 s wall), "
              f"{len(pdf) / 1e6:.2f} MB, {_pdf_summary(pdf)}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        cli_pdf(ws.root, out / "SIMULATED-vessel-dossier-cli.pdf")
        (out / "SIMULATED-vessel-dossier.html").write_text(html)
        s, w, c = timed(lambda: site_dossier(ws, "bench-plant"))
        html, w2, c2 = timed(lambda: render_html(s))
        print(f"SIMULATED facility: 50 scenes, 49 intervals, 99 findings\n  gather {w:.2f} s wall / {c:.2f} s CPU; HTML "
              f"{w2:.2f} s wall / {c2:.2f} s CPU; total {w + w2:.2f} s wall (target < 5 s); {len(s.statements)} statements")  # fmt: skip
        (out / "SIMULATED-site-dossier.html").write_text(html)
        pdf, w3, c3 = timed(lambda: html_to_pdf(render_html(s, pdf=True)))
        (out / "SIMULATED-site-dossier.pdf").write_bytes(pdf)
        print(
            f"  PDF {w3:.2f} s wall / {c3:.2f} s CPU, {_pdf_summary(pdf)}; load average {os.getloadavg()[0]:.1f}"
        )
        (out / "SIMULATED-site-dossier.json").write_text(render_json(s))
        ws.close()


def real(data: Path, out: Path) -> None:
    files = [
        data / "NYHarbor_2020_06_30_first_hour.csv",
        data / "derived_NYHarbor_2020_12_first_week_points.csv",
    ]
    if not all(f.exists() for f in files):
        print(
            f"REAL: NOAA files not found under {data} — real-data dossier skipped (evaluation data not present)"
        )
        return
    from armswatch.dossier.render import render
    from armswatch.dossier.vessel import vessel_dossier
    from armswatch.maritime import store
    from armswatch.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "noaa"
        Workspace.init(root, analyst="bench").close()
        cli = [sys.executable, "-c", "from armswatch.cli.main import main; main()"]
        subprocess.run([*cli, "ais", "ingest", str(files[0]), "-w", str(root), "-q"], check=True)
        subprocess.run(
            [*cli, "ais", "ingest", str(files[1]), "--map", "ts=timestamp_utc", "-w", str(root), "-q"],
            check=True,
        )
        ws = Workspace.open(root)
        imos = store.scan_statics(ws).drop_nulls("imo").select("mmsi", "imo").unique().collect()
        counts = (
            store.scan_positions(ws)
            .group_by("mmsi")
            .len()
            .collect()
            .join(imos, on="mmsi")
            .sort("len", descending=True)
        )
        mmsi, imo, n = counts.row(0)[0], counts.row(0)[2], counts.row(0)[1]
        print(f"REAL (NOAA MarineCadastre, New York harbour): {counts.height} vessels with an IMO; most positions: "
              f"MMSI {mmsi} (IMO {imo}, {n:,} positions)")  # fmt: skip
        d, w, c = timed(lambda: vessel_dossier(ws, str(imo)))
        print(f"  gather {w:.2f} s wall / {c:.2f} s CPU; {d.title}")
        for k, v in d.facts:
            print(f"  {k}: {v}")
        by: dict[str, int] = {}
        for s in d.statements:
            by[f"{s.section}/{s.kind}"] = by.get(f"{s.section}/{s.kind}", 0) + 1
        print("  statements:", ", ".join(f"{k} {v}" for k, v in sorted(by.items())))
        for s in d.statements:
            if s.section in ("identity", "event"):
                print(f"    {s.start:%Y-%m-%d %H:%M} {s.text[:110]}")
        for fmt in ("html", "pdf", "json"):
            data_, w, c = timed(lambda fmt=fmt: render(d, fmt))  # type: ignore[misc]
            (out / f"REAL-noaa-{imo}.{fmt}").write_bytes(data_)
            print(f"  {fmt}: {len(data_) / 1e6:.2f} MB in {w:.2f} s wall / {c:.2f} s CPU")
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "armswatch-dossier-bench")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; outputs in {args.out}")
    simulated(args.out)
    real(args.data, args.out)


if __name__ == "__main__":
    main()
