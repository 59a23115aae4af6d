"""Build the bundled DPRK extract of the UN and OFAC lists (src/armswatch/entities/data/).

Reads the full lists from /work/shared/data/sanctions (or --source) and keeps:
* UN SC consolidated list: records whose UN_LIST_TYPE is DPRK (references KPi./KPe.), same XML schema
  and dateGenerated as the full list.
* OFAC SDN (legacy CSV set): parties whose programme tags include DPRK (DPRK, DPRK2, DPRK3, DPRK4,
  DPRK-NKSPEA…), plus every vessel whose flag or remarks point to North Korea, plus the parties those
  rows are "Linked To" or name as vessel owner (so relations resolve); the matching address, alias and
  comment rows.
Both lists are public (UN documents; US government works). Run:
    .venv/bin/python scripts/build_entities_extract.py
"""

from __future__ import annotations

import argparse
import csv
import io
import re
from pathlib import Path
from xml.etree.ElementTree import tostring

from defusedxml.ElementTree import parse

SOURCE = Path("/work/shared/data/sanctions")
OUT = Path(__file__).resolve().parents[1] / "src" / "armswatch" / "entities" / "data"
UN_IN = "un/UN_consolidated_2026-02-27.xml"
OFAC_BASE = "ofac/ofac_sdn_2021-07_"
_KOREA = re.compile(r"North Korea|Korea, North|Democratic People's Republic of Korea|DPRK", re.I)


def build_un(source: Path, out: Path) -> int:
    tree = parse(source / UN_IN)
    root = tree.getroot()
    kept = 0
    for section in list(root):
        for record in list(section):
            if (record.findtext("UN_LIST_TYPE") or "").strip() != "DPRK":
                section.remove(record)
            else:
                kept += 1
    for el in root.iter():
        if el.text is not None and not el.text.strip():
            el.text = None
        el.tail = None
    data = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + tostring(root, encoding="utf-8")
    (out / "un_sc_dprk_2026-02-27.xml").write_bytes(data)
    return kept


def _rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8").replace("\x1a", "")
    return [r for r in csv.reader(io.StringIO(text, newline="")) if r]


def _write(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    for row in rows:
        cells = [
            c if c.strip() == "-0-" or c.strip().isdigit() else '"' + c.replace('"', '""') + '"' for c in row
        ]
        buf.write(",".join(cells) + "\r\n")
    path.write_bytes(buf.getvalue().encode("utf-8") + b"\x1a")


def build_ofac(source: Path, out: Path) -> int:
    sdn = _rows(source / f"{OFAC_BASE}sdn.csv")
    comments = {r[0]: r[1] for r in _rows(source / f"{OFAC_BASE}sdn_comments.csv")}
    by_name = {r[1]: r[0] for r in sdn if len(r) > 1}
    keep: set[str] = set()
    for r in sdn:
        if len(r) < 12:
            continue
        remarks = r[11] + comments.get(r[0], "")
        dprk = "DPRK" in r[3]
        korean_vessel = r[2] == "vessel" and (_KOREA.search(r[9]) or _KOREA.search(remarks))
        if dprk or korean_vessel:
            keep.add(r[0])
            for name in re.findall(r"Linked To: ([^;]+?)\.?(?:;|$)", remarks):
                for candidate in (name.strip(), name.strip() + "."):
                    if candidate in by_name:
                        keep.add(by_name[candidate])
            owner = r[10].strip()
            if owner in by_name:
                keep.add(by_name[owner])
    name = "ofac_sdn_dprk_2021-07_"
    _write(out / f"{name}sdn.csv", [r for r in sdn if r[0] in keep])
    for part in ("add", "alt", "sdn_comments"):
        _write(
            out / f"{name}{part}.csv", [r for r in _rows(source / f"{OFAC_BASE}{part}.csv") if r[0] in keep]
        )
    return len(keep)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    if not args.source.is_dir():
        raise SystemExit(f"{args.source} not found: the full lists are needed to build the extract")
    OUT.mkdir(parents=True, exist_ok=True)
    un = build_un(args.source, OUT)
    ofac = build_ofac(args.source, OUT)
    size = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    print(f"UN DPRK records: {un}; OFAC parties: {ofac}; extract size {size / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()
