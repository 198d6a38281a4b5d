"""Fuzzing: damaged scenario files, tariff schedules and bundles give a clear error or a valid result.

Every example is a valid file damaged by :mod:`mutations` (byte flips, truncation, line
deletion and duplication, key deletion, type swaps, huge and non-finite numbers, YAML
aliases, paths out of the folder). The properties:

* the reader and the translation to model inputs either succeed, and then every array
  the model would receive is finite and within the plausibility bounds of
  :mod:`tradewar.limits` (no silent wrong result), or raise a
  :class:`~tradewar.errors.TradewarError`; never another exception;
* no example hangs: hypothesis' deadline bounds each one, and a SIGALRM guard stops
  a real hang;
* memory stays bounded (the process' peak grows by less than :data:`MEMORY_GROWTH`);
* the command line prints no traceback (typer's CliRunner).

CI replays a fixed set of examples (the derandomised profile in ``tests/conftest.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mutations import damaged_bytes, damaged_json, damaged_yaml
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.errors import TradewarError
from tradewar.limits import MAX_RATE
from tradewar.policy import load_scenario, load_scenario_text, translate
from tradewar.world.bundle import read_bundle, write_bundle
from tradewar.world.synthetic import synthetic_world

#: Largest growth of the process' peak memory over a fuzz test, in bytes.
MEMORY_GROWTH = 400 * 1024**2
#: A hard stop for one example (hypothesis' deadline reports slow ones first).
HANG_SECONDS = 60

FUZZ = settings(
    max_examples=int(os.environ.get("TRADEWAR_FUZZ_EXAMPLES", "40")),
    deadline=timedelta(seconds=10),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)

SCENARIOS = [
    """\
title: Synthetic trade war
description: tariffs, an export ban, a licence, a subsidy
years: 2026-2028
measures:
  - name: tariff
    type: tariff
    action: set
    imposer: R000
    target: R001
    sectors: all
    magnitude: {unit: percent, start: 10, end: 40}
    years: 2026-2028
    source: {document: "A made-up notice", date: 2025-04-02}
  - name: ban
    type: export_control
    mode: ban
    imposer: R002
    target: R000
    sectors: [S001]
    years: 2027-
    assumption: test
  - name: subsidy
    type: productivity
    region: R001
    sectors: [S000]
    magnitude: {unit: percent, value: 5}
    years: 2026-2028
    assumption: test
""",
    """\
title: Quotas and frictions
description: a pooled export quota, an import ban and trade costs
years: 2026-2027
deficits: zero
measures:
  - name: export-quota
    type: quota
    imposer: R000
    target: all
    sectors: [S000]
    pooled: true
    magnitude: {unit: percent, values: {2026: 100, 2027: 40}}
    years: 2026-2027
    assumption: test quota
  - type: import_ban
    imposer: R001
    target: R002
    sectors: [S001]
    years: 2027
    assumption: ban
  - type: trade_cost
    flow: both
    imposer: R002
    target: R001
    sectors: all
    magnitude: {unit: factor, value: 1.1}
    years: 2026-2027
    assumption: frictions
""",
    """\
title: A funded programme
description: money into productivity, paid for by the budget
years: 2026
production:
  - {parameter: sigma_va_io, value: 0.5, regions: all, sectors: all, assumption: test}
measures:
  - type: productivity
    region: R001
    sectors: [S000]
    funding:
      amount: 100
      unit: USD million
      spent: 2026-2027
      rate_of_return: 0.2
      financing: {by: budget, normal_return: 0.05, depreciation: 0.1, investment_goods: {S001: 1},
                  assumption: test}
    years: 2026-2027
    assumption: test
  - type: tariff
    action: add
    imposer: [R000, R002]
    target: R001
    exclude_sectors: [S001]
    magnitude: {unit: fraction, value: 0.1}
    years: 2026
    assumption: test
""",
]

SCHEDULE_SCENARIO = """\
title: A schedule
description: sector tariffs from a product-level schedule
years: 2026
measures:
  - type: tariff_schedule
    imposer: R000
    target: R001
    file: sched.csv
    unit: percent
    columns: {code: hs6, tariff: rate, date: date, weight: trade}
    as_of: 2025-06-01
    weights: column
    concordance: conc.csv
    years: 2026
    assumption: test
