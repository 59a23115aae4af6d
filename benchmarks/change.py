"""Change-detection benchmark: accuracy on /work/shared/data/change and full-tile throughput.

Usage:
    .venv/bin/python benchmarks/change.py            # accuracy on levir256, dsifn256, landsat-taizhou
    .venv/bin/python benchmarks/change.py --tile-perf # only: a synthetic 10980x10980 4-band pair on disk
    .venv/bin/python benchmarks/change.py --hints     # simulated analyst hints, N = 0 3 5 10 (leave-one-set-out)

Methods compared in the same run: ``builtup`` (armswatch default, training-free), CVA + Otsu
(per-image standardised change-vector magnitude) and PCA-k-means (Celik 2009). Metrics are pixel
precision/recall/F1/IoU micro-averaged over each folder, plus object recall; throughput in Mpx/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from armswatch.imagery import baseline, labelset, raster
from armswatch.imagery.change import detect_builtup
from armswatch.imagery.evaluation import Counts, score_dense, score_sparse

DATA = Path(os.environ.get("ARMSWATCH_CHANGE_DATA", "/work/shared/data/change"))
METHODS = ("builtup", "cva", "pca-kmeans")


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"


def read(path: Path, bands: str | None = None) -> tuple[np.ndarray, float]:
    info = raster.image_info(path, bands)
    with raster.open_image(path) as ds:
        return raster.read_visible(ds, info), raster.pixel_size(info)


def predict(method: str, a: np.ndarray, b: np.ndarray, px: float) -> np.ndarray:
    if method == "builtup":
        return detect_builtup(a, b, pixel_size=px).mask
    if method == "cva":
        return baseline.cva(a[:3], b[:3])[0]
    return baseline.pca_kmeans(a[:3], b[:3])[0]


def dense_set(name: str) -> None:
    folder = DATA / name
    if not (folder / "label").is_dir():
        print(f"{name}: ABSENT ({folder} not found), skipped")
        return
    labels = labelset.image_files(folder / "label")
    totals = {m: Counts() for m in METHODS}
    seconds = dict.fromkeys(METHODS, 0.0)
    mpx = 0.0
    for _stem, lab_path in labels.items():
        a, px = read(folder / "A" / lab_path.name)
        b, _ = read(folder / "B" / lab_path.name)
        lab = labelset.read_mask(lab_path)
        mpx += lab.size / 1e6
        for m in METHODS:
            t0 = time.perf_counter()
            pred = predict(m, a, b, px)
            seconds[m] += time.perf_counter() - t0
            totals[m] = totals[m] + score_dense(pred, lab)
    report(f"{name} ({len(labels)} pairs, {mpx:.2f} Mpx)", totals, seconds, mpx)


def taizhou() -> None:
    folder = DATA / "landsat-taizhou"
    if not (folder / "2000TM").exists():
        print("landsat-taizhou: ABSENT, skipped")
        return
    a, px = read(folder / "2000TM")
    b, _ = read(folder / "2003TM")
    changed = labelset.read_mask(folder / "change.bmp")
    unchanged = labelset.read_mask(folder / "unchanged.bmp")
    totals, seconds = {}, {}
    for m in METHODS:
        t0 = time.perf_counter()
        pred = predict(m, a, b, px)
        seconds[m] = time.perf_counter() - t0
        totals[m] = score_sparse(pred, changed, unchanged, min_object_pixels=4)
    report(
        f"landsat-taizhou (ETM+ 30 m, 400x400, sparse labels: {int(changed.sum())} changed / "
        f"{int(unchanged.sum())} unchanged px)",
        totals,
        seconds,
        a.shape[1] * a.shape[2] / 1e6,
    )


def report(title: str, totals: dict[str, Counts], seconds: dict[str, float], mpx: float) -> None:
    print(f"\n{title}")
    print(f"  {'method':<11} {'P':>6} {'R':>6} {'F1':>6} {'IoU':>6} {'objR':>6} {'Mpx/s':>7}")
    for m in METHODS:
        c = totals[m]
        print(
            f"  {m:<11} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.iou:6.3f} "
            f"{c.object_recall:6.3f} {mpx / max(seconds[m], 1e-9):7.2f}"
        )
    base = totals["cva"].f1
    print(f"  F1 ratio builtup / CVA+Otsu: {totals['builtup'].f1 / base:.2f}x" if base else "  (CVA F1 = 0)")


def _synthetic_pair(paths: list[Path], size: int) -> None:
    """SIMULATED 4-band uint16 pair: the same smooth ground on both dates (blocks seeded by position),
    independent sensor noise per date, and 8x8-px bright roofs added to the after date every 300 px."""
    import rasterio
    from rasterio.windows import Window
    from scipy import ndimage as ndi

    prof = dict(
        driver="GTiff", width=size, height=size, count=4, dtype="uint16", crs="EPSG:32652",
        transform=rasterio.Affine(10.0, 0, 600000, 0, -10.0, 4600000), tiled=True,
        blockxsize=512, blockysize=512, compress="deflate", predictor=2,
    )  # fmt: skip
    gain = np.array([900, 1100, 700, 2800], dtype=np.float32)[:, None, None]
    for k, p in enumerate(paths):
        with rasterio.open(p, "w", **prof) as dst:
            for r in range(0, size, 1024):
                h = min(1024, size - r)
                ground = ndi.gaussian_filter(
                    np.random.default_rng(r).normal(size=(h, size)).astype(np.float32), 4
                )
                img = gain * (1 + 3 * ground)[None]
                img += np.random.default_rng(10_000 * (k + 1) + r).normal(0, 15, img.shape).astype(np.float32)
                if k == 1:
                    for rr in range(150 - r % 300, h - 8, 300):
                        if rr >= 0:
                            for cc in range(150, size - 8, 300):
                                img[:, rr : rr + 8, cc : cc + 8] = np.array([1700, 1700, 1650, 1900])[
                                    :, None, None
                                ]
                dst.write(np.clip(img, 0, 65535).astype(np.uint16), window=Window(0, r, size, h))


def _tree_rss_kb(root: int) -> int:
    """Summed resident memory of a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(d.name)] = int(fields.get("PPid", "0").strip() or 0)
        rss[int(d.name)] = int(fields["VmRSS"].split()[0]) if "VmRSS" in fields else 0
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree)


