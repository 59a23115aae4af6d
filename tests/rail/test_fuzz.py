"""Fuzz targets of the rail and vessel-record CSV readers (scripts/fuzz.py): a small deterministic
campaign finds no crash (every input is parsed or is one InputError)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
MINE = ("rail-csv", "vessel-records-csv")


@pytest.fixture(scope="module")
def fuzz() -> ModuleType:
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("armswatch_fuzz_script_rail", SCRIPTS / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_readers_are_in_the_campaign(fuzz: ModuleType) -> None:
    assert set(MINE) <= {r.name for r in fuzz.readers()}


@pytest.mark.parametrize("reader", MINE)
def test_small_campaign_finds_no_crash(fuzz: ModuleType, reader: str, tmp_path: Path) -> None:
    result = fuzz.fuzz_reader(reader, 120.0, 300, 11, str(tmp_path), 60.0)
    assert result.inputs == 300
    assert result.outcomes["CRASH"] == 0, result.crashes
    assert result.outcomes["ok"] + result.outcomes["bad"] > 0  # some inputs still parse
