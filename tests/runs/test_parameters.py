"""Uncertain numbers as data: the scenario schema, the theta priors, the distributions."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradewar.errors import ScenarioError
from tradewar.policy import load_scenario_text
from tradewar.runs.parameters import (
    Parameter,
    draw_parameters,
    named_parameter,
    theta_parameters,
    theta_priors,
    with_values,
)
from tradewar.world.synthetic import synthetic_world

MEASURE = """
title: test scenario
description: uncertain licence
measures:
  - name: m
    type: export_control
    mode: licence
    imposer: R000
    target: R001
    sectors: all
    magnitude: {MAG}
    years: 2026-2028
    assumption: test
"""


def _load(mag: str):
    return load_scenario_text(MEASURE.replace("{MAG}", mag))


@pytest.mark.parametrize(
    ("mag", "message"),
    [
        ("{unit: percent, value: 60, range: [70, 90]}", "does not contain the value 60"),
        ("{unit: percent, value: 60, range: [90, 30]}", "low < high"),
        ("{unit: percent, value: 60, distribution: {kind: uniform}}", "needs a `range`"),
        ("{unit: percent, value: 60, range: [30, 90], distribution: {kind: normal}}", "takes `sd`"),
        ("{unit: percent, value: 60, range: [30, 90], distribution: {kind: uniform, sd: 3}}", "no `sd`"),
        ("{unit: percent, value: 60, range: [-10, 90]}", "cannot be negative"),
        ("{unit: percent, values: {2026: 10, 2028: 0}, range: [0, 5]}", "last number, which is 0"),
        ("{unit: percent, value: 60, range: [30, 90], distribution: {kind: beta}}", "not allowed"),
        ("{unit: percent, value: 60, range: [30, 90], distribution: {kind: normal, sdd: 3}}", "'sd'"),
    ],
)
def test_invalid_ranges_are_rejected_with_the_field(mag: str, message: str) -> None:
    with pytest.raises(ScenarioError, match="magnitude") as err:
        _load(mag)
    assert message in str(err.value)


def test_a_range_describes_the_last_number_of_a_phase_in_and_scales_the_path() -> None:
    sc = _load("{unit: percent, values: {2026: 60, 2028: 80}, range: [40, 120]}")
    mag = sc.measures[0].measure.magnitude
    assert mag.reference() == 80
    scaled = mag.scaled_to(120.0)
    assert scaled.values == {2026: 90.0, 2028: 120.0}
    assert scaled.range is None
    [p] = [p for p in draw_parameters(sc, synthetic_world(2, 2, seed=0), theta=False)]
    assert (p.name, p.low, p.central, p.high, p.shape) == ("m.magnitude", 40, 80, 120, "uniform")


def test_parameters_from_a_scenario_keep_their_sources(uncertain_scenario, draw_world) -> None:
    params = {p.name: p for p in draw_parameters(uncertain_scenario, draw_world)}
    assert {"tariff-r0.magnitude", "licence-r1.magnitude", "programme.rate_of_return", "sigma"} <= set(params)
    assert "retaliation.magnitude" not in params  # no range: not drawn ...
    assert (
        named_parameter("retaliation.magnitude", uncertain_scenario, draw_world).central == 10
    )  # ... but settable
    assert params["licence-r1.magnitude"].shape == "normal" and params["licence-r1.magnitude"].spread == 10
    assert params["sigma"].shape == "triangular"
    assert all(p.source for p in params.values())


def test_unknown_parameter_names_suggest_the_existing_ones(uncertain_scenario, draw_world) -> None:
    with pytest.raises(ScenarioError, match=r"did you mean 'tariff-r0\.magnitude'"):
        named_parameter("tarif-r0.magnitude", uncertain_scenario, draw_world)


def test_with_values_returns_a_new_scenario_and_leaves_the_input_alone(
    uncertain_scenario, draw_world
) -> None:
    params = draw_parameters(uncertain_scenario, draw_world, theta=False)
    new = with_values(uncertain_scenario, params, [p.high for p in params])
    assert new is not uncertain_scenario
    assert uncertain_scenario.measures[0].measure.magnitude.value == 20
    assert new.measures[0].measure.magnitude.value == 40
    assert new.production[0].value == 0.9
    assert new.measures[2].measure.funding.rate_of_return == 0.3


def test_theta_priors_are_caliendo_parro_table_1_as_printed(shared_data) -> None:
    """The typed estimates equal the replication package's 99 % sample to two decimals.

    Caliendo and Parro (2015), Table 1: the coefficient on tariffs is -theta.
    """
    path = shared_data / "cp2015_nafta" / "elasticities" / "sectoral_results.csv"
    rows = list(csv.DictReader(path.open()))
    est = theta_priors()["estimates"]
    assert len(est) == len(rows) == 20
    for (_, theta, se), row in zip(est.values(), rows, strict=True):
        assert theta == pytest.approx(-float(row["c_99"]), abs=0.005)
        assert se == pytest.approx(float(row["se_99"]), abs=0.005)


def test_every_default_world_label_has_a_mapping_or_a_stated_assumption() -> None:
    pri = theta_priors()
    old = ["AGR", "ENE", "CRM", "CHM", "MAC", "SEM", "SME", "ELE", "VEH", "MAN"]
    new = ["AGR", "ENE", "REE", "CRM", "CHM", "MAC", "SEMA", "SEMM", "SME", "ELE", "VEH", "MAN"]
    for code in {*old, *new}:
        assert pri["mapping"][code] in pri["estimates"]
    assert pri["no_estimate"]["assumption"].strip()


def test_theta_takes_the_mapped_standard_error_or_the_stated_assumption() -> None:
    from tradewar.world.load import load_world

    world = load_world("default")
    params = {p.name: p for p in theta_parameters(world)}
    assert list(params) == [f"theta.{s}" for s in world.sectors]
    chips = params["theta.SEMA" if "SEMA" in world.sectors else "theta.SEM"]
    assert chips.spread == 1.77 and "Communication" in chips.source  # CP Table 1, ISIC 32
    assert params["theta.SRV"].spread == 1.9 and params["theta.SRV"].source.startswith("assumption")
    for p, c in zip(params.values(), world.theta.values, strict=True):
        assert p.central == c and p.low == max(1.0, c - 2 * p.spread) and p.high == c + 2 * p.spread


@given(
    st.sampled_from(["uniform", "triangular", "normal", "lognormal"]),
    st.floats(0.5, 5.0),
    st.floats(0.1, 4.0),
    st.floats(0.1, 4.0),
)
def test_ppf_stays_on_the_support_and_is_monotone(shape: str, c: float, below: float, above: float) -> None:
    lo, hi = max(c - below, 0.05), c + above
    spread = None if shape in ("uniform", "triangular") else 0.7
    p = Parameter(name="x", kind="magnitude", central=c, low=lo, high=hi, shape=shape, spread=spread)
    u = np.linspace(1e-9, 1 - 1e-9, 101)
    x = p.ppf(u)
    assert np.all(np.isfinite(x))
    assert x.min() >= lo - 1e-9 and x.max() <= hi + 1e-9
    assert np.all(np.diff(x) >= -1e-12)


def test_ppf_centres_symmetric_distributions_on_the_value() -> None:
    for shape, spread in (("normal", 1.0), ("triangular", None), ("uniform", None)):
        p = Parameter(name="x", kind="magnitude", central=5.0, low=3.0, high=7.0, shape=shape, spread=spread)
        assert float(p.ppf(np.array([0.5]))[0]) == pytest.approx(5.0)
    p = Parameter(name="x", kind="magnitude", central=2.0, low=1.0, high=4.0, shape="lognormal", spread=0.5)
    assert float(p.ppf(np.array([0.5]))[0]) == pytest.approx(2.0)  # median, symmetric in logs
