import numpy as np
import pytest

from tradewar.errors import AccountsError, DataError, UnknownCodeError
from tradewar.world.bundle import read_bundle, write_bundle
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World


def _arrays(world: World) -> dict:
    return dict(
        regions=world.regions,
        sectors=world.sectors,
        intermediate=world.intermediate.values.copy(),
        final_demand=world.final_demand.values.copy(),
        value_added=world.value_added.values.copy(),
        tariff=world.tariff.values.copy(),
        theta=world.theta.values.copy(),
        meta=world.meta,
    )


def test_accounts_balance(small_world):
    np.testing.assert_allclose(small_world.output_by_use, small_world.output_by_cost, rtol=1e-10)
    assert abs(float(small_world.deficit.sum())) < 1e-8
    spend = float(((1 + small_world.tariff) * small_world.final_demand).sum())
    assert spend == pytest.approx(float(small_world.income.sum()), rel=1e-10)


def test_world_is_immutable(small_world):
    with pytest.raises(ValueError):
        small_world.intermediate.values[0, 0, 0, 0] = 1.0


def test_negative_flow_is_named(small_world):
    a = _arrays(small_world)
    a["final_demand"][1, 2, 0] = -5.0
    with pytest.raises(DataError, match=r"final_demand.*negative.*origin=R001, product=S002, region=R000"):
        World.from_arrays(**a, source_file="x.csv")


def test_nan_flow_is_named(small_world):
    a = _arrays(small_world)
    a["intermediate"][0, 0, 1, 1] = np.nan
    with pytest.raises(DataError, match="NaN"):
        World.from_arrays(**a)


def test_unbalanced_accounts_name_region_sector_and_size(small_world):
    a = _arrays(small_world)
    a["value_added"][2, 1] *= 1.5
    with pytest.raises(AccountsError, match=r"region 'R002', sector 'S001'.*imbalance"):
        World.from_arrays(**a, source_file="table.csv")


def test_unknown_region_code(small_world):
    a = _arrays(small_world)
    a["regions"] = ["USA", "CHN", "XXZ", "DEU"]
    a["meta"] = type(small_world.meta)(name="t", source="test")
    with pytest.raises(UnknownCodeError, match="XXZ"):
        World.from_arrays(**a)


def test_wrong_shape(small_world):
    a = _arrays(small_world)
    a["value_added"] = a["value_added"][:, :2]
    with pytest.raises(DataError, match="value_added has shape"):
        World.from_arrays(**a)


def test_bundle_round_trip(tmp_path):
    w = synthetic_world(3, 2, seed=4)
    out = write_bundle(w, tmp_path / "w")
    back = read_bundle(out)
    for k in w.data.data_vars:
        np.testing.assert_array_equal(w.data[k].values, back.data[k].values)
    assert back.meta == w.meta
    write_bundle(w, tmp_path / "w")  # overwrite atomically
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]


def test_bundle_missing_manifest(tmp_path):
    with pytest.raises(DataError, match="manifest"):
        read_bundle(tmp_path)
