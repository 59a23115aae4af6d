from __future__ import annotations

import pytest

from armswatch.errors import InputError
from armswatch.imagery import band


def test_sentinel2_names() -> None:
    names = ["B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12"]
    roles = band.resolve(names)
    assert roles == {"blue": 1, "green": 2, "red": 3, "nir": 7, "swir1": 11, "swir2": 12}


def test_sentinel2_band_count_without_names() -> None:
    assert band.resolve([None] * 12)["red"] == 3  # L2A order, no B10
    assert band.resolve([None] * 13)["swir1"] == 11  # L1C order


def test_landsat_oli_and_tm_names() -> None:
    oli = band.resolve(["SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7"])
    assert (oli["blue"], oli["red"], oli["nir"]) == (1, 3, 4)
    tm = band.resolve(["ETM B1", "ETM B2", "ETM B3", "ETM B4", "ETM B5", "ETM B7"])
    assert (tm["blue"], tm["red"], tm["swir2"]) == (0, 2, 5)


def test_wavelengths_assign_roles() -> None:
    roles = band.resolve([None] * 6, [0.4825, 0.565, 0.66, 0.825, 1.65, 2.22])
    assert roles == {"blue": 0, "green": 1, "red": 2, "nir": 3, "swir1": 4, "swir2": 5}


def test_colour_words_and_defaults() -> None:
    assert band.resolve(["Blue", "Green", "Red"]) == {"blue": 0, "green": 1, "red": 2}
    assert band.resolve([None, None, None, None]) == {"red": 0, "green": 1, "blue": 2, "nir": 3}
    assert band.resolve([None]) == {}


def test_bands_option_forms() -> None:
    assert band.resolve([None] * 5, bands_option="-,blue,green,red,nir") == {
        "blue": 1, "green": 2, "red": 3, "nir": 4,
    }  # fmt: skip
    assert band.resolve([None] * 5, bands_option="red=4,green=3,blue=2") == {"red": 3, "green": 2, "blue": 1}


@pytest.mark.parametrize("option", ["red=9", "purple", "red=x"])
def test_bad_bands_option(option: str) -> None:
    with pytest.raises(InputError):
        band.resolve([None] * 5, bands_option=option)


def test_unknown_many_bands_needs_option() -> None:
    with pytest.raises(InputError, match="--bands"):
        band.resolve([None] * 7)
