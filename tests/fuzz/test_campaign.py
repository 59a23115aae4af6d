"""The campaign runner itself (scripts/fuzz.py): a small deterministic campaign finds no crash in the
entity and site readers, and every reader of the project is in it."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
MINE = ("un-xml", "ofac-csv", "ftm-json", "entity-csv", "sites-geojson", "sites-csv", "sites-kml", "sites-kmz",
        "sites-spreadsheet")  # fmt: skip


@pytest.fixture(scope="module")
def fuzz() -> ModuleType:
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("armswatch_fuzz_script", SCRIPTS / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_reader_is_in_the_campaign(fuzz: ModuleType) -> None:
    names = {r.name for r in fuzz.readers()}
    assert set(MINE) <= names
    assert {"ais-nmea", "ais-aisstream", "ais-marinecadastre", "ais-dma", "ais-csv", "ais-parquet"} <= names


def test_mutation_is_deterministic_and_bounded(fuzz: ModuleType) -> None:
    seed = b"a,b\n1,2\n"
    one = [fuzz.mutate(seed, random.Random(3), (b"[" * 1500,), [seed]) for _ in range(5)]
    two = [fuzz.mutate(seed, random.Random(3), (b"[" * 1500,), [seed]) for _ in range(5)]
    assert one == two and all(len(m) <= fuzz.MAX_INPUT for m in one)


@pytest.mark.parametrize("reader", MINE)
def test_small_campaign_finds_no_crash(fuzz: ModuleType, reader: str, tmp_path: Path) -> None:
    result = fuzz.fuzz_reader(reader, 120.0, 40, 9, str(tmp_path), 60.0)
    assert result.inputs == 40
    assert result.outcomes["CRASH"] == 0, result.crashes