"""
SCHEDULE = b"""\
hs6,rate,date,trade
010101,5,2024-01-01,10
010101,25,2025-05-14,10
010102,7.5,2024-01-01,3
020101,0,2024-01-01,40
020202,100,2025-04-09,1
"""
CONCORDANCE = b"code,sector\n01,S000\n02,S001\n"


@pytest.fixture(scope="module")
def world():
    return synthetic_world(3, 2, seed=3)


@pytest.fixture(scope="module")
def peak_memory() -> Iterator[None]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    yield
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert after - before < MEMORY_GROWTH, f"peak memory grew by {(after - before) / 1e6:.0f} MB"


@contextlib.contextmanager
def hang_guard() -> Iterator[None]:
    """Raise (a test failure) if the block runs longer than :data:`HANG_SECONDS`."""

    def stop(signum: int, frame: Any) -> None:
        raise AssertionError(f"an example ran for more than {HANG_SECONDS} s")

    if sys.platform == "win32":
        yield
        return
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def clear_error_or(check: Callable[[], None]) -> None:
    """Run ``check``; a TradewarError is a pass, any other exception fails the example."""
    with hang_guard():
        try:
            check()
        except TradewarError as err:
            text = str(err)
            assert text.strip() and "Traceback" not in text
            assert err.file or err.field or err.fix, f"an error without a where or a fix: {text}"


def assert_sane_policy(policies: dict[int, Any]) -> None:
    """What the model would receive is finite and within the plausibility bounds."""
    for pol in policies.values():
        t = pol.tariff.values
        assert np.isfinite(t).all() and (t > -1).all() and (t <= MAX_RATE + 1e-9).all()
        cost = pol.trade_cost.values
        assert not np.isnan(cost).any() and (cost > 0).all()
        prod = pol.productivity.values
        assert np.isfinite(prod).all() and (prod > 0).all()


# ------------------------------------------------------------------------- scenario files
@FUZZ
@given(text=st.one_of(damaged_yaml(SCENARIOS), damaged_bytes([s.encode() for s in SCENARIOS])))
def test_damaged_scenario_files(text: bytes, world, peak_memory) -> None:
    def check() -> None:
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError:
            return  # the file reader's case, covered below through files
        sc = load_scenario_text(decoded)
        extreme = any(getattr(pm.measure, "extreme", False) for pm in sc.measures)
        policies = translate(sc, world, [2026, 2027])
        if not extreme:
            assert_sane_policy(policies)

    clear_error_or(check)


@FUZZ
@given(data=damaged_bytes([s.encode() for s in SCENARIOS]))
def test_damaged_scenario_files_on_disk(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    f = tmp_path_factory.mktemp("sc") / "scenario.yaml"
    f.write_bytes(data)
    clear_error_or(lambda: load_scenario(str(f)))


# ------------------------------------------------------------------------- tariff schedules
@FUZZ
@example(  # found by this test: an infinite trade weight made a sector's tariff NaN
    schedule=SCHEDULE.replace(b"25,2025-05-14,10", b"25,2025-05-14,1e30810"),
    scenario=SCHEDULE_SCENARIO.encode(),
)
@given(
    schedule=damaged_bytes([SCHEDULE]),
    scenario=st.one_of(st.just(SCHEDULE_SCENARIO.encode()), damaged_yaml([SCHEDULE_SCENARIO])),
)
def test_damaged_tariff_schedules(
    schedule: bytes, scenario: bytes, world, tmp_path_factory: pytest.TempPathFactory, peak_memory
) -> None:
    d = tmp_path_factory.mktemp("sched")
    (d / "sched.csv").write_bytes(schedule)
    (d / "conc.csv").write_bytes(CONCORDANCE)
    (d / "s.yaml").write_bytes(scenario)

    def check() -> None:
        sc = load_scenario(str(d / "s.yaml"))
        extreme = any(getattr(pm.measure, "extreme", False) for pm in sc.measures)
        policies = translate(sc, world, [2026])
        if not extreme:
            assert_sane_policy(policies)

    clear_error_or(check)


# ------------------------------------------------------------------------- bundles
@pytest.fixture(scope="module")
def bundle(world, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(world, tmp_path_factory.mktemp("bundle") / "world")


def _bundle_files(bundle: Path) -> list[str]:
    return sorted(p.name for p in bundle.iterdir() if p.suffix == ".parquet")


@FUZZ
@given(data=st.data())
def test_damaged_bundles(data: st.DataObject, bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    d = tmp_path_factory.mktemp("b") / "world"
    shutil.copytree(bundle, d)
    manifest = (bundle / "manifest.json").read_text()
    if data.draw(st.booleans(), label="damage the manifest"):
        (d / "manifest.json").write_bytes(data.draw(damaged_json(manifest), label="manifest"))
    else:
        name = data.draw(st.sampled_from(_bundle_files(bundle)), label="file")
        (d / name).write_bytes(data.draw(damaged_bytes([(bundle / name).read_bytes()]), label="bytes"))

    def check() -> None:
        w = read_bundle(d)
        for var in ("intermediate", "final_demand", "value_added", "theta"):
            assert np.isfinite(w.data[var].values).all()

    clear_error_or(check)


# ------------------------------------------------------------------------- the command line
runner = CliRunner()


@settings(FUZZ, max_examples=20)
@given(text=st.one_of(damaged_yaml(SCENARIOS), damaged_bytes([s.encode() for s in SCENARIOS])))
def test_cli_never_prints_a_traceback(
    text: bytes, bundle: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    f = tmp_path_factory.mktemp("cli") / "s.yaml"
    f.write_bytes(text)
    for args in (
        ["scenarios", "check", str(f), "--world", str(bundle)],
        ["scenarios", "show", "--composed", str(f)],
    ):
        with hang_guard():
            res = runner.invoke(app, args)
        output = res.output + (res.stderr if res.stderr_bytes is not None else "")
        assert "Traceback" not in output
        assert res.exit_code in (0, 2), output
        assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)


@settings(FUZZ, max_examples=10)
@given(manifest=damaged_json('{"format": "tradewar-world", "version": 1}'))
def test_cli_world_info_on_damaged_manifests(
    manifest: bytes, bundle: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    d = tmp_path_factory.mktemp("wi") / "world"
    shutil.copytree(bundle, d)
    full = json.loads((bundle / "manifest.json").read_text())
    try:
        full.update(json.loads(manifest))
        (d / "manifest.json").write_text(json.dumps(full))
    except (ValueError, TypeError, AttributeError):
        (d / "manifest.json").write_bytes(manifest)
    with hang_guard():
        res = runner.invoke(app, ["world", "info", str(d)])
    output = res.output + (res.stderr if res.stderr_bytes is not None else "")
    assert "Traceback" not in output and res.exit_code in (0, 1, 2), output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