def _run_measured(code: str) -> tuple[str, int]:
    """Run python code in a child process; return its stdout and the peak summed RSS of its process tree
    (sampled every 0.25 s; ru_maxrss is not used because Linux carries it across exec)."""
    proc = subprocess.Popen([sys.executable, "-W", "ignore", "-c", code], stdout=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.25)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise RuntimeError(f"child failed with exit code {proc.returncode}")
    return out, peak


def tile_perf(size: int, runs: tuple[str, ...] = ("mask", "footprints", "hints")) -> None:
    """Time the file-level command path on a synthetic full tile in a child process (RSS measured alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "before.tif", Path(tmp) / "after.tif"]
        t0 = time.perf_counter()
        _synthetic_pair(paths, size)
        print(
            f"\nsynthetic {size}x{size} 4-band uint16 pair written in {time.perf_counter() - t0:.1f} s (SIMULATED data)"
        )
        mpx = size * size / 1e6
        hints_csv = Path(tmp) / "hints.csv"
        roofs = [
            (150 + 300 * i + 4, 150 + 300 * j + 4) for i, j in ((1, 1), (5, 9), (12, 3), (20, 20), (30, 7))
        ]
        ground = [(300 * i, 300 * j + 70) for i, j in ((2, 2), (8, 1), (15, 15), (25, 4), (33, 30))]
        hints_csv.write_text("x,y,label\n" + "".join(f"{c},{r},1\n" for r, c in roofs)
                             + "".join(f"{c},{r},0\n" for r, c in ground))  # fmt: skip
        cases = {
            "mask": ("mask only", ""),
            "footprints": ("mask + --footprints", f", footprints={str(Path(tmp) / 'f.geojson')!r}"),
            "hints": (
                "mask + --hints (5 + 5 points)",
                f", hints=__import__('pathlib').Path({str(hints_csv)!r})",
            ),
        }
        for label, extra in (cases[r] for r in runs):
            load0 = os.getloadavg()[0]
            code = (
                "import resource,time;from armswatch.imagery.tiling import run_change;t=time.perf_counter();"
                f"r=run_change({str(paths[0])!r},{str(paths[1])!r},{str(Path(tmp) / 'o.tif')!r}{extra});"
                "s=resource.getrusage(resource.RUSAGE_SELF);c=resource.getrusage(resource.RUSAGE_CHILDREN);"
                "print(round(time.perf_counter()-t,2), s.ru_maxrss, r.tiles, c.ru_maxrss,"
                " round(s.ru_utime+s.ru_stime+c.ru_utime+c.ru_stime,1), r.objects, r.changed_pixels)"
            )
            out, peak_kb = _run_measured(code)
            secs, _rss, tiles, _child, cpu, objects, changed = out.split()
            print(
                f"  builtup {label}, {tiles} tiles, 2 worker processes: wall {float(secs):.1f} s "
                f"({mpx / float(secs):.2f} Mpx/s), CPU {float(cpu):.1f} s (ideal 2-core wall ~{float(cpu) / 2:.0f} s); "
                f"changed {int(changed) / (size * size):.3%}, objects {objects}\n"
                f"    peak RSS of the whole process tree (main + workers, sampled every 0.25 s): {peak_kb / 1024:.0f} MiB; "
                f"1-min load average {load0:.1f} at start, {os.getloadavg()[0]:.1f} at end"
            )


def _s2_catalog(root: Path, four_band: bool = False) -> tuple[Path, Any]:
    """A local static STAC catalog of the five real sentinel2-eolearn scenes: one float32 COG per band
    (derived from the shared 13-band files, written to a temporary folder, never into the repository),
    collection sentinel-2-l1c. The example data carries no acquisition dates, so the items get placeholder
    dates one week apart in the scenes' own order. ``four_band``: only B02, B03, B04, B08 as assets ``blue``,
    ``green``, ``red``, ``nir`` of a ``sentinel-2-l2a``-like item without SCL (the classical test runs).
    """
    import pystac
    import rasterio
    from pyproj import Transformer
    from shapely.geometry import box

    from armswatch.imagery.band import S2_ORDER_L1C

    folder = DATA / "sentinel2-eolearn"
    cat = pystac.Catalog(id="s2-eolearn", description="real Sentinel-2 L1C scenes (eo-learn example data)")
    site_area = None
    for k in range(5):
        with rasterio.open(folder / f"derived_scene{k}_13band.tif") as src:
            data, prof = src.read(), src.profile
            to_wgs = Transformer.from_crs(src.crs, "EPSG:4326", always_xy=True)
            b = src.bounds
        lon0, lat0 = to_wgs.transform(b.left, b.bottom)
        lon1, lat1 = to_wgs.transform(b.right, b.top)
        footprint = box(lon0, lat0, lon1, lat1)
        # the site is drawn 210 m inside the scene, so that its grid (site + 200 m) is covered by data
        m = 210.0
        site_area = box(
            *to_wgs.transform(b.left + m, b.bottom + m), *to_wgs.transform(b.right - m, b.top - m)
        )
        item = pystac.Item(
            id=f"eolearn-scene{k}", geometry=footprint.__geo_interface__, bbox=list(footprint.bounds),
            datetime=datetime(2017, 1, 1, 10, tzinfo=UTC) + timedelta(days=7 * k),
            properties={"platform": "sentinel-2"}, collection="sentinel-2-l2a" if four_band else "sentinel-2-l1c",
        )  # fmt: skip
        sub = root / f"scene{k}"
        sub.mkdir(parents=True)
        prof.update(driver="GTiff", count=1, compress="deflate")
        keys = {"B02": "blue", "B03": "green", "B04": "red", "B08": "nir"}
        for i, name in enumerate(S2_ORDER_L1C):
            if four_band and name not in keys:
                continue
            path = sub / f"{name}.tif"
            with rasterio.open(path, "w", **prof) as dst:
                dst.write(data[i], 1)
            key = keys[name] if four_band else name
            item.add_asset(key, pystac.Asset(href=str(path), media_type=pystac.MediaType.GEOTIFF))
        cat.add_item(item)
    cat.normalize_hrefs(str(root / "stac"))
    cat.save(catalog_type=pystac.CatalogType.ABSOLUTE_PUBLISHED)
    return root / "stac" / "catalog.json", site_area


def s2_monitor() -> None:
    """Ingest and monitor the five real Sentinel-2 scenes of an unchanged forest (no construction)."""

    if not (DATA / "sentinel2-eolearn").is_dir():
        print("\nsentinel2-eolearn: ABSENT, skipped")
        return
    for four in (False, True):
        _s2_monitor_run(four)


def _s2_monitor_run(four_band: bool) -> None:
    from armswatch.imagery import archive
    from armswatch.imagery.monitor import run_monitor
    from armswatch.sites.model import Site
    from armswatch.workspace import Workspace

    what = "B02,B03,B04,B08 only (as L2A without SCL)" if four_band else "all 13 L1C bands"
    print(
        f"\nsentinel2-eolearn: 5 real Sentinel-2 scenes, ~1 km² of forest and meadow, no construction; {what}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        catalog, area = _s2_catalog(Path(tmp) / "cat", four_band)
        ws = Workspace.init(Path(tmp) / "ws", analyst="benchmark")
        with ws:
            site = Site(id="forest", name="eo-learn forest patch", country="SI", kind="other",
                        geometry=area, precision="facility")  # fmt: skip
            ws.save_sites([site])
            import pystac

            items = sorted(
                str(i.get_self_href())
                for i in pystac.Catalog.from_file(str(catalog)).get_items(recursive=True)
            )
            for scene in archive.ingest_inputs(ws, "forest", items):
                q = scene.quality
                print(
                    f"  scene {scene.captured_at:%Y-%m-%d}: {q.reason() if q else '?'} [{q.method if q else '?'}]"
                )
            for label, max_cloud in (
                ("defaults (--max-cloud 50)", 50.0),
                ("--max-cloud 100 (no scene left out)", 100.0),
            ):
                done = run_monitor(ws, "forest", max_cloud=max_cloud)
                print(f"  monitor {label}:")
                for ex in done.excluded:
                    print(f"    left out {ex.date}: {ex.reason}")
                for iv in done.intervals:
                    print(
                        f"    {iv.start:%Y-%m-%d} -> {iv.end:%Y-%m-%d}: new {iv.new_m2:,.0f} m², cleared {iv.cleared_m2:,.0f} m², usable both {iv.valid_share:.0%}"
                    )
                for f in ws.list_findings(kind="imagery.change"):
                    if f.run_id == done.run_id:
                        print(f"    FINDING [{f.confidence}] {f.title}")
                worst = [
                    f.confidence for f in ws.list_findings(kind="imagery.change") if f.run_id == done.run_id
                ]
                print(
                    f"    findings: {len(worst)}; above 'unlikely': {sum(w in ('roughly even chance', 'likely', 'very likely', 'almost certain') for w in worst)}"
                )


GRID = {
    "threshold": (0.3, 0.4, 0.6),
    "seed_margin": (0.0, 0.8, 1.2),
    "after_min": (-1e9, 0.0),
    "darkness_min": (-1.0, 0.2),
    "greenness_max": (1e9, 0.1),
    "min_area_m2": (15.0, 60.0),
}
"""The parameter grid searched by ``--loso`` (-1e9 / 1e9 / -1 switch a gate off). The first value of each
row with the other defaults is close to the previous default (threshold 0.6, no hysteresis, no gates)."""


def _loso_pairs() -> dict[str, list[dict[str, Any]]]:
    """Per pair: images, label(s) and the built-up indices (computed once; the grid varies the rest)."""
    from armswatch.imagery.change import BuiltupParams, builtup_indices, pair_stats

    out: dict[str, list[dict[str, Any]]] = {}
    p0 = BuiltupParams()
    for name in ("levir256", "dsifn256"):
        folder = DATA / name
        if not (folder / "label").is_dir():
            continue
        rows = []
        for lab_path in labelset.image_files(folder / "label").values():
            a, px = read(folder / "A" / lab_path.name)
            b, _ = read(folder / "B" / lab_path.name)
            a, b = np.nan_to_num(a), np.nan_to_num(b)
            norm = pair_stats(a, b, p0, px)
            rows.append(dict(a=a, b=b, px=px, norm=norm, idx=builtup_indices(a, b, p0, px, norm),
                             label=labelset.read_mask(lab_path), unchanged=None))  # fmt: skip
        out[name] = rows
    tz = DATA / "landsat-taizhou"
    if (tz / "2000TM").exists():
        a, px = read(tz / "2000TM")
        b, _ = read(tz / "2003TM")
        a, b = np.nan_to_num(a), np.nan_to_num(b)
        norm = pair_stats(a, b, p0, px)
        out["landsat-taizhou"] = [dict(a=a, b=b, px=px, norm=norm, idx=builtup_indices(a, b, p0, px, norm),
                                       label=labelset.read_mask(tz / "change.bmp"),
                                       unchanged=labelset.read_mask(tz / "unchanged.bmp"))]  # fmt: skip
    return out


def _score_params(rows: list[dict[str, Any]], params: Any) -> Counts:
    from armswatch.imagery.change import decide, gate

    tot = Counts()
    for r in rows:
        ia, ib = r["idx"]
        diff = gate(ia, ib, r["a"], r["b"], params, r["norm"].scale[1])
        pred = decide(diff, params, r["px"]).mask
        tot = tot + (score_dense(pred, r["label"]) if r["unchanged"] is None
                     else score_sparse(pred, r["label"], r["unchanged"], min_object_pixels=4))  # fmt: skip
    return tot


def _cva_counts(rows: list[dict[str, Any]]) -> Counts:
    tot = Counts()
    for r in rows:
        pred = baseline.cva(r["a"][:3], r["b"][:3])[0]
        tot = tot + (score_dense(pred, r["label"]) if r["unchanged"] is None
                     else score_sparse(pred, r["label"], r["unchanged"], min_object_pixels=4))  # fmt: skip
    return tot


def loso() -> None:
    """Leave-one-set-out: pick the grid point with the best micro-F1 on one set, score it on the other set
    and on the Landsat pair (never used to choose anything); CVA + Otsu on the same pairs in the same run."""
    import itertools
    from dataclasses import replace

    from armswatch.imagery.change import BuiltupParams

    sets = _loso_pairs()
    if not {"levir256", "dsifn256"} <= sets.keys():
        print("\nleave-one-set-out: levir256 or dsifn256 ABSENT, skipped")
        return
    t0 = time.perf_counter()
    grid: list[dict[str, Any]] = [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    scores = {
        name: [_score_params(rows, replace(BuiltupParams(), **g)) for g in grid]
        for name, rows in sets.items()
    }
    print(f"\nleave-one-set-out over {len(grid)} parameter settings ({time.perf_counter() - t0:.0f} s)")
    cva = {name: _cva_counts(rows) for name, rows in sets.items()}
    shipped = BuiltupParams()
    held = Counts()
    held_cva = Counts()
    for tune, test in (("levir256", "dsifn256"), ("dsifn256", "levir256")):
        k = max(range(len(grid)), key=lambda i: scores[tune][i].f1)
        g = grid[k]
        t, s = scores[tune][k], scores[test][k]
        held, held_cva = held + s, held_cva + cva[test]
        tz = scores.get("landsat-taizhou", [None] * len(grid))[k]
        print(
            f"  tuned on {tune}: {g}\n    tuning F1 {t.f1:.3f} | held-out {test}: P {s.precision:.3f} R {s.recall:.3f} "
            f"F1 {s.f1:.3f} (CVA+Otsu {cva[test].f1:.3f})"
            + (f" | landsat-taizhou F1 {tz.f1:.3f}" if tz else "")
        )
    print(
        f"  HELD-OUT pooled (dsifn256 with levir-chosen + levir256 with dsifn-chosen parameters): "
        f"P {held.precision:.3f} R {held.recall:.3f} F1 {held.f1:.3f}; CVA+Otsu same pairs F1 {held_cva.f1:.3f} "
        f"-> {held.f1 / max(held_cva.f1, 1e-9):.2f}x"
    )
    print("  shipped default (chosen on levir256 + dsifn256 together; tuning figures):")
    for name, rows in sets.items():
        c = _score_params(rows, shipped)
        tag = " (never used for tuning)" if name == "landsat-taizhou" else ""
        print(
            f"    {name}: P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}; CVA+Otsu F1 {cva[name].f1:.3f}{tag}"
        )


def _guided_pairs(name: str) -> list[dict[str, Any]]:
    """Per pair of a dense set: images, label, default result and per-pixel features (computed once)."""
    from armswatch.imagery import pixelfeature
    from armswatch.imagery.change import BuiltupParams, builtup_indices, decide, gate, pair_stats

    folder = DATA / name
    rows = []
    params = BuiltupParams()
    for lab_path in labelset.image_files(folder / "label").values():
        a, px = read(folder / "A" / lab_path.name)
        b, _ = read(folder / "B" / lab_path.name)
        a, b = np.nan_to_num(a), np.nan_to_num(b)
        norm = pair_stats(a, b, params, px)
        idx = builtup_indices(a, b, params, px, norm)
        diff = gate(*idx, a, b, params, norm.scale[1])
        rows.append(dict(a=a, b=b, px=px, label=labelset.read_mask(lab_path), diff=diff, norm=norm,
                         base=decide(diff, params, px).mask,
                         feats=pixelfeature.pair_features(a, b, px, params=params, norm=norm, indices=idx)))  # fmt: skip
    return rows


GRID_N = 5
"""The hint method's parameters are chosen (leave-one-set-out) at the issue's 5 + 5 hints."""
HINT_GRID = {
    "scale": (150.0, 400.0),
    "pseudo_weight": (0.3, 1.0),
    "reach_m": (0.0, 8.0, 16.0),
    "threshold": (0.35, 0.5),
}
HINT_COMPLETE: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (500.0, 0.2),
    (1000.0, 0.1),
    (1000.0, 0.2),
    (2000.0, 0.2),
)
"""Grid of the completion of large change areas (``learn.complete_areas``): (minimum area m², minimum
probability); (0, 0) is off."""


VETO = True
"""An area whose hull holds a no-change point is not completed (as the CLI does); ``--no-veto`` for the
figures before it."""


def _hinted(r: dict[str, Any], hs: tuple[Any, ...], scale: float, pseudo_weight: float,
            finals: tuple[tuple[float, float, tuple[float, float]], ...], seed: int, forest_on: bool = True) -> list[np.ndarray]:  # fmt: skip
    """The ``imagery change --hints`` steps on one whole pair (as the CLI runs an image of this size):
    regions of the hints, forest on regions + pseudo-labels, forest on candidates (the default's objects
    and ring, the change regions and the change points' reach), completion of large change areas, region
    edits. One mask per (reach radius, threshold, (completion area, probability)) in ``finals`` (the forest
    is fitted once)."""
    from armswatch.imagery import forest, learn, pixelfeature, segment
    from armswatch.imagery.change import BuiltupParams, clean_mask, pixel_params

    params = BuiltupParams()
    regions = segment.hint_regions(r["b"], r["norm"].scale[1], hs, r["px"], scale=scale)
    pos, neg = segment.paint(regions, r["base"].shape)
    veto = segment.paint_points(segment.point_regions(hs), r["base"].shape) if VETO else None
    feats = learn.stack_featurizer(r["feats"])
    reach = {m: segment.reach_candidates(
                 segment.paint_reach(segment.reach_regions(hs, r["px"], r["base"].shape, m), r["base"].shape),
                 r["a"], r["b"], r["norm"].scale, r["px"]) for m in {f[0] for f in finals}}  # fmt: skip
    probs = None
    cand = learn.candidates(r["diff"], r["base"], r["px"], rises=False) | pos
    if forest_on:
        sel, y, w = learn.hint_selection(pos, neg, r["base"], cand, seed=seed, pseudo_weight=pseudo_weight)
        if len(np.unique(y)) == 2:
            model = forest.fit(
                feats(sel), y, pixelfeature.names(r["a"].shape[0] >= 4), seed=seed, sample_weight=w
            )
            # everywhere: the completion of large areas decides in their hulls too (the CLI predicts there)
            probs = forest.predict(model, feats(np.ones(cand.shape, dtype=bool))).reshape(cand.shape)
    out = []
    for m, t, (area, low) in finals:
        mask = r["base"]
        if probs is not None:
            mask = clean_mask((probs >= t) & (cand | reach[m]), *pixel_params(params, r["px"])[2:])
            if area > 0:
                core = clean_mask(
                    (probs >= learn.COMPLETE_CORE) & (cand | reach[m]), *pixel_params(params, r["px"])[2:]
                )
                mask = learn.complete_areas(mask, _lookup(probs), r["px"], area, low, core=core, veto=veto)
        out.append(learn.apply_regions(mask, pos, neg, r["px"], params))
    return out


def _lookup(values: np.ndarray) -> Any:
    """``select -> values[select]``: probabilities already computed everywhere."""
    return lambda select: values[select]


def _simulate(kind: str, r: dict[str, Any], n: int, seed: int) -> tuple[Any, ...]:
    from armswatch.imagery import hints

    if n == 0:
        return ()
    if kind == "random":
        return hints.simulate(r["label"], n, seed)
    return hints.simulate_corrections(r["base"], r["label"], n, seed)


def _hint_grid(
    rows: list[dict[str, Any]], n: int, seeds: list[int], kind: str, only: tuple[float, ...] | None = None,
    completions: tuple[tuple[float, float], ...] = HINT_COMPLETE,
) -> dict[tuple[float, ...], Counts]:  # fmt: skip
    """Counts for every grid point (scale, pseudo weight, reach, threshold, completion) with N + N
    simulated hints per pair (``only``: that point's scale and pseudo weight, with every reach, threshold
    and completion)."""
    import itertools

    finals = tuple(itertools.product(HINT_GRID["reach_m"], HINT_GRID["threshold"], completions))
    out: dict[tuple[float, ...], Counts] = {}
    for scale in HINT_GRID["scale"] if only is None else (only[0],):
        for pw in HINT_GRID["pseudo_weight"] if only is None else (only[1],):
            for seed in seeds:
                for k, r in enumerate(rows):
                    hs = _simulate(kind, r, n, 1000 * seed + k)
                    masks = _hinted(r, hs, scale, pw, finals, seed) if hs else [r["base"]] * len(finals)
                    for (m, t, c), mask in zip(finals, masks, strict=True):
                        key = (scale, pw, m, t, *c)
                        out[key] = out.get(key, Counts()) + score_dense(mask, r["label"])
    return out


def hints_bench(ns: list[int], seeds: list[int], kind: str = "corrections", complete: bool = True) -> None:
    """A simulated analyst gives N change and N no-change points per pair (seeded). ``corrections``: the
    analyst clicks on the default's own mistakes (false objects "no change", missed objects "change",
    see ``hints.simulate_corrections``); ``random``: points drawn at random from the label. Parameters of
    the hint method are chosen at N = ``GRID_N`` on one set and scored on the other at every N
    (leave-one-set-out). Without ``complete``, the completion of large areas is off everywhere (the
    method as it was before it, for the before/after comparison)."""
    from armswatch.imagery import learn, segment

    completions = HINT_COMPLETE if complete else ((0.0, 0.0),)
    area = (learn.COMPLETE_AREA_M2, learn.COMPLETE_MIN_PROB) if complete else (0.0, 0.0)
    shipped = (segment.SEGMENT_SCALE, learn.PSEUDO_WEIGHT, segment.REACH_M, learn.THRESHOLD, *area)
    print(
        f"\nanalyst hints, simulated analyst '{kind}', seeds {seeds}; shipped (scale, pseudo weight, "
        f"reach m, threshold, completion m², completion probability) = {shipped}"
        + ("" if complete else " (completion OFF: the method before it)")
    )
    sets = {n: _guided_pairs(n) for n in ("levir256", "dsifn256") if (DATA / n / "label").is_dir()}
    grids: dict[tuple[str, int], dict[tuple[float, ...], Counts]] = {}
    grid_s: dict[str, float] = {}
    for name, rows in sets.items():
        t0 = time.perf_counter()
        grids[(name, GRID_N)] = _hint_grid(rows, GRID_N, seeds, kind, completions=completions)
        grid_s[name] = (time.perf_counter() - t0) / (
            len(HINT_GRID["scale"]) * len(HINT_GRID["pseudo_weight"])
        )
        best = max(grids[(name, GRID_N)].items(), key=lambda kv: kv[1].f1)
        print(f"    tuning on {name} N={GRID_N}: best {best[0]} F1 {best[1].f1:.3f}")
    chosen: dict[str, tuple[float, ...]] = {}
    if len(sets) == 2:
        for tune, test in (("levir256", "dsifn256"), ("dsifn256", "levir256")):
            chosen[test] = max(grids[(tune, GRID_N)], key=lambda g: grids[(tune, GRID_N)][g].f1)
    for n in ns:
        pooled = Counts()
        for name, rows in sets.items():
            t0 = time.perf_counter()
            if n == 0:
                c = sum((score_dense(r["base"], r["label"]) for r in rows), Counts())
                grids[(name, n)] = {shipped: c} | ({chosen[name]: c} if name in chosen else {})
            elif n != GRID_N:  # the other N at the shipped and the held-out scale and pseudo weight only
                grid: dict[tuple[float, ...], Counts] = {}
                for only in {shipped[:2]} | ({chosen[name][:2]} if name in chosen else set()):
                    grid.update(_hint_grid(rows, n, seeds, kind, only=only, completions=completions))
                grids[(name, n)] = grid
            used = sum(len(_simulate(kind, r, n, 1000 * s + k)) for s in seeds for k, r in enumerate(rows))
            c = grids[(name, n)][shipped]
            secs = (grid_s[name] if n == GRID_N else time.perf_counter() - t0) / max(
                1, len(rows) * len(seeds)
            )
            held = ""
            if name in chosen:
                h = grids[(name, n)][chosen[name]]
                pooled = pooled + h
                held = f" | HELD-OUT P {h.precision:.3f} R {h.recall:.3f} F1 {h.f1:.3f}"
            print(f"  {name} N={n:>2}: shipped P {c.precision:.3f} R {c.recall:.3f} F1 {c.f1:.3f}{held} "
                  f"({used / len(seeds):.0f} hints over {len(rows)} pairs; {secs:.2f} s per pair and fit)", flush=True)  # fmt: skip
        if chosen:
            print(
                f"  N={n:>2} HELD-OUT pooled: P {pooled.precision:.3f} R {pooled.recall:.3f} F1 {pooled.f1:.3f}"
            )
    for test, key in chosen.items():
        print(f"  held-out {test}: parameters chosen on the other set at N={GRID_N}: {key}")
    if len(sets) == 2:
        n = GRID_N
        both = {g: grids[("levir256", n)][g] + grids[("dsifn256", n)][g] for g in grids[("levir256", n)]}
        key = max(both, key=lambda g: both[g].f1)
        print(f"  N={n} best on both sets together (tuning figure; how the shipped values are chosen): {key} "
              f"F1 {both[key].f1:.3f}; shipped {shipped} F1 {both[shipped].f1:.3f}")  # fmt: skip
    hints_landsat({"shipped": shipped} | {f"chosen for held-out {t}": k for t, k in chosen.items()})


def _landsat_pair() -> dict[str, Any] | None:
    """The Landsat pair as ``_guided_pairs`` gives a dense pair (its labels are sparse: ``label`` the
    changed reference pixels, ``unchanged`` the unchanged ones)."""
    from armswatch.imagery import pixelfeature
    from armswatch.imagery.change import BuiltupParams, builtup_indices, decide, gate, pair_stats

    tz = DATA / "landsat-taizhou"
    if not (tz / "2000TM").exists():
        return None
    params = BuiltupParams()
    a, px = read(tz / "2000TM")
    b, _ = read(tz / "2003TM")
    a, b = np.nan_to_num(a), np.nan_to_num(b)
    norm = pair_stats(a, b, params, px)
    idx = builtup_indices(a, b, params, px, norm)
    diff = gate(*idx, a, b, params, norm.scale[1])
    return dict(a=a, b=b, px=px, norm=norm, diff=diff, base=decide(diff, params, px).mask,
                label=labelset.read_mask(tz / "change.bmp"), unchanged=labelset.read_mask(tz / "unchanged.bmp"),
                feats=pixelfeature.pair_features(a, b, px, params=params, norm=norm, indices=idx))  # fmt: skip


def hints_landsat(keys: dict[str, tuple[float, ...]], n: int = GRID_N, seeds: int = 3) -> None:
    """The Landsat pair (30 m, sparse labels) with N + N hints for each parameter tuple of ``keys``: the
    analyst clicks at random on labelled change and no-change pixels (seeded), the clicked pixels are not
    scored. Never used to choose a parameter except the completion's half-hull limit (docs/imagery.md)."""
    from armswatch.imagery import hints

    r = _landsat_pair()
    if r is None:
        print("  landsat-taizhou: ABSENT, skipped")
        return
    for title, key in keys.items():
        tot, base = Counts(), Counts()
        for seed in range(seeds):
            hs = tuple(h for h in hints.simulate(r["label"], n, seed) if h.change) + tuple(
                h for h in hints.simulate(~r["unchanged"], n, seed) if not h.change
            )
            mask = _hinted(r, hs, key[0], key[1], ((key[2], key[3], (key[4], key[5])),), seed)[0]
            keep = np.ones(mask.shape, dtype=bool)
            for h in hs:
                keep[int(h.row), int(h.col)] = False
            tot = tot + score_sparse(mask, r["label"] & keep, r["unchanged"] & keep, min_object_pixels=4)
            base = base + score_sparse(
                r["base"], r["label"] & keep, r["unchanged"] & keep, min_object_pixels=4
            )
        print(f"  landsat-taizhou N={n} (random clicks, {seeds} seeds, clicked pixels not scored), {title} "
              f"{key}: P {tot.precision:.3f} R {tot.recall:.3f} F1 {tot.f1:.3f} (no hints F1 {base.f1:.3f})")  # fmt: skip


