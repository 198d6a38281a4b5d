"""One colour and order per region in every chart; colour scales that show the range (issue 10)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradewar.report.html import _change_heatmap
from tradewar.report.palette import (
    PALETTE,
    REGION_COLOURS,
    diverging_scale,
    region_colours,
    region_order,
)

NEW_DEFAULT = [
    "USA",
    "CHN",
    "EU",
    "NLD",
    "JPN",
    "KOR",
    "TWN",
    "IND",
    "VNM",
    "ASEAN",
    "MEX",
    "CAN",
    "AUS",
    "ROW",
]
OLD_DEFAULT = ["USA", "CHN", "EU", "JPN", "KOR", "TWN", "IND", "ASEAN", "ROW"]


def test_known_regions_keep_their_colour_in_every_world() -> None:
    for regions in (NEW_DEFAULT, OLD_DEFAULT, ["CHN", "USA"], ["R1", "USA", "R2", "CHN"]):
        colours = region_colours(regions)
        assert colours["USA"] == REGION_COLOURS["USA"] and colours["CHN"] == REGION_COLOURS["CHN"]
    ossa = region_colours(["Brazil", "China", "EU", "India", "Japan", "ROW", "US"])
    assert ossa["US"] == REGION_COLOURS["USA"] and ossa["China"] == REGION_COLOURS["CHN"]


def test_the_new_default_world_has_fourteen_distinct_colours() -> None:
    colours = region_colours(NEW_DEFAULT)
    assert len(set(colours.values())) == len(NEW_DEFAULT)


@given(st.lists(st.from_regex(r"R[0-9]{2}", fullmatch=True), min_size=1, max_size=40, unique=True))
def test_colours_are_a_function_of_the_world_and_distinct_up_to_the_palette(regions: list[str]) -> None:
    colours = region_colours(regions)
    assert list(colours) == region_order(regions) == regions
    assert colours == region_colours(list(regions))  # deterministic
    assert len(set(colours.values())) == min(len(regions), len(PALETTE))


def test_full_range_when_nothing_dominates() -> None:
    z = np.array([[-3.0, 1.0], [2.0, 4.0]])
    scale = diverging_scale(z)
    assert scale.limit == 4.0 and scale.n_clipped == 0 and scale.note() == ""


def test_an_outlier_is_clipped_and_flagged() -> None:
    """A -95 % collapse among changes of a few percent: the scale clips, the cell is flagged."""
    rng = np.random.default_rng(0)
    z = rng.uniform(-15, 15, size=(9, 9))
    z[1, 0] = -95.0
    scale = diverging_scale(z)
    assert scale.limit < 95 and scale.clipped[1, 0] and scale.n_clipped >= 1
    assert np.all(np.abs(z[~scale.clipped]) <= scale.limit)
    assert "clipped at" in scale.note() and "95" in scale.note()


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60))
def test_every_unclipped_cell_is_inside_the_scale(values: list[float]) -> None:
    z = np.array(values)
    scale = diverging_scale(z)
    assert scale.limit > 0
    assert np.all(np.abs(z[~scale.clipped]) <= scale.limit * (1 + 1e-12))
    if not scale.n_clipped:
        assert scale.limit == pytest.approx(np.abs(z).max()) or np.abs(z).max() == 0


def test_heatmap_prints_clipped_values_and_says_so() -> None:
    regions = ["USA", "CHN", "EU", "JPN", "KOR", "TWN"]
    values = np.linspace(-6.0, 6.0, 36).reshape(6, 6)
    values[0, 1] = -95.0
    z = pd.DataFrame(values, index=regions, columns=regions)
    fig, note = _change_heatmap(z, "test heatmap", "%{z}")
    trace = fig.data[0]
    assert trace.zmax < 95 and trace.zmin == -trace.zmax
    assert trace.text[0][1] == "-95%" and trace.text[1][0] == ""
    assert trace.colorbar.ticktext[0].startswith("≤") and "clipped" in trace.colorbar.title.text
    assert re.search(r"clipped at ±\S+ %: 1 cell", note)
    assert fig.layout.yaxis.autorange == "reversed"  # first region on top, as in the tables


def test_heatmap_without_outliers_shows_the_full_range() -> None:
    z = pd.DataFrame([[0.0, -9.0], [8.0, 0.0]], index=["A", "B"], columns=["A", "B"])
    fig, note = _change_heatmap(z, "test heatmap", "%{z}")
    assert fig.data[0].zmax == 9.0 and note == ""
    assert not any(t for row in fig.data[0].text for t in row)
