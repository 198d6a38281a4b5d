"""load_world: shipped names, FORMAT:PATH, bundle paths, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradewar.errors import DataError
from tradewar.world.bundle import write_bundle
from tradewar.world.load import FORMATS, load_world
from tradewar.world.world import World


def test_bundle_path_and_prefix(tmp_path: Path, small_world: World) -> None:
    path = write_bundle(small_world, tmp_path / "w")
    for spec in (str(path), f"bundle:{path}"):
        w = load_world(spec)
        assert w.regions == small_world.regions
        assert w.summary() == pytest.approx(small_world.summary())


def test_reference_formats(shared_data: Path) -> None:
    assert load_world(f"gegravity:{shared_data / 'gegravity_sample'}").shape == (30, 1)
    assert load_world("gegravity", data_dir=shared_data).shape == (30, 1)
    assert load_world("gegravity:", data_dir=shared_data).shape == (30, 1)
    w = load_world(f"wiod-eu:{shared_data}", year=2000)
    assert w.meta.year == 2000
    assert load_world(f"liberation-day:{shared_data / 'liberation_day_2025'}").shape == (194, 1)
    panel = shared_data / "gegravity_sample" / "sample_data_set.dlm"
    assert load_world(f"gravity:{panel}", theta=6.0).theta.item() == 6.0


def test_unknown_format_lists_formats() -> None:
    with pytest.raises(DataError, match="unknown format 'xyz'") as err:
        load_world("xyz:somewhere")
    for fmt in FORMATS:
        assert fmt in str(err.value)


def test_unknown_name() -> None:
    with pytest.raises(DataError, match="not a shipped name") as err:
        load_world("defualt")
    assert "default" in str(err.value)


def test_missing_path() -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_world("gegravity:/nonexistent/folder")


def test_file_without_format(tmp_path: Path) -> None:
    f = tmp_path / "table.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="prefix it with its format"):
        load_world(str(f))


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no manifest\.json"):
        load_world(str(tmp_path))


def test_shipped_world_takes_no_options() -> None:
    with pytest.raises(DataError, match="takes no reader options"):
        load_world("default", year=2000)
