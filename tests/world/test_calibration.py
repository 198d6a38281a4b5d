"""Calibration targets and table: hand-computed values on a 2x3 world, errors, a property."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tradewar.errors import DataError, UnknownCodeError
from tradewar.world.calibration import COLUMNS, LABELS, SHARE_KINDS, Target, calibration_table, world_value
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World, WorldMeta

REGIONS = ["USA", "CHN"]
SECTORS = ["AGR", "MAN", "SRV"]
UNIT = "USD million"


@pytest.fixture(scope="module")
def hand_world() -> World:
    """Two regions, three sectors, no tariffs; every number below is computed by hand.

    Deliveries T[origin, product, region] (Z summed over using sectors + F):
    USA AGR -> USA 10, -> CHN 3 + 2 (CHN MAN's input) = 5; USA MAN -> USA 20, -> CHN 4;
    USA SRV -> USA 50 + 1 (USA MAN's input) = 51, -> CHN 1; CHN AGR -> USA 1, -> CHN 30;
    CHN MAN -> USA 8 + 5 (USA MAN's input) = 13, -> CHN 40; CHN SRV -> USA 0.5, -> CHN 20.
    """
    r, s = {c: k for k, c in enumerate(REGIONS)}, {c: k for k, c in enumerate(SECTORS)}
    Z = np.zeros((2, 3, 2, 3))
    Z[r["USA"], s["AGR"], r["CHN"], s["MAN"]] = 2.0
    Z[r["CHN"], s["MAN"], r["USA"], s["MAN"]] = 5.0
    Z[r["USA"], s["SRV"], r["USA"], s["MAN"]] = 1.0
    F = np.zeros((2, 3, 2))
    F[0] = [[10.0, 3.0], [20.0, 4.0], [50.0, 1.0]]
    F[1] = [[1.0, 30.0], [8.0, 40.0], [0.5, 20.0]]
    x = Z.sum(axis=(2, 3)) + F.sum(axis=2)
    va = x - Z.sum(axis=(0, 1))
    return World.from_arrays(
        regions=REGIONS,
        sectors=SECTORS,
        intermediate=Z,
        final_demand=F,
        value_added=va,
        tariff=None,
        theta=np.full(3, 5.0),
        meta=WorldMeta(name="hand", source="test", unit=UNIT),
    )


def target(kind: str, observed: float = 1.0, unit: str | None = None, **labels: str) -> Target:
    return Target(
        key=f"{kind}:{'>'.join(labels.values())}",
        kind=kind,  # type: ignore[arg-type]
        labels=labels,
        observed=observed,
        unit=unit or ("fraction" if kind in SHARE_KINDS else UNIT),
        source="test",
        tolerance=0.05,
    )


HAND = [
    (target("bilateral_goods", origin="USA", region="CHN"), 9.0),
    (target("bilateral_goods", origin="CHN", region="USA"), 14.0),
    (target("bilateral_goods", origin="USA", region="USA"), 30.0),
    (target("bilateral_services", origin="USA", region="CHN"), 1.0),
    (target("bilateral_services", origin="CHN", region="USA"), 0.5),
    (target("bilateral_sector", origin="CHN", region="USA", product="MAN"), 13.0),
    (target("gdp", region="USA"), 15.0 + 18.0 + 52.0),
    (target("gdp", region="CHN"), 31.0 + 51.0 + 20.5),
    (target("exports_goods", region="USA"), 9.0),
    (target("imports_goods", region="USA"), 14.0),
    (target("goods_balance", region="USA", observed=-5.0), -5.0),
    (target("goods_balance", region="CHN"), 5.0),
    (target("output_share", region="CHN", sector="MAN"), 53.0 / 77.0),
    (target("self_sufficiency", region="USA", product="MAN"), 24.0 / 33.0),
    (target("self_sufficiency", region="CHN", sector="AGR"), 31.0 / 35.0),
    # net of MAN's deliveries to MAN (CHN MAN -> USA MAN 5): USA sells none of them, buys 5
    (target("self_sufficiency_net", region="USA", product="MAN"), 24.0 / (33.0 - 5.0)),
    (target("self_sufficiency_net", region="CHN", product="MAN"), (53.0 - 5.0) / 44.0),
    # no AGR is delivered to AGR: the net and gross measures agree
    (target("self_sufficiency_net", region="CHN", sector="AGR"), 31.0 / 35.0),
    (target("input_cost_share", input="MAN", sector="MAN", region="USA"), 5.0 / 24.0),
    (target("input_cost_share", input="MAN", sector="MAN"), 5.0 / 77.0),
    (target("input_cost_share", input="AGR", sector="MAN"), 2.0 / 77.0),
    (target("world_output", sector="MAN"), 77.0),
]


@pytest.mark.parametrize(("tgt", "expected"), HAND, ids=[t.key for t, _ in HAND])
def test_world_value_by_hand(hand_world: World, tgt: Target, expected: float) -> None:
    assert world_value(hand_world, tgt, services=("SRV",)) == pytest.approx(expected, rel=1e-12)


def test_every_kind_is_covered_by_hand() -> None:
    assert {t.kind for t, _ in HAND} == set(LABELS)


def test_default_services_are_dig_and_srv(hand_world: World) -> None:
    # SRV is a default service sector, so the default and services=("SRV",) agree
    t = target("bilateral_goods", origin="USA", region="CHN")
    assert world_value(hand_world, t) == world_value(hand_world, t, services=("SRV",))
    # with no services every sector counts as goods
    assert world_value(hand_world, t, services=()) == pytest.approx(10.0)


def test_table_columns_errors_and_within(hand_world: World) -> None:
    targets = [
        target("bilateral_goods", observed=10.0, origin="USA", region="CHN"),  # -10 %: outside 5 %
        target("gdp", observed=84.0, region="USA"),  # +1.19 %: inside
        Target(
            key="share",
            kind="output_share",
            labels={"region": "CHN", "sector": "MAN"},
            observed=0.66,
            unit="fraction",
            source="test",
            tolerance=0.03,
            relative=False,
        ),  # 0.6883 - 0.66 = 0.0283 < 0.03 points
        Target(
            key="zero",
            kind="bilateral_sector",
            labels={"origin": "CHN", "region": "USA", "product": "SRV"},
            observed=0.0,
            unit=UNIT,
            source="test",
            tolerance=0.1,
            relative=False,
        ),  # 0.5 > 0.1
    ]
    table = calibration_table(hand_world, targets, services=("SRV",))
    assert tuple(table.columns) == COLUMNS
    assert table["error"].tolist() == pytest.approx([-1.0, 1.0, 53.0 / 77.0 - 0.66, 0.5])
    assert table["error_pct"].iloc[:3].tolist() == pytest.approx(
        [-10.0, 100.0 / 84.0, 100.0 * (53.0 / 77.0 - 0.66) / 0.66]
    )
    assert table["error_pct"].iloc[3] == np.inf
    assert table["within"].tolist() == [False, True, True, False]
    assert table["what"].iloc[0] == "goods USA -> CHN"
    assert table["source"].unique().tolist() == ["test"]


def test_unknown_label_names_the_target(hand_world: World) -> None:
    t = Target(
        key="goods:USA>XXX",
        kind="bilateral_goods",
        labels={"origin": "USA", "region": "XXX"},
        observed=1.0,
        unit=UNIT,
        source="s",
        tolerance=0.1,
    )
    with pytest.raises(UnknownCodeError, match=r"goods:USA>XXX") as err:
        calibration_table(hand_world, [t])
    assert "labels.region" in str(err.value)
    bad_sector = target("world_output", sector="SEM")
    with pytest.raises(UnknownCodeError, match="world_output:SEM"):
        world_value(hand_world, bad_sector)


def test_unit_mismatch_and_duplicate_keys(hand_world: World) -> None:
    with pytest.raises(DataError, match="USD billion"):
        world_value(hand_world, target("gdp", unit="USD billion", region="USA"))
    t = target("gdp", region="USA")
    with pytest.raises(DataError, match="more than once"):
        calibration_table(hand_world, [t, t])


def test_no_services_in_world(hand_world: World) -> None:
    t = target("bilateral_services", origin="USA", region="CHN")
    with pytest.raises(DataError, match="no service sectors"):
        world_value(hand_world, t, services=("DIG",))


@pytest.mark.parametrize(
    ("kind", "labels", "match"),
    [
        ("gdp", {"origin": "USA"}, "missing"),
        ("bilateral_goods", {"origin": "USA", "region": "CHN", "product": "AGR"}, "unexpected"),
        ("self_sufficiency", {"region": "USA", "product": "MAN", "sector": "MAN"}, "exactly one"),
        ("self_sufficiency", {"region": "USA"}, "exactly one"),
        ("self_sufficiency_net", {"region": "USA", "product": "MAN", "sector": "MAN"}, "exactly one"),
    ],
)
def test_labels_validated_per_kind(kind: str, labels: dict[str, str], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        Target(key="k", kind=kind, labels=labels, observed=1.0, unit=UNIT, source="s", tolerance=0.1)  # type: ignore[arg-type]


def test_target_model_is_strict() -> None:
    base = {"key": "k", "kind": "gdp", "labels": {"region": "USA"}, "observed": 1.0}
    ok = {**base, "unit": UNIT, "source": "s", "tolerance": 0.1}
    Target(**ok)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="extra"):
        Target(**ok, note="x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Target(**{**ok, "observed": "1.0"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="kind"):
        Target(**{**ok, "kind": "gpd"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="non-zero observed"):
        Target(**{**ok, "observed": 0.0})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="fraction"):
        Target(**{**ok, "kind": "output_share", "labels": {"region": "USA", "sector": "AGR"}})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="tolerance"):
        Target(**{**ok, "tolerance": -0.1})  # type: ignore[arg-type]


@settings(max_examples=20, deadline=None)
@given(
    n_regions=st.integers(2, 4),
    n_sectors=st.integers(2, 4),
    seed=st.integers(0, 1000),
    picks=st.lists(
        st.tuples(st.sampled_from(sorted(LABELS)), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=12,
    ),
)
def test_table_of_own_values_has_zero_error(
    n_regions: int, n_sectors: int, seed: int, picks: list[tuple[str, int, int]]
) -> None:
    w = synthetic_world(n_regions, n_sectors, seed=seed)
    R, S = w.regions, w.sectors
    services = (S[-1],)
    targets = []
    for k, (kind, a, b) in enumerate(picks):
        pool = {
            "origin": R[a % len(R)],
            "region": R[b % len(R)],
            "product": S[a % len(S)],
            "sector": S[b % len(S)],
            "input": S[(a + b) % len(S)],
        }
        required = LABELS[kind][0]
        labels = {name: pool[name] for name in required}
        if kind in ("self_sufficiency", "self_sufficiency_net"):
            labels["product"] = pool["product"]
        probe = Target(
            key=f"t{k}",
            kind=kind,  # type: ignore[arg-type]
            labels=labels,
            observed=1.0,
            unit="fraction" if kind in SHARE_KINDS else w.meta.unit,
            source="self",
            tolerance=0.0,
        )
        value = world_value(w, probe, services=services)
        targets.append(probe.model_copy(update={"observed": value, "relative": value != 0.0}))
    table = calibration_table(w, targets, services=services)
    assert (table["error"] == 0.0).all()
    assert (table["error_pct"] == 0.0).all()
    assert table["within"].all()
    assert np.isfinite(table["world"]).all()


def test_summary_line(hand_world: World) -> None:
    from tradewar.world.calibration import calibration_summary

    targets = [
        target("bilateral_goods", observed=10.0, origin="USA", region="CHN"),
        target("gdp", observed=84.0, region="USA"),
    ]
    line = calibration_summary(calibration_table(hand_world, targets, services=("SRV",)))
    assert line.startswith("1 of 2 targets within tolerance; largest relative error -10 %")
    assert "outside tolerance: bilateral_goods:USA>CHN" in line
