"""Safe output folders (tradewar.outdir): what ``--out`` may replace, atomic swaps, signals.

The subprocess tests start ``tradewar run`` with a writer slowed down by the test (the
child script replaces ``summary_dict``, which runs mid-write), kill it with SIGINT or
SIGTERM while the temporary folder is half written, and check what is left; what a
SIGKILL can leave is recreated by hand and recovered.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradewar import outdir
from tradewar.cli.main import app
from tradewar.errors import DataError
from tradewar.outdir import MARKER, check_destination, output_folder, recover
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

REPO = Path(__file__).resolve().parents[1]

SCENARIO = """\
title: Tiny war
description: one tariff on a synthetic world
years: 2026
measures:
  - type: tariff
    action: set
    imposer: R000
    target: R001
    magnitude: {unit: percent, value: 20}
    years: 2026
    assumption: test
"""


def _write(dest: Path, files: dict[str, str], kind: str = "run", **kw: object) -> Path:
    with output_folder(dest, kind, **kw) as tmp:  # type: ignore[arg-type]
        for name, text in files.items():
            (tmp / name).write_text(text)
    return dest


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------------------------ the rules
def test_new_and_previous_outputs_are_written_with_a_marker(tmp_path: Path) -> None:
    dest = _write(tmp_path / "out", {"a.csv": "1"})
    marker = json.loads((dest / MARKER).read_text())
    assert marker["kind"] == "run" and marker["version"] == 1 and marker["created"]
    _write(dest, {"b.csv": "2"})  # a previous output of the same kind is replaced whole
    assert _siblings(dest) == [MARKER, "b.csv"]
    assert _siblings(tmp_path) == ["out"]
    empty = tmp_path / "empty"
    empty.mkdir()
    _write(empty, {"c.csv": "3"})
    assert (empty / "c.csv").read_text() == "3"


def test_foreign_folders_and_files_are_refused_unless_forced(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.txt").write_text("precious")
    with pytest.raises(DataError, match=r"other files \(thesis.txt\)") as err:
        _write(notes, {"a.csv": "1"})
    assert "--force" in str(err.value) and "--out" in str(err.value)
    assert (notes / "thesis.txt").read_text() == "precious"
    file = tmp_path / "file.txt"
    file.write_text("keep")
    with pytest.raises(DataError, match="is a file"):
        _write(file, {"a.csv": "1"})
    assert file.read_text() == "keep"
    bundle = write_bundle(synthetic_world(2, 1, seed=1), tmp_path / "w")
    with pytest.raises(DataError, match="another kind \\('world-bundle'\\)"):
        _write(bundle, {"a.csv": "1"})
    link = tmp_path / "link"
    link.symlink_to(notes)
    with pytest.raises(DataError, match="symbolic link"):
        _write(link, {"a.csv": "1"})
    # nothing was removed, and no temporary folder is left
    assert _siblings(tmp_path) == ["file.txt", "link", "notes", "w"]
    # --force replaces them (the link itself, not what it points to)
    _write(notes, {"a.csv": "1"}, force=True)
    assert _siblings(notes) == [MARKER, "a.csv"]
    _write(file, {"a.csv": "1"}, force=True)
    assert file.is_dir()
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "x").write_text("x")
    link.unlink()
    link.symlink_to(tmp_path / "target")
    _write(link, {"a.csv": "1"}, force=True)
    assert not link.is_symlink() and (tmp_path / "target" / "x").read_text() == "x"


@pytest.mark.parametrize("path", ["", ".", "./", ".."])
def test_current_folder_and_above_are_refused_even_forced(path: str, tmp_path: Path, monkeypatch) -> None:
    inner = tmp_path / "work"
    inner.mkdir()
    (inner / "scenario.yaml").write_text("title: mine\n")
    monkeypatch.chdir(inner)
    with pytest.raises(DataError, match=r"current folder|empty or '\.'") as err:
        check_destination(path, "run", force=True)
    assert "--force" not in str(err.value)
    assert (inner / "scenario.yaml").is_file()
    with pytest.raises(DataError, match="the home folder or the root"):
        check_destination(Path.home(), "run", force=True)
    with pytest.raises(DataError, match="root"):
        check_destination("/", "run", force=True)


def test_devices_and_unwritable_places_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="device, pipe or socket"):
        check_destination("/dev/null", "run", force=True)
    with pytest.raises(DataError, match="--out"):
        _write(Path("/proc/tradewar-out"), {"a": "1"})
    if os.geteuid() != 0:  # root may write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        try:
            with pytest.raises(DataError, match="cannot write in"):
                _write(ro / "out", {"a": "1"})
        finally:
            ro.chmod(0o755)
    with pytest.raises(DataError, match="not a folder"):
        (tmp_path / "f").write_text("x")
        check_destination(tmp_path / "f" / "out", "run")


def test_cli_refuses_before_running(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text(SCENARIO)
    for out in (".", "", "mine.yaml", "/dev/null"):
        res = CliRunner().invoke(app, ["run", "mine.yaml", "--out", out])
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output and "error:" in res.output
    assert (tmp_path / "mine.yaml").read_text() == SCENARIO
    res = CliRunner().invoke(app, ["game", "nash", "--out", "mine.yaml"])
    assert res.exit_code == 2 and "is a file" in res.output
    assert _siblings(tmp_path) == ["mine.yaml"]


# ------------------------------------------------------------------------------ failures
def test_an_error_while_writing_leaves_the_old_output(tmp_path: Path) -> None:
    dest = _write(tmp_path / "out", {"old.csv": "old"})
    for exc in (ValueError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), output_folder(dest, "run") as tmp:
            (tmp / "new.csv").write_text("new")
            raise exc
        assert _siblings(dest) == [MARKER, "old.csv"]
        assert _siblings(tmp_path) == ["out"]


def test_two_rename_fallback_restores_on_failure(tmp_path: Path, monkeypatch) -> None:
    """Without renameat2 the swap is two renames; a failure between them puts the old back."""
    dest = _write(tmp_path / "out", {"old.csv": "old"})
    monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    _write(dest, {"new.csv": "new"})
    assert _siblings(dest) == [MARKER, "new.csv"] and _siblings(tmp_path) == ["out"]
    real_rename = os.rename
    calls: list[str] = []

    def failing_second(a: object, b: object) -> None:
        calls.append(str(b))
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(b))
        real_rename(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rename", failing_second)
    with pytest.raises(DataError, match="No space left"):
        _write(dest, {"newer.csv": "x"})
    assert _siblings(dest) == [MARKER, "new.csv"] and _siblings(tmp_path) == ["out"]


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_leftovers_of_a_killed_writer_are_recovered(tmp_path: Path) -> None:
    """A SIGKILL between the two renames leaves no X but .X.old-*: the next write puts it back."""
    pid = _dead_pid()
    old = tmp_path / f".out.old-{pid}-abc"
    old.mkdir()
    (old / "old.csv").write_text("old")
    partial = tmp_path / f".out.partial-{pid}-def"
    partial.mkdir()
    (partial / "half.csv").write_text("half")
    other = tmp_path / f".out.partial-{os.getppid()}-ghi"  # a live process: left alone
    other.mkdir()
    assert recover(tmp_path / "out")
    assert (tmp_path / "out" / "old.csv").read_text() == "old"
    assert _siblings(tmp_path) == [other.name, "out"]
    # and the next write cleans any stale leftovers before replacing the output
    stale = tmp_path / f".out.old-{pid}-xyz"
    stale.mkdir()
    with pytest.raises(DataError, match="other files"):  # the restored folder has no marker
        _write(tmp_path / "out", {"a.csv": "1"})
    _write(tmp_path / "out", {"a.csv": "1"}, force=True)
    assert _siblings(tmp_path) == [other.name, "out"]


# ------------------------------------------------------------------------------ signals
_CHILD = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in the background
    import tradewar.runs.outputs as outputs

    ready, *args = sys.argv[1:]
    original = outputs.summary_dict

    def slow_summary(runs):
        Path(ready).write_text("writing")
        time.sleep(120)
        return original(runs)

    outputs.summary_dict = slow_summary
    from tradewar.cli.main import app

    sys.argv = ["tradewar", *args]
    app()
    """
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tiny")
    write_bundle(synthetic_world(3, 2, seed=2), d / "world")
    (d / "war.yaml").write_text(SCENARIO)
    return d / "world", d / "war.yaml"


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_killing_a_run_mid_write(sig: int, code: int, tiny: tuple[Path, Path], tmp_path: Path) -> None:
    world, scenario = tiny
    out = tmp_path / "out"
    _write(out, {"previous.csv": "previous run"})
    ready = tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    args = ["run", str(scenario), "--world", str(world), "--out", str(out), "--no-report"]
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(ready), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
        partials = [p for p in tmp_path.iterdir() if p.name.startswith(".out.partial-")]
        assert len(partials) == 1 and (partials[0] / "regions.csv").is_file()  # really mid-write
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr + stdout
    assert (out / "previous.csv").read_text() == "previous run"  # the previous output is untouched
    assert len(stderr.strip().splitlines()) == 1 and "nothing half-written" in stderr
    assert _siblings(tmp_path) == ["out", "ready"]
