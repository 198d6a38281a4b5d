"""pymrio adapter (optional extra), on pymrio's bundled test system."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tradewar.errors import DataError
from tradewar.world.readers import mrio


def test_clear_error_without_pymrio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymrio", None)
    with pytest.raises(DataError, match="pymrio is not installed") as err:
        mrio.pymrio_test_world()
    assert "pip install" in str(err.value)


def test_pymrio_test_system() -> None:
    pymrio = pytest.importorskip("pymrio")
    io = pymrio.load_test()
    w = mrio.from_pymrio(io)
    assert w.shape == (6, 8)
    assert w.regions[0] == "reg1" and "food" in w.sectors
    assert w.meta.unit == "Mill USD"
    np.testing.assert_allclose(float(w.intermediate.sum()), float(io.Z.to_numpy().sum()))
    np.testing.assert_allclose(float(w.final_demand.sum()), float(io.Y.to_numpy().sum()))
    io.calc_all()
    x = io.x.to_numpy().ravel()
    np.testing.assert_allclose(w.gross_output.values.ravel(), x, rtol=1e-9)
    z = io.Z.loc[("reg2", "mining"), ("reg3", "manufactoring")]
    assert (
        float(w.intermediate.sel(origin="reg2", product="mining", region="reg3", sector="manufactoring")) == z
    )


def test_saved_folder_and_load_world(tmp_path: Path) -> None:
    pymrio = pytest.importorskip("pymrio")
    from tradewar.world.load import load_world

    io = pymrio.load_test()
    io.save_all(tmp_path / "mrio")
    w = load_world(f"pymrio:{tmp_path / 'mrio'}")
    assert w.shape == (6, 8)
    with pytest.raises(DataError, match="pymrio cannot load"):
        mrio.read_pymrio_folder(tmp_path)
