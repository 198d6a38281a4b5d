"""Hindcast of the 2018-2019 US-China tariff rounds (informational figures, checked for sanity)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.stats
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.model.hindcast import (
    NAICS3_TO_CP2015,
    available,
    hindcast_world,
    run_hindcast,
    weighted_pearson,
    weighted_spearman,
)


def test_weighted_correlations_reduce_to_scipy_with_equal_weights() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=20), rng.normal(size=20)
    assert weighted_pearson(x, y) == pytest.approx(scipy.stats.pearsonr(x, y)[0], rel=1e-12)
    assert weighted_spearman(x, y) == pytest.approx(scipy.stats.spearmanr(x, y)[0], rel=1e-12)
    # integer weights = repeating observations
    w = rng.integers(1, 4, size=20)
    xr, yr = np.repeat(x, w), np.repeat(y, w)
    assert weighted_pearson(x, y, w) == pytest.approx(scipy.stats.pearsonr(xr, yr)[0], rel=1e-10)


@pytest.fixture(scope="module")
def hindcast(shared_data: Path):
    if not available(shared_data):
        pytest.skip("hindcast data not found")
    return run_hindcast(shared_data)


def test_hindcast_world_reproduces_the_observed_2017_trade(shared_data: Path, hindcast) -> None:
    world, observed, _ = hindcast_world(shared_data)
    codes = list(observed.index)
    assert codes == [c for c in NAICS3_TO_CP2015 if c in codes] and len(codes) == 27
    m = world.trade.sel(origin="CHN", region="USA", product=codes).values
    np.testing.assert_allclose(m, observed["imports_2017"].to_numpy(), rtol=1e-12)
    # US imports from China in 2017, US Census via the tracker: USD 497.6 bn in these 27 industries
    assert float(m.sum()) / 1e3 == pytest.approx(497.1, abs=0.5)
    gdp = world.value_added.sum("sector").sel(region="USA").item()
    assert gdp == pytest.approx(19_485e3, rel=1e-9)


def test_hindcast_reports_finite_figures(hindcast) -> None:
    for v in hindcast.correlations.values():
        assert -1.0 <= v <= 1.0
    a = hindcast.aggregate
    assert a["us_tariff_2019"] > a["us_tariff_2017"] + 5  # the rounds raised US tariffs by ~13 points
    assert a["cn_tariff_2019"] > a["cn_tariff_2017"] + 5
    assert a["model_pct"] < 0 and a["observed_pct"] < 0  # both fall
    assert np.isfinite(hindcast.sectors[["model_pct", "observed_pct"]].to_numpy()).all()
    # higher tariff increases predict larger falls
    d_tau = np.log1p(hindcast.sectors["us_tariff_2019"] / 100) - np.log1p(
        hindcast.sectors["us_tariff_2017"] / 100
    )
    assert scipy.stats.spearmanr(d_tau * hindcast.sectors["theta"], hindcast.sectors["model_pct"])[0] < -0.8


def test_validate_prints_the_hindcast(shared_data: Path, hindcast) -> None:
    res = CliRunner().invoke(app, ["validate", "--case", "hindcast", "--data", str(shared_data)])
    assert res.exit_code == 0, res.output
    assert "hindcast" in res.output and "Spearman" in res.output
    assert f"{hindcast.aggregate['model_pct']:+.1f}" in res.output


def test_validate_skips_the_hindcast_without_data(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["validate", "--case", "hindcast", "--data", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "hindcast skipped" in res.output
