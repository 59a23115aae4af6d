"""Benchmark: cross-referencing the UN and OFAC lists (``armswatch entities xref``).

Reads the real lists in ../shared/data/sanctions (never copied into the repository): the UN SC
consolidated list (2026-02-27), the OFAC SDN list (July 2021) and the OFAC consolidated non-SDN list
(December 2025). Measures:

1. run time: parse both lists, build the records, propose and score candidates (all UN + OFAC
   records, within and across lists; and across only);
2. the truth set: UN↔OFAC pairs that share a passport number, an IMO (company or ship) number, or an
   explicit cross-reference in the remarks (a remark naming the other's listing reference with an
   identity cue). Recall = share of truth pairs among xref's top-3 candidates of either record; also
   with every identifier hidden from xref (names, dates, countries and addresses only), which is
   what the name matcher contributes;
3. the threshold, held out: on UN↔OFAC candidate pairs where both records carry passports (or both
   IMO company numbers), sharing one is taken as "same" and sharing none as "different" (noisy: a
   person may hold passports the other list does not give). The pairs are scored with identifiers
   hidden, split in two by a hash of the UN id; the threshold with the best F1 on one half is scored
   on the other half, and the reverse;
4. precision at the default threshold (full scoring, UN↔OFAC pairs in the top 3): a pair is right
   when it shares an identifier (passport, national id, registration, IMO); every other pair was
   judged by reading both records (names in all scripts, birth dates and places, nationality,
   programme, remarks) for random samples whose verdicts are in ``benchmarks/xref_judged.csv`` (ids,
   verdict, sample number, a few words of basis); the rest are estimated from the samples' rate, and
   a lower bound counts them wrong. Sample 1 (60 pairs, seed 13) was drawn and judged before two
   rules were added (a person pairs only with a person; birth years ten or more apart cap the
   score), sample 2 (40, seed 14) after them, sample 3 (40, next in the seed-14 order) after xref
   began scoring every pair both ways; each is reported, and the estimate with the latest sample's
   rate alone.

Run: .venv/bin/python benchmarks/xref.py [--sample N]   (prints the figures; --sample N also prints
N pairs of the seeded order not judged yet, to judge)
"""

from __future__ import annotations

import csv
import hashlib
import os
import platform
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "sanctions"
UN = DATA / "un" / "UN_consolidated_2026-02-27.xml"
SDN = DATA / "ofac" / "ofac_sdn_2021-07_sdn.csv"
CONS = DATA / "ofac" / "ofac_consolidated_nonsdn_2025-12_cons_prim.csv"
JUDGED = Path(__file__).with_name("xref_judged.csv")
SAMPLE_SEED = 14
TRUTH_KINDS = ("passport:",)


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def truth_keys(record: object) -> set[str]:
    from armswatch.entities.xref import XrefRecord

    assert isinstance(record, XrefRecord)
    keys = {k for k in record.identifiers if k.startswith(TRUTH_KINDS)}
    kind = "imo-ship:" if record.subject.schema == "Vessel" else "imo-company:"
    keys |= {kind + i for i in record.subject.imo}
    return keys


def is_un(record_id: str) -> bool:
    return record_id.startswith("unsc-")


def truth_pairs(records: Sequence[object]) -> set[tuple[str, str]]:
    """(UN id, OFAC id) pairs sharing a passport or IMO number, or citing each other as the same."""
    from armswatch.entities.xref import XrefRecord

    by_key: dict[str, list[str]] = defaultdict(list)
    by_ref: dict[str, list[str]] = defaultdict(list)
    for r in records:
        assert isinstance(r, XrefRecord)
        for key in truth_keys(r):
            by_key[key].append(r.id)
        for ref in r.references:
            by_ref[ref].append(r.id)
    pairs = {(a, b) for ids in by_key.values() for a in ids for b in ids if is_un(a) and not is_un(b)}
    before = len(pairs)
    for r in records:
        assert isinstance(r, XrefRecord)
        for ref in r.cites_same:
            for other in by_ref.get(ref, ()):
                a, b = (r.id, other) if is_un(r.id) else (other, r.id)
                if is_un(a) and not is_un(b):
                    pairs.add((a, b))
    print(f"truth pairs added by an identity cross-reference in the remarks: {len(pairs) - before}")
    return pairs


def hide_identifiers(records: Sequence[object]) -> list[object]:
    from armswatch.entities.xref import XrefRecord

    out: list[object] = []
    for r in records:
        assert isinstance(r, XrefRecord)
        subject = replace(r.subject, imo=frozenset(), mmsi=frozenset(), registration=frozenset())
        out.append(replace(r, subject=subject, identifiers=frozenset(), cites_same=frozenset()))
    return out


def pair_key(left: str, right: str) -> tuple[str, str]:
    return (left, right) if is_un(left) else (right, left)


