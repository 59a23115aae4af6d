"""Sites and report benchmark: armswatch site formats and report renderer vs geopandas/pyogrio (GDAL).

Usage (from the repo root)::

    .venv/bin/python benchmarks/sites_report.py [--data /work/shared/data] [--repeat 3]

Data: the NGA World Port Index (``ais/noaa/world_port_index_ports.csv`` in the shared evaluation
data; 3,696 real ports) turned into port sites. Without the shared data the script says so and
stops. Parts (each prints what it measured, on what, and the ratio to the peer in the same run):

1. Build and validate ``Site`` values from the ports.
2. GeoJSON / CSV / KML write and read with armswatch vs ``geopandas`` (pyogrio + GDAL) on the same
   files; coordinates compared after the round trip.
3. Offline base layer: Natural Earth 10m countries read in memory with pyshp (armswatch) vs
   ``geopandas.read_file`` on the same zip; then clip+simplify for the DPRK-Russia view.
4. Report rendering: the 18 starter sites plus the East-Asian ports, and 200 SIMULATED findings
   (random boxes, generated here) with a generated PNG thumbnail each; time and file size. No peer.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import Point

from armswatch.sites.format_csv import sites_from_csv, sites_to_csv
from armswatch.sites.format_geojson import sites_from_geojson, sites_to_geojson
from armswatch.sites.format_kml import sites_from_kml, sites_to_kml
from armswatch.sites.model import Site, slugify


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def ports_to_sites(path: Path) -> tuple[list[Site], int]:
    from rigour.territories import lookup_territory

    sites: list[Site] = []
    skipped = 0
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            t = lookup_territory(row["Country Code"])
            if t is None or t.alpha3 is None or t.is_historical or len(t.code) != 2:
                skipped += 1
                continue
            sid = f"wpi-{row['World Port Index Number']}-{slugify(row['Main Port Name'])}"[:60].rstrip("-")
            if sid in seen:
                skipped += 1
                continue
            seen.add(sid)
            alt = row["Alternate Port Name"].strip()
            sites.append(
                Site(
                    id=sid,
                    name=row["Main Port Name"],
                    aliases=(alt,) if alt else (),
                    country=t.code.upper(),
                    kind="port",
                    geometry=Point(float(row["Longitude"]), float(row["Latitude"])),
                    precision="approximate",
                    sources=("NGA World Port Index",),
                    notes=row["World Water Body"],
                )
            )
    return sites, skipped


def coords(sites: list[Site]) -> np.ndarray[Any, Any]:
    return np.array([s.lonlat for s in sites])


def part_formats(sites: list[Site], tmp: Path, repeat: int) -> list[str]:
    import geopandas as gpd

    lines = []
    gdf = gpd.GeoDataFrame(
        {
            "id": [s.id for s in sites],
            "name": [s.name for s in sites],
            "country": [s.country for s in sites],
            "kind": [s.kind for s in sites],
            "precision": [s.precision for s in sites],
            "notes": [s.notes for s in sites],
        },
        geometry=[s.geometry for s in sites],
        crs="EPSG:4326",
    )
    ref = coords(sites)
    for fmt, writer, reader, driver in (
        ("geojson", sites_to_geojson, sites_from_geojson, "GeoJSON"),
        ("csv", sites_to_csv, sites_from_csv, None),
        ("kml", sites_to_kml, sites_from_kml, "KML"),
    ):
        t_w, text = best(lambda w=writer: w(sites), repeat)
        path = tmp / f"sites.{fmt}"
        path.write_text(text, encoding="utf-8")
        t_r, back = best(lambda r=reader, p=path: r(p.read_bytes(), path=str(p)), repeat)
        err = float(np.abs(coords(back) - ref).max())
        line = f"  {fmt:8s} armswatch write {t_w * 1e3:8.1f} ms  read+validate {t_r * 1e3:8.1f} ms  max coord error {err:.1e}"
        if driver is not None:
            gpath = tmp / f"gpd.{fmt}"
            try:
                g_w, _ = best(lambda d=driver, g=gpath: gdf.to_file(g, driver=d), repeat)
                g_r, gback = best(lambda p=path: gpd.read_file(p), repeat)
                gx = np.column_stack([gback.geometry.x, gback.geometry.y])
                gerr = float(np.abs(gx - ref).max()) if len(gx) == len(ref) else float("nan")
                line += (
                    f"\n  {'':8s} geopandas write {g_w * 1e3:8.1f} ms  read (our file) {g_r * 1e3:8.1f} ms"
                    f"  max coord error {gerr:.1e}   ratio armswatch/geopandas: write {t_w / g_w:.2f}x,"
                    f" read {t_r / g_r:.2f}x"
                )
            except Exception as exc:
                line += f"\n  {'':8s} geopandas {driver}: failed ({type(exc).__name__}: {exc})"
        else:
            line += "\n  (no geopandas CSV peer: GDAL's CSV driver needs X/Y open options and gives no validation)"
        lines.append(line)
    return lines


def part_basemap(repeat: int) -> list[str]:
    import geopandas as gpd

    from armswatch.report import basemap

    path = Path(basemap.resources.files(basemap.NE_PACKAGE).joinpath(basemap.NE_ZIP))  # type: ignore[arg-type]
    t0 = time.perf_counter()
    layer = basemap.load_countries()
    t_ours = time.perf_counter() - t0
    g_t, gdf = best(lambda: gpd.read_file(f"zip://{path}"), 1)
    bbox = (32.7, 13.4, 140.5, 62.3)
    t_clip, geoms = best(lambda: basemap._clip_cached.__wrapped__(bbox, 0.054), repeat)
    n_pts = sum(len(np.asarray(__import__("shapely").get_coordinates(g))) for g in geoms)
    return [
        f"  read NE 10m countries ({len(layer.iso_a2)} features): armswatch pyshp in-memory {t_ours:.2f} s,"
        f" geopandas.read_file {g_t:.2f} s ({len(gdf)} features); ratio {t_ours / g_t:.2f}x",
        f"  clip+simplify for the DPRK-Russia overview: {t_clip * 1e3:.1f} ms, {len(geoms)} countries, {n_pts} vertices",
    ]


def part_report(sites: list[Site], repeat: int) -> list[str]:
    from PIL import Image

    from armswatch.report.model import EvidenceItem, ReportData, ReportFinding, RunInfo
    from armswatch.report.render import render_report
    from armswatch.sites.starter import load_starter

    east = [s for s in sites if 120 <= s.lonlat[0] <= 145 and 30 <= s.lonlat[1] <= 50]
    rng = np.random.default_rng(7)
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    run = RunInfo("run-bench", "bench.simulated", "0", {"seed": 7}, ("sha256:" + "0" * 64,), t0, t0)
    findings = []
    for i in range(200):
        x, y = rng.uniform(124, 134), rng.uniform(37, 46)
        buf = io.BytesIO()
        Image.fromarray((rng.random((64, 64, 3)) * 255).astype("uint8")).save(buf, format="PNG")
        findings.append(
            ReportFinding(
                id=f"sim-{i}",
                kind="bench.simulated",
                title=f"SIMULATED finding {i}",
                summary="generated",
                status=("new", "confirmed", "rejected")[i % 3],
                confidence="likely",
                simulated=True,
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y]]],
                },
                evidence=(EvidenceItem(f"sha256:{i:064d}", "chip.png", "image/png", buf.getvalue()),),
                run=run,
            )
        )
    data = ReportData("bench", t0, "bench", "0", tuple(load_starter("dprk-russia") + east), tuple(findings))
    cold, html = best(lambda: render_report(data), 1)
    warm, _ = best(lambda: render_report(data), repeat)
    return [
        f"  {len(data.sites)} sites + 200 SIMULATED findings with 64x64 noise thumbnails (worst case for PNG):"
        f" first render {cold:.2f} s (base layer clip for a new view), warm {warm:.2f} s;"
        f" {len(html) / 1e6:.2f} MB HTML. No peer: no comparable offline single-file renderer to run."
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"armswatch sites/report benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("note: cores are shared with other jobs; timings are noisy (best of --repeat runs shown)")
    wpi = args.data / "ais/noaa/world_port_index_ports.csv"
    if not wpi.is_file():
        print(f"shared data not found at {wpi}: nothing measured")
        return 1
    t, (sites, skipped) = best(lambda: ports_to_sites(wpi), 1)
    print(
        f"\n1. {len(sites)} port sites from {wpi} ({skipped} rows skipped: unknown/historic country or duplicate id)"
    )
    print(
        f"  build + validate: {t * 1e3:.0f} ms ({t / len(sites) * 1e6:.0f} µs per site, incl. CSV parsing and country lookup)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        print("\n2. formats (same sites, same files)")
        print("\n".join(part_formats(sites, Path(tmp), args.repeat)))
    print("\n3. offline base layer")
    print("\n".join(part_basemap(args.repeat)))
    print("\n4. report rendering")
    print("\n".join(part_report(sites, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
