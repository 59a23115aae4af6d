"""Matching benchmark: armswatch vs nomenklatura logic-v1 / logic-v2 on the same pairs, same run.

Usage (from the repo root)::

    .venv/bin/python benchmarks/matching.py [--data /work/shared/data/sanctions] [--million]

Parts (each prints what it measured, on what data):

1. nomenklatura name-bench cases by group (synthetic groups ``synth_*`` reported apart):
   precision / recall / F1 at the default threshold for armswatch, logic-v1 and logic-v2.
2. watchman cross-script pairs (all positives): recall (and F1 = 2R/(1+R)).
3. nomenklatura OFAC fixtures: Spearman correlation of each matcher's score with OFAC's own score.
4. Korean and Cyrillic variants, GENERATED here from the UN/OFAC DPRK and Russia names (hyphenation,
   syllable joins, RR/MR/DPRK spelling swaps, Hangul-free; Cyrillic by reverse transliteration):
   pair recall for each matcher.
5. UN positives screened against the UN list through the index: recall@threshold, queries/s;
   logic-v2 re-scoring the same candidates for comparison.
6. Throughput against UN + OFAC SDN: queries/s (armswatch index + scoring vs logic-v2 on the same
   candidates).
7. ``--million``: 1,000,000 SYNTHETIC entities from name parts, 10,000 queries; build + query time.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from followthemoney import model

from armswatch.entities.importer import load_entities
from armswatch.entities.screen import subjects_from_entities
from armswatch.matching.index import CandidateIndex
from armswatch.matching.score import DEFAULT_THRESHOLD, score_pair
from armswatch.matching.subject import Subject, subject_from_row

Scorer = Callable[[str, str, str], float]


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def ours(schema: str, a: str, b: str) -> float:
    q = subject_from_row({"id": "q", "name": a, "schema": schema})
    c = subject_from_row({"id": "c", "name": b, "schema": schema})
    return score_pair(q, c).score


def nk_scorer(name: str) -> Scorer:
    from nomenklatura.matching import get_algorithm

    algo = get_algorithm(name)
    assert algo is not None, name
    config = algo.default_config()
    counter = iter(range(10**12))

    def score(schema: str, a: str, b: str) -> float:
        # nomenklatura caches name analysis by entity id: every entity needs a fresh id.
        n = next(counter)
        q = model.make_entity(schema)
        q.id = f"q{n}"
        q.add("name", a)
        r = model.make_entity(schema)
        r.id = f"r{n}"
        r.add("name", b)
        return float(algo.compare(q, r, config).score)

    return score


def prf(preds: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(p and g for p, g in zip(preds, gold, strict=True))
    fp = sum(p and not g for p, g in zip(preds, gold, strict=True))
    fn = sum(g and not p for p, g in zip(preds, gold, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def name_bench(data: Path, scorers: dict[str, Scorer]) -> None:
    path = data / "pairs" / "nomenklatura_name_bench_cases.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[row["case_group"]].append(row)
    curated = [r for r in rows if not r["case_group"].startswith("synth_")]
    print(f"\n## 1. Name bench ({path.name}, {len(rows)} pairs), threshold {DEFAULT_THRESHOLD}")
    print(f"{'group':<24}{'n':>5}  " + "  ".join(f"{n:>22}" for n in scorers))
    print(f"{'':<24}{'':>5}  " + "  ".join(f"{'P    R    F1':>22}" for _ in scorers))
    for group, items in [*sorted(groups.items()), ("ALL curated (non-synth)", curated)]:
        gold = [r["is_match"] == "true" for r in items]
        cells = []
        for scorer in scorers.values():
            preds = [scorer(r["schema"], r["name1"], r["name2"]) >= DEFAULT_THRESHOLD for r in items]
            p, r_, f = prf(preds, gold)
            cells.append(f"{p:.2f} {r_:.2f} {f:.3f}")
        print(f"{group:<24}{len(items):>5}  " + "  ".join(f"{c:>22}" for c in cells))


def cross_script(data: Path, scorers: dict[str, Scorer]) -> None:
    path = data / "pairs" / "watchman_cross_script_pairs.csv"
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(",")
        pairs.append((parts[0], parts[1], parts[3] if len(parts) > 3 else ""))
    print(f"\n## 2. Cross-script pairs ({path.name}, {len(pairs)} positive pairs)")
    for name, scorer in scorers.items():
        scores = [scorer("Person", a, b) for a, b, _ in pairs]
        hits = [s >= DEFAULT_THRESHOLD for s in scores]
        recall = sum(hits) / len(hits)
        print(f"{name:<12} recall {recall:.3f}  F1 {2 * recall / (1 + recall):.3f}")
        if name == "armswatch":
            missed = [f"{a}~{b}" for (a, b, _), h in zip(pairs, hits, strict=True) if not h]
            print(f"{'':<12} missed: {', '.join(missed)}")


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def ofac_fixtures(data: Path, scorers: dict[str, Scorer]) -> None:
    path = data / "pairs" / "nomenklatura_ofac_fixtures.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    print(f"\n## 3. OFAC fixtures ({path.name}, {len(rows)} query/result pairs): Spearman vs OFAC score")
    ofac = [float(r["ofac_score"]) for r in rows]
    for name, scorer in scorers.items():
        scores = [scorer("LegalEntity", r["query_name"], r["result_name"]) for r in rows]
        print(
            f"{name:<12} spearman {spearman(scores, ofac):.3f}  matches>=thr {sum(s >= 0.7 for s in scores)}"
        )


# --- generated Korean / Cyrillic variants -------------------------------------------------------

_KO_SWAPS = (("o", "eo"), ("u", "eu"), ("ch", "j"), ("k", "g"), ("j", "ch"), ("ae", "e"))
_SURNAME_SWAPS = {
    "kim": "Gim",
    "ri": "Lee",
    "pak": "Park",
    "choe": "Choi",
    "jong": "Jeong",
    "ryu": "Yu",
    "o": "Oh",
}
_TO_CYR = (
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"),
    ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"),
    ("e", "е"), ("z", "з"), ("i", "и"), ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
)  # fmt: skip
_RU_SPELL = (("ey", "ei"), ("iy", "ii"), ("kh", "h"), ("ks", "x"), ("y", "j"), ("v", "w"))


def korean_variant(name: str, rng: random.Random) -> str:
    words = name.split()
    surname = _SURNAME_SWAPS.get(words[0].lower(), words[0]) if rng.random() < 0.6 else words[0]
    given = " ".join(words[1:])
    style = rng.choice(["hyphen", "join", "space", "upper"])
    syllables = given.replace("-", " ").split()
    if style == "hyphen":
        given = "-".join(s.capitalize() if i == 0 else s.lower() for i, s in enumerate(syllables))
    elif style == "join":
        given = "".join(syllables).capitalize()
    lower = given.lower()
    old, new = rng.choice(_KO_SWAPS)
    if old in lower and rng.random() < 0.7:
        lower = lower.replace(old, new, 1)
    out = f"{surname} {lower.title() if style != 'hyphen' else lower.capitalize()}"
    return out.upper() if style == "upper" else out


def to_cyrillic(name: str) -> str:
    text = name.lower()
    out = []
    i = 0
    while i < len(text):
        for lat, cyr in _TO_CYR:
            if text.startswith(lat, i):
                out.append(cyr)
                i += len(lat)
                break
        else:
            out.append(text[i])
            i += 1
    return " ".join(w.capitalize() for w in "".join(out).split())


def russian_variant(name: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return to_cyrillic(name)
    lower = name.lower()
    for old, new in rng.sample(_RU_SPELL, 2):
        lower = lower.replace(old, new)
    return lower.title()


def variants(data: Path, scorers: dict[str, Scorer], n: int = 150) -> None:
    rng = random.Random(7)
    un = load_entities(next((data / "un").glob("*.xml")))
    korean, russian = [], []
    for e in un.entities:
        if e.schema.name != "Person":
            continue
        nat = set(e.get("nationality", quiet=True) + e.get("country", quiet=True))
        names = [x for x in e.get("name") if x.isascii() and 2 <= len(x.split()) <= 4]
        if not names:
            continue
        if "kp" in nat:
            korean.append(names[0].title())
        elif "ru" in nat or "ua" in nat:
            russian.append(names[0].title())
    ofac_names = []
    sdn = data / "ofac" / "ofac_sdn_2021-07_sdn.csv"
    if sdn.exists():
        for row in csv.reader(sdn.open(encoding="latin-1")):
            if len(row) > 3 and row[2] == "individual" and "RUSSIA" in row[3] and "," in row[1]:
                fam, giv = row[1].split(",", 1)
                ofac_names.append(f"{giv.strip().split()[0]} {fam.strip()}".title())
    russian = list(dict.fromkeys(russian + ofac_names))
    print(
        f"\n## 4. GENERATED variants: {len(korean)} Korean (UN, nationality kp), {len(russian)} Russian names"
    )
    for label, base, make in (
        ("Korean", korean, korean_variant),
        ("Cyrillic/Russian", russian, russian_variant),
    ):
        sample = rng.sample(base, min(n, len(base)))
        pairs = [(make(x, rng), x) for x in sample]
        print(
            f"{label}: {len(pairs)} pairs, e.g. {pairs[0][0]!r} ~ {pairs[0][1]!r}; {pairs[-1][0]!r} ~ {pairs[-1][1]!r}"
        )
        for name, scorer in scorers.items():
            hits = [scorer("Person", a, b) >= DEFAULT_THRESHOLD for a, b in pairs]
            print(f"  {name:<12} recall {sum(hits) / len(hits):.3f}")
        # Negative control: a different name with the same surname must not match.
        negatives = [
            (a, rng.choice([y for y in sample if y.split()[0] == b.split()[0] and y != b] or [None]))
            for a, b in pairs
        ]
        negatives = [(a, b) for a, b in negatives if b]
        for name, scorer in scorers.items():
            fp = [scorer("Person", a, b) >= DEFAULT_THRESHOLD for a, b in negatives]
            print(
                f"  {name:<12} false-match rate on {len(fp)} same-surname different-person pairs {sum(fp) / max(1, len(fp)):.3f}"
            )


def un_screening(data: Path) -> None:
    un_path = next((data / "un").glob("*.xml"))
    t0 = time.perf_counter()
    snap = load_entities(un_path)
    subjects = subjects_from_entities(snap.entities, snap.dataset)
    t1 = time.perf_counter()
    index = CandidateIndex(subjects)
    t2 = time.perf_counter()
    path = data / "pairs" / "candidate_generation_benchmark_positives_un_untreated.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    queries = [
        subject_from_row(
            {"id": str(i), "name": r["full_name"], "schema": "Person", "birth_date": r["date_of_birth"]}
        )
        for i, r in enumerate(rows)
    ]
    t3 = time.perf_counter()
    found = 0
    cand_lists = []
    for q in queries:
        hits = index.screen(q)
        found += bool(hits)
        cand_lists.append(index.candidates(q))
    t4 = time.perf_counter()
    print(
        f"\n## 5. UN positives ({path.name}, {len(rows)} queries) vs {un_path.name} ({len(subjects)} subjects)"
    )
    print(
        f"load {t1 - t0:.1f}s, index {t2 - t1:.1f}s; armswatch recall@{DEFAULT_THRESHOLD} {found / len(queries):.3f}, "
        f"{len(queries) / (t4 - t3):.0f} queries/s"
    )
    from nomenklatura.matching import get_algorithm

    algo = get_algorithm("logic-v2")
    assert algo is not None
    config = algo.default_config()
    by_id = {e.id: e for e in snap.entities}
    t5 = time.perf_counter()
    nk_found = 0
    for q, cands in zip(queries, cand_lists, strict=True):
        qe = model.make_entity("Person")
        qe.id = f"query-{q.id}"
        qe.add("name", q.names[0])
        if q.birth_dates:
            qe.add("birthDate", q.birth_dates[0])
        best = max((algo.compare(qe, by_id[subjects[c].id], config).score for c in cands), default=0.0)
        nk_found += best >= DEFAULT_THRESHOLD
    t6 = time.perf_counter()
    print(
        f"logic-v2 re-scoring the same candidates: recall {nk_found / len(queries):.3f}, "
        f"{len(queries) / (t6 - t5):.0f} queries/s (scoring only; ratio armswatch/logic-v2 speed "
        f"{(t6 - t5) / (t4 - t3):.1f}x)"
    )


def full_lists_throughput(data: Path) -> None:
    snaps = [load_entities(next((data / "un").glob("*.xml")))]
    for ofac in (
        data / "ofac" / "ofac_sdn_2021-07_sdn.csv",
        data / "ofac" / "ofac_consolidated_nonsdn_2025-12_cons_prim.csv",
    ):
        if ofac.exists():
            snaps.append(load_entities(ofac))
    subjects = [s for snap in snaps for s in subjects_from_entities(snap.entities, snap.dataset)]
    t0 = time.perf_counter()
    index = CandidateIndex(subjects)
    t1 = time.perf_counter()
    rng = random.Random(3)
    queries = []
    sources = rng.sample(subjects, 1000)
    for i, s in enumerate(sources):
        name = rng.choice(s.names) if s.names else "unknown"
        if rng.random() < 0.5:  # a typo
            pos = rng.randrange(len(name))
            name = name[:pos] + name[pos + 1 :]
        queries.append(subject_from_row({"id": str(i), "name": name, "schema": s.schema}))
    t2 = time.perf_counter()
    n_hits = found = 0
    for q, source in zip(queries, sources, strict=True):
        hits = index.screen(q)
        n_hits += len(hits)
        found += any(h.subject.id == source.id for h in hits)
    t3 = time.perf_counter()
    print(
        f"\n## 6. Throughput: {len(queries)} queries (list names, half with a deleted letter) vs UN + OFAC SDN + OFAC consolidated "
        f"({len(subjects)} subjects): index build {t1 - t0:.1f}s, {len(queries) / (t3 - t2):.0f} queries/s, "
        f"{n_hits} hits; the source entity is among the hits for {found / len(queries):.3f} of queries"
    )


_GIVEN = [
    "james",
    "maria",
    "mohammed",
    "ahmad",
    "ali",
    "sergey",
    "olga",
    "ivan",
    "dmitry",
    "vladimir",
    "anna",
    "elena",
    "omar",
    "fatima",
    "hassan",
    "yusuf",
    "li",
    "wei",
    "jun",
    "ming",
]
_FAMILY = [
    "smith",
    "johnson",
    "ivanov",
    "petrov",
    "smirnov",
    "kuznetsov",
    "khan",
    "rahman",
    "hussein",
    "haddad",
    "wang",
    "zhang",
    "chen",
    "liu",
    "garcia",
    "lopez",
    "muller",
    "schmidt",
]
_KO_SUR = [
    "kim",
    "ri",
    "pak",
    "choe",
    "jong",
    "kang",
    "jo",
    "yun",
    "jang",
    "rim",
    "han",
    "o",
    "so",
    "sin",
    "hwang",
    "an",
    "song",
    "ryu",
    "hong",
    "jon",
    "ko",
    "mun",
]
_KO_SYL = [
    "jong",
    "un",
    "il",
    "chol",
    "song",
    "ho",
    "nam",
    "yong",
    "min",
    "su",
    "hyon",
    "gwang",
    "chun",
    "myong",
    "sik",
    "hui",
    "ryong",
    "pyong",
    "hak",
    "dok",
    "chang",
]
_ORG = [
    "trading",
    "shipping",
    "general",
    "industrial",
    "mining",
    "bank",
    "energy",
    "technical",
    "import",
    "export",
    "marine",
    "ocean",
    "star",
]


def synth_entity(i: int, rng: random.Random) -> Subject:
    kind = rng.random()
    if kind < 0.45:
        name = f"{rng.choice(_GIVEN).title()} {rng.choice(_GIVEN).title()} {rng.choice(_FAMILY).title()}{rng.randrange(1000)}"
        schema = "Person"
    elif kind < 0.7:
        name = f"{rng.choice(_KO_SUR).title()} {rng.choice(_KO_SYL).title()}-{rng.choice(_KO_SYL)}{rng.choice('aeiou')}"
        schema = "Person"
    else:
        name = f"{rng.choice(_ORG).title()} {rng.choice(_ORG).title()} {rng.choice(_FAMILY).title()}{rng.randrange(10000)} LLC"
        schema = "Company"
    return Subject(id=f"synth-{i}", schema=schema, names=(name,), caption=name)


def million(n_entities: int = 1_000_000, n_queries: int = 10_000) -> None:
    rng = random.Random(11)
    t0 = time.perf_counter()
    subjects = [synth_entity(i, rng) for i in range(n_entities)]
    t1 = time.perf_counter()
    c1 = time.process_time()
    index = CandidateIndex(subjects)
    t2 = time.perf_counter()
    picks = rng.sample(range(n_entities), n_queries)
    found = 0
    for i in picks:
        s = subjects[i]
        name = s.names[0].upper() if rng.random() < 0.5 else s.names[0].replace("-", " ")
        q = Subject(id=f"q{i}", schema=s.schema, names=(name,))
        found += any(h.subject.id == s.id for h in index.screen(q))
    t3 = time.perf_counter()
    cpu = time.process_time() - c1
    print(
        f"\n## 7. SYNTHETIC {n_entities:,} entities (name parts + numbers), {n_queries:,} queries (case/hyphen variants)"
    )
    print(
        f"generate {t1 - t0:.0f}s, index build {t2 - t1:.0f}s, queries {t3 - t2:.0f}s "
        f"({n_queries / (t3 - t2):.0f} q/s); build+query {t3 - t1:.0f}s (target < 300 s); "
        f"recall of the source entity {found / n_queries:.3f}; process CPU time for build+query {cpu:.0f}s "
        f"(wall time above includes waiting for the shared cores)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/sanctions"))
    parser.add_argument("--million", action="store_true", help="run the 1,000,000-entity synthetic test")
    parser.add_argument("--only", default="", help="comma list of parts to run (1-7)")
    args = parser.parse_args(argv)
    print(f"# armswatch matching benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {machine()} (shared with other jobs: timings are noisy)")
    parts = (
        set(args.only.split(","))
        if args.only
        else {"1", "2", "3", "4", "5", "6"} | ({"7"} if args.million else set())
    )
    if not args.data.exists():
        print(f"data folder {args.data} is absent: parts 1-6 skipped")
        parts &= {"7"}
    scorers: dict[str, Scorer] = {
        "armswatch": ours,
        "logic-v1": nk_scorer("logic-v1"),
        "logic-v2": nk_scorer("logic-v2"),
    }
    steps: dict[str, Callable[[], None]] = {
        "1": lambda: name_bench(args.data, scorers),
        "2": lambda: cross_script(args.data, scorers),
        "3": lambda: ofac_fixtures(args.data, scorers),
        "4": lambda: variants(args.data, scorers),
        "5": lambda: un_screening(args.data),
        "6": lambda: full_lists_throughput(args.data),
        "7": million,
    }
    for key in sorted(parts):
        steps[key]()
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
