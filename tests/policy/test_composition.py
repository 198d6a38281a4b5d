"""Composition of measures on the same cell: wedges compound, only ban/lift/set overwrite.

The library regression (the US controls and China's preferences on the US-to-China chip
flow compound in `trade-war-and-industrial-policy`) is in test_library_record.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ScenarioError
from tradewar.policy import load_scenario_text, translate
from tradewar.world.synthetic import synthetic_world

HEAD = "title: T test\ndescription: test scenario\n"

LICENCE = """\
  - type: export_control
    mode: licence
    imposer: R000
    target: R001
    sectors: [S001]
    magnitude: {{unit: percent, value: {value}}}
    years: 2026-2030
    assumption: licence
"""
COST = """\
  - type: trade_cost
    flow: imports
    imposer: R001
    target: all
    sectors: all
    magnitude: {{unit: percent, value: {value}}}
    years: 2026-2030
    assumption: procurement preference
"""
PROD = """\
  - type: productivity
    region: R002
    sectors: [S000]
    magnitude: {{unit: percent, value: {value}}}
    years: 2026-2030
    assumption: programme
"""
LIFT = """\
  - type: export_control
    mode: lift
    imposer: R000
    target: R001
    sectors: [S001]
    years: 2026-2030
    assumption: lift
"""
CELL = {"origin": "R000", "region": "R001", "product": "S001"}


def composed(*measures: str):
    """A scenario whose measures apply in the order given (a printed-back composition)."""
    return load_scenario_text(HEAD + "composed_from: [test]\nmeasures:\n" + "".join(measures))


def test_a_later_trade_cost_does_not_cancel_a_licence(small_world) -> None:
    pol = translate(composed(LICENCE.format(value=40), COST.format(value=10)), small_world, [2026])[2026]
    assert float(pol.trade_cost.sel(CELL)) == pytest.approx(1.4 * 1.1)
    # the procurement preference alone on the other exporters
    assert float(pol.trade_cost.sel(origin="R002", region="R001", product="S001")) == pytest.approx(1.1)


def test_lift_removes_the_control_only(small_world) -> None:
    sc = composed(LICENCE.format(value=40), COST.format(value=10), LIFT)
    pol = translate(sc, small_world, [2026])[2026]
    assert float(pol.trade_cost.sel(CELL)) == pytest.approx(1.1)


def test_ban_overwrites_and_survives_a_later_wedge(small_world) -> None:
    ban = LICENCE.replace("mode: licence", "mode: ban").replace(
        "    magnitude: {{unit: percent, value: {value}}}\n", ""
    )
    pol = translate(composed(LICENCE.format(value=40), ban, COST.format(value=10)), small_world, [2026])
    assert np.isinf(float(pol[2026].trade_cost.sel(CELL)))


def test_two_licences_and_two_programmes_compound(small_world) -> None:
    sc = composed(
        LICENCE.format(value=40), LICENCE.format(value=20), PROD.format(value=5), PROD.format(value=3)
    )
    pol = translate(sc, small_world, [2026])[2026]
    assert float(pol.trade_cost.sel(CELL)) == pytest.approx(1.4 * 1.2)
    assert float(pol.productivity.sel(region="R002", sector="S000")) == pytest.approx(1.05 * 1.03)


def test_compounding_wedges_may_overlap_within_one_file_overwrites_may_not() -> None:
    load_scenario_text(HEAD + "measures:\n" + LICENCE.format(value=40) + COST.format(value=10))
    ban = LICENCE.replace("mode: licence", "mode: ban").replace(
        "    magnitude: {{unit: percent, value: {value}}}\n", ""
    )
    with pytest.raises(ScenarioError, match="overlap"):
        load_scenario_text(HEAD + "measures:\n" + ban + COST.format(value=10))


WEDGES = {"licence": LICENCE, "cost": COST, "productivity": PROD}


@settings(max_examples=30, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(sorted(WEDGES)), min_size=2, max_size=2),
    values=st.lists(st.floats(0, 300, allow_nan=False), min_size=2, max_size=2),
)
def test_the_order_of_two_multiplicative_wedges_does_not_matter(kinds, values) -> None:
    world = synthetic_world(4, 3, seed=1)
    a, b = (WEDGES[k].format(value=repr(v)) for k, v in zip(kinds, values, strict=True))
    ab = translate(composed(a, b), world, [2026])[2026]
    ba = translate(composed(b, a), world, [2026])[2026]
    for arr in ("tariff", "trade_cost", "productivity"):
        np.testing.assert_allclose(getattr(ab, arr).values, getattr(ba, arr).values, rtol=1e-14)