def hint_edits_bench(n: int, seeds: list[int]) -> None:
    """Ablation at the shipped parameters: region edits alone (no forest), forest + edits without the
    change points' reach, with it, and with the completion of large areas too (shipped)."""
    from armswatch.imagery import learn, segment

    for name in ("levir256", "dsifn256"):
        if not (DATA / name / "label").is_dir():
            continue
        rows = _guided_pairs(name)
        off, area = (0.0, 0.0), (learn.COMPLETE_AREA_M2, learn.COMPLETE_MIN_PROB)
        variants = (("region edits only", False, 0.0, off), ("forest + region edits, no reach", True, 0.0, off),
                    (f"forest + region edits + {segment.REACH_M:g} m reach", True, segment.REACH_M, off),
                    (f"... + completion of areas ≥ {area[0]:g} m² (shipped)", True, segment.REACH_M, area))  # fmt: skip
        for title, forest_on, reach, complete in variants:
            tot = Counts()
            for seed in seeds:
                for k, r in enumerate(rows):
                    hs = _simulate("corrections", r, n, 1000 * seed + k)
                    m = _hinted(r, hs, segment.SEGMENT_SCALE, learn.PSEUDO_WEIGHT, ((reach, learn.THRESHOLD, complete),),
                                seed, forest_on)[0] if hs else r["base"]  # fmt: skip
                    tot = tot + score_dense(m, r["label"])
            print(f"  {name} N={n} {title}: P {tot.precision:.3f} R {tot.recall:.3f} F1 {tot.f1:.3f}")


