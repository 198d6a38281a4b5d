"""CP2015 World reader: the World carries the authors' model arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tradewar.errors import DataError
from tradewar.model import Baseline
from tradewar.world.readers.cp2015 import (
    CP2015_REGIONS,
    cp2015_deficit_base_year,
    cp2015_raw_arrays,
    read_cp2015,
)


@pytest.fixture(scope="module")
def world(shared_data: Path):
    return read_cp2015(shared_data)


def test_shape_codes_units(world) -> None:
    assert world.shape == (31, 40)
    assert world.regions[:3] == ["ARG", "AUS", "AUT"] and world.regions[-1] == "ROW"
    assert world.meta.unit == "USD million" and world.meta.year == 1993
    assert world.meta.sector_names["agri"] == "Agriculture"
    assert world.meta.region_names["ROW"] == "Rest of world"
    assert "2005" in world.tariff_layers
    assert float(world.theta.sel(product="auto")) == pytest.approx(8.22)
    assert float(world.theta.sel(product="health")) == pytest.approx(8.22)


def test_model_arrays_equal_the_authors(world, shared_data: Path) -> None:
    """Baseline.from_world(read_cp2015) against converted/cp2015_model_arrays.npz."""
    b = Baseline.from_world(world)
    with np.load(shared_data / "cp2015_nafta" / "converted" / "cp2015_model_arrays.npz") as d:
        np.testing.assert_allclose(b.pi, d["pi_nij"], atol=1e-12)
        np.testing.assert_allclose(b.alpha, d["alpha_nj"], atol=1e-12)
        np.testing.assert_allclose(b.tau - 1.0, d["tau_nij"], atol=1e-15)
        np.testing.assert_allclose(b.theta, d["theta_j"], rtol=1e-12)
        np.testing.assert_allclose(b.wL * 1e6, d["wL_n"], rtol=1e-12)
        np.testing.assert_allclose(b.gamma_va, d["gamma_nj"], atol=4e-7)
        diff = np.abs(b.gamma_io - d["gamma_nkj"])
        # one negative coefficient (CAN, other -> basic metals) is clipped, the column rescaled
        assert diff.max() == pytest.approx(5.717e-4, rel=1e-3)
        can, basic = CP2015_REGIONS.index("CAN"), world.sectors.index("basic_metals")
        mask = np.ones_like(diff, dtype=bool)
        mask[can, :, basic] = False
        assert diff[mask].max() < 1e-12
        tl = world.tariff_layers["2005"].transpose("region", "origin", "product").values
        cfl = d["tau_nij_cfl"]
    nafta = [CP2015_REGIONS.index(c) for c in ("CAN", "MEX", "USA")]
    np.testing.assert_allclose(tl[np.ix_(nafta, nafta)], cfl[np.ix_(nafta, nafta)], atol=1e-15)


def test_accounts_balance_and_deficits(world, shared_data: Path) -> None:
    np.testing.assert_allclose(world.output_by_use, world.output_by_cost, rtol=1e-9)
    assert abs(float(world.deficit.sum())) < 1e-6
    raw = cp2015_raw_arrays(shared_data)
    # implied deficits are close to the raw ones: same sign for the big three
    for c in ("USA", "MEX", "CAN"):
        i = CP2015_REGIONS.index(c)
        assert np.sign(world.deficit.values[i]) == np.sign(-raw["S"][i])


def test_deficit_calibration_matches_authors_base_year(shared_data: Path) -> None:
    w = read_cp2015(shared_data, calibration="deficits")
    ref = cp2015_deficit_base_year(shared_data)
    np.testing.assert_allclose(w.deficit.values, ref["D"] * 1e-6, atol=10.0)  # USD million
    b = Baseline.from_world(w)
    np.testing.assert_allclose(b.pi, ref["pi"], atol=1e-12)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_cp2015(tmp_path)
    with pytest.raises(DataError, match="calibration"):
        read_cp2015(tmp_path, calibration="other")  # type: ignore[arg-type]
