"""Change-detection benchmark: accuracy on /work/shared/data/change and full-tile throughput.

Usage:
    .venv/bin/python benchmarks/change.py            # accuracy on levir256, dsifn256, landsat-taizhou
    .venv/bin/python benchmarks/change.py --tile-perf # also a synthetic 10980x10980 4-band pair on disk

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
from datetime import UTC, datetime
from pathlib import Path

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


def tile_perf(size: int) -> None:
    """Time the file-level command path on a synthetic full tile in a child process (RSS measured alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "before.tif", Path(tmp) / "after.tif"]
        t0 = time.perf_counter()
        _synthetic_pair(paths, size)
        print(
            f"\nsynthetic {size}x{size} 4-band uint16 pair written in {time.perf_counter() - t0:.1f} s (SIMULATED data)"
        )
        mpx = size * size / 1e6
        for label, extra in (
            ("mask only", ""),
            ("mask + --footprints", f", footprints={str(Path(tmp) / 'f.geojson')!r}"),
        ):
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
                f"    peak RSS of the whole process tree (main + workers, sampled every 0.25 s): {peak_kb / 1024:.0f} MiB"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tile-perf", action="store_true", help="also time a synthetic full Sentinel-2 tile")
    ap.add_argument("--size", type=int, default=10980)
    args = ap.parse_args()
    print(f"armswatch change benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()} (shared with other jobs: timings are noisy)")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"data: {DATA}")
    if not DATA.is_dir():
        print("DATA ABSENT: nothing to score")
    else:
        dense_set("levir256")
        dense_set("dsifn256")
        taizhou()
    if args.tile_perf:
        tile_perf(args.size)
    print(f"\nbenchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
