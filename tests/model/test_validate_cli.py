"""``tradewar validate``: output, JSON file, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tradewar.cli.main import app

runner = CliRunner()


def test_validate_gegravity_json(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.json"
    res = runner.invoke(
        app, ["validate", "--data", str(shared_data), "--case", "gegravity_sample", "--json", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "within tolerance" in res.output
    payload = json.loads(out.read_text())
    assert payload["failed"] == 0 and payload["passed"] > 50
    assert {"published", "computed", "difference", "tolerance", "ok"} <= set(payload["checks"][0])


def test_validate_unknown_case_exits_2() -> None:
    res = runner.invoke(app, ["validate", "--case", "nope"])
    assert res.exit_code == 2
    assert "unknown case" in res.output


def test_validate_missing_data_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", "--data", str(tmp_path), "--case", "cp2015_nafta"])
    assert res.exit_code == 2
    assert "not found" in res.output


def test_validate_miss_exits_1(shared_data: Path, monkeypatch) -> None:
    import tradewar.cli.validate_cmd as cmd
    from tradewar.model.validation import Check

    monkeypatch.setattr(cmd, "run_validation", lambda data, cases: [Check("c", "i", 1.0, 2.0, 0.1, "s")])
    res = runner.invoke(app, ["validate", "--data", str(shared_data)])
    assert res.exit_code == 1
    assert "MISS" in res.output