def own_model_bench() -> None:
    """Own model, leave-one-set-out: trained on one set's pairs (as ``imagery train``), scored on the other."""
    from armswatch.imagery import forest, learn, pixelfeature

    sets = {n: _guided_pairs(n) for n in ("levir256", "dsifn256") if (DATA / n / "label").is_dir()}
    if len(sets) < 2:
        print("\nown model: levir256 or dsifn256 ABSENT, skipped")
        return
    print("\nown model, leave-one-set-out (train on one set, score the other; default method beside it)")
    for train, test in (("levir256", "dsifn256"), ("dsifn256", "levir256")):
        rng = np.random.default_rng(0)
        smp = [
            learn.pair_samples(r["feats"], r["diff"], r["base"], r["label"], r["px"], rng)
            for r in sets[train]
        ]
        t0 = time.perf_counter()
        model = forest.fit(np.concatenate([s.x for s in smp]), np.concatenate([s.y for s in smp]),
                           pixelfeature.names(False), n_trees=40, max_depth=10, seed=0)  # fmt: skip
        fit_s = time.perf_counter() - t0
        own, default = Counts(), Counts()
        for r in sets[test]:
            own = own + score_dense(
                learn.refine(learn.stack_featurizer(r["feats"]), model, r["diff"], r["base"], r["px"]).mask,
                r["label"],
            )
            default = default + score_dense(r["base"], r["label"])
        print(
            f"  trained on {train} ({fit_s:.1f} s), tested on {test}: own model P {own.precision:.3f} "
            f"R {own.recall:.3f} F1 {own.f1:.3f} | default F1 {default.f1:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tile-perf", action="store_true", help="also time a synthetic full Sentinel-2 tile")
    ap.add_argument("--size", type=int, default=10980)
    ap.add_argument("--tile-runs", default="mask,footprints,hints", help="with --tile-perf: which runs")
    ap.add_argument(
        "--s2-monitor", action="store_true", help="only ingest + monitor the real Sentinel-2 scenes"
    )
    ap.add_argument("--loso", action="store_true", help="only the leave-one-set-out parameter selection")
    ap.add_argument(
        "--hints", type=int, nargs="*", help="only simulated analyst hints, for these N (default 0 3 5 10)"
    )
    ap.add_argument("--seeds", type=int, default=1, help="with --hints: number of seeds (default 1)")
    ap.add_argument("--analyst", choices=("corrections", "random"), default="corrections",
                    help="with --hints: the simulated analyst clicks on the default's mistakes, or at random")  # fmt: skip
    ap.add_argument("--no-complete", action="store_true",
                    help="with --hints: completion of large change areas off (the method before it)")  # fmt: skip
    ap.add_argument("--no-veto", action="store_true",
                    help="with --hints: no-change points do not keep completion out of an area (the method before it)")  # fmt: skip
    ap.add_argument("--own-model", action="store_true", help="only the own-model leave-one-set-out run")
    args = ap.parse_args()
    print(f"armswatch change benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()} (shared with other jobs: timings are noisy)")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"data: {DATA}")
    if not DATA.is_dir():
        print("DATA ABSENT: nothing to score")
    elif args.s2_monitor:
        s2_monitor()
    elif args.loso:
        loso()
    elif args.hints is not None:
        global VETO
        VETO = not args.no_veto
        hints_bench(args.hints or [0, 3, 5, 10], list(range(args.seeds)), args.analyst, not args.no_complete)
        hint_edits_bench(5, list(range(args.seeds)))
    elif args.own_model:
        own_model_bench()
    elif args.tile_perf:
        pass
    else:
        dense_set("levir256")
        dense_set("dsifn256")
        taizhou()
        loso()
    if args.tile_perf:
        tile_perf(args.size, tuple(args.tile_runs.split(",")))
    print(f"\nbenchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