def cross(cands: Sequence[object]) -> list[object]:
    from armswatch.entities.xref import Candidate

    out = []
    for c in cands:
        assert isinstance(c, Candidate)
        if is_un(c.left_id) != is_un(c.right_id):
            out.append(c)
    return out


def half(un_id: str) -> int:
    return hashlib.sha1(un_id.encode()).digest()[0] % 2


def f1_at(pairs: Sequence[tuple[float, bool]], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, y in pairs if s >= threshold and y)
    fp = sum(1 for s, y in pairs if s >= threshold and not y)
    fn = sum(1 for s, y in pairs if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def held_out(records: Sequence[object], hidden_cands: Sequence[object]) -> None:
    """Threshold chosen on one half of the identifier-labelled pairs, scored on the other."""
    from armswatch.entities.xref import Candidate, XrefRecord

    by_id: dict[str, XrefRecord] = {}
    for r in records:
        assert isinstance(r, XrefRecord)
        by_id[r.id] = r
    labelled: dict[int, list[tuple[float, bool]]] = {0: [], 1: []}
    for c in hidden_cands:
        assert isinstance(c, Candidate)
        u, o = pair_key(c.left_id, c.right_id)
        ku, ko = truth_keys(by_id[u]), truth_keys(by_id[o])
        kinds_u, kinds_o = {k.split(":")[0] for k in ku}, {k.split(":")[0] for k in ko}
        if not kinds_u & kinds_o:
            continue  # not both carrying the same kind of identifier: no label
        labelled[half(u)].append((c.score, bool(ku & ko)))
    grid = [round(0.5 + 0.01 * i, 2) for i in range(50)]
    for choose, score in ((0, 1), (1, 0)):
        best = max(grid, key=lambda t: (f1_at(labelled[choose], t)[2], -t))
        p, r, f = f1_at(labelled[score], best)
        pos = sum(1 for _, y in labelled[score] if y)
        print(
            f"  threshold chosen on half {choose} ({len(labelled[choose])} labelled pairs): {best:.2f}; "
            f"on half {score} ({len(labelled[score])} pairs, {pos} same): P {p:.3f} R {r:.3f} F1 {f:.3f}"
        )
    for t in (0.7, 0.75, 0.8, 0.85, 0.9):
        p, r, f = f1_at(labelled[0] + labelled[1], t)
        print(f"  both halves at {t:.2f}: P {p:.3f} R {r:.3f} F1 {f:.3f}")


def read_judged() -> dict[tuple[str, str], tuple[str, str]]:
    """(UN id, OFAC id) -> (verdict, sample number)."""
    if not JUDGED.is_file():
        return {}
    with JUDGED.open(encoding="utf-8") as fh:
        return {(r["un_id"], r["ofac_id"]): (r["verdict"], r["sample"]) for r in csv.DictReader(fh)}


def precision(records: Sequence[object], cands: Sequence[object], threshold: float, sample: int) -> None:
    from armswatch.entities.xref import Candidate, XrefRecord

    by_id: dict[str, XrefRecord] = {}
    for r in records:
        assert isinstance(r, XrefRecord)
        by_id[r.id] = r
    above = [c for c in cands if isinstance(c, Candidate) and c.score >= threshold]
    shared, rest = [], []
    for c in above:
        u, o = pair_key(c.left_id, c.right_id)
        a, b = by_id[u], by_id[o]
        same_ids = (a.identifiers & b.identifiers) or (a.subject.imo & b.subject.imo)
        (shared if same_ids else rest).append(pair_key(c.left_id, c.right_id))
    judged = read_judged()
    shared_set, proposed = set(shared), set(shared) | set(rest)
    gone = [(p, v) for p, v in judged.items() if p not in proposed]
    moved = [(p, v) for p, v in judged.items() if p in shared_set]
    print(
        f"  judged pairs now sharing an identifier: {len(moved)}; no longer proposed: {len(gone)} "
        f"({sum(1 for _, v in gone if v[0] == 'same')} of them judged same)"
    )
    ordered = sorted(rest)
    random.Random(SAMPLE_SEED).shuffle(ordered)
    verdicts = [judged[p][0] for p in ordered if p in judged]
    right = sum(1 for v in verdicts if v == "same")
    for number in sorted({n for _, n in judged.values()}):
        got = [judged[p][0] for p in ordered if p in judged and judged[p][1] == number]
        ok = sum(1 for v in got if v == "same")
        print(f"  judged sample {number}: {ok}/{len(got)} same among the pairs still proposed")
    if judged:
        last = max(n for _, n in judged.values())
        got = [judged[p][0] for p in ordered if p in judged and judged[p][1] == last]
        rate_last = sum(1 for v in got if v == "same") / max(1, len(got))
        n_judged = sum(1 for p in ordered if p in judged)
        right_all = sum(1 for p in ordered if p in judged and judged[p][0] == "same")
        est_last = (len(shared) + right_all + rate_last * (len(rest) - n_judged)) / max(1, len(above))
        print(
            f"  precision with only the latest sample's rate ({rate_last:.3f}, sample {last}, drawn "
            f"after the last change) for the unjudged pairs: {est_last:.3f}"
        )
    rate = right / len(verdicts) if verdicts else 0.0
    unjudged = len(rest) - len(verdicts)
    lower = (len(shared) + right) / len(above) if above else 0.0
    estimate = (len(shared) + right + rate * unjudged) / len(above) if above else 0.0
    print(
        f"  {len(above)} UN-OFAC pairs >= {threshold}: {len(shared)} share an identifier; "
        f"{len(rest)} do not, of which {len(verdicts)} judged ({right} same, "
        f"{len(verdicts) - right} different)"
    )
    print(f"  precision: estimated {estimate:.3f} (sample rate {rate:.3f} applied), lower bound {lower:.3f}")
    todo = [p for p in ordered if p not in judged][:sample]
    if todo:
        print(f"\nunjudged pairs of the sample ({len(todo)}):")
        for u, o in todo:
            for rid in (u, o):
                r = by_id[rid]
                s = r.subject
                print(
                    f"  {rid} [{s.schema}] {' | '.join(s.names[:6])} former={list(s.former_names[:3])} "
                    f"dob={list(s.birth_dates[:3])} countries={sorted(s.countries)} ids={sorted(r.identifiers)[:4]}"
                )
            print(f"  -> {u},{o}")


def main(argv: Sequence[str]) -> None:
    sample = int(argv[argv.index("--sample") + 1]) if "--sample" in argv else 0
    if not (UN.is_file() and SDN.is_file()):
        print(f"data absent: {UN} or {SDN} not found (../shared/data); nothing measured")
        return
    from armswatch.entities.importer import load_entities
    from armswatch.entities.xref import DEFAULT_THRESHOLD, xref, xref_records

    start = time.perf_counter()
    cpu0 = time.process_time()
    records: list[object] = []
    for path in (UN, SDN, CONS):
        if path.is_file():
            snap = load_entities(path)
            records.extend(xref_records(snap.entities, snap.dataset))
    t_load = time.perf_counter() - start
    both = xref(records, threshold=0.0, top=3)  # type: ignore[arg-type]
    t_all = time.perf_counter() - start
    cpu_all = time.process_time() - cpu0
    start = time.perf_counter()
    cands = cross(xref(records, threshold=0.0, top=3, across_only=True))  # type: ignore[arg-type]
    t_across = time.perf_counter() - start
    hidden = hide_identifiers(records)
    hidden_cands = cross(xref(hidden, threshold=0.0, top=3, across_only=True))  # type: ignore[arg-type]

    print(f"machine: {cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load avg: {os.getloadavg()[0]:.1f}")
    n_un = sum(1 for r in records if is_un(r.id))  # type: ignore[attr-defined]
    print(f"records: {len(records)} ({n_un} UN, {len(records) - n_un} OFAC)")
    print(
        f"time: parse + records {t_load:.1f} s; whole run (within and across lists) {t_all:.1f} s wall, "
        f"{cpu_all:.1f} s CPU, {len(both)} candidate pairs (top 3, no threshold); across only {t_across:.1f} s"
    )
    truth = truth_pairs(records)
    found = {pair_key(c.left_id, c.right_id) for c in cands}  # type: ignore[attr-defined]
    found_hidden = {pair_key(c.left_id, c.right_id) for c in hidden_cands}  # type: ignore[attr-defined]
    missed = sorted(truth - found)
    print(f"truth pairs (UN-OFAC sharing passport, IMO or an identity cross-reference): {len(truth)}")
    print(f"recall in top 3: {1 - len(missed) / max(1, len(truth)):.3f} (missed {missed[:5]})")
    score_of = {pair_key(c.left_id, c.right_id): c for c in cands}  # type: ignore[attr-defined]
    for pair in sorted(truth):
        cand = score_of.get(pair)
        if cand is not None and cand.score < 0.9:
            print(f"  truth pair scored {cand.score}: {pair}: {'; '.join(cand.reasons)}")
    print(
        f"recall in top 3 with identifiers hidden (names, dates, countries, addresses only): "
        f"{len(truth & found_hidden) / max(1, len(truth)):.3f}"
    )
    above = [c for c in cands if c.score >= DEFAULT_THRESHOLD]  # type: ignore[attr-defined]
    found_above = {pair_key(c.left_id, c.right_id) for c in above}  # type: ignore[attr-defined]
    print(
        f"recall at the default threshold {DEFAULT_THRESHOLD}: {len(truth & found_above) / max(1, len(truth)):.3f}"
    )
    print("held-out threshold (identifier-labelled pairs, identifiers hidden when scoring):")
    held_out(records, hidden_cands)
    print(f"precision at the default threshold {DEFAULT_THRESHOLD}:")
    precision(records, cands, DEFAULT_THRESHOLD, sample)


if __name__ == "__main__":
    main(sys.argv[1:])
