"""The result of a scenario run: :class:`ScenarioRun` and the names of its columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tradewar.policy import Scenario, YearPolicy
from tradewar.world.world import World

#: The conflict scenario: what :func:`~tradewar.runs.run_scenario` runs by default.
DEFAULT_SCENARIO = "trade-war-2026"
#: The scenarios `tradewar run` runs without arguments: the conflict and the industrial
#: policies side by side, so that the headline never mixes the two (issue 11);
#: ``trade-war-and-industrial-policy`` runs both together.
DEFAULT_SCENARIOS = ("trade-war-2026", "industrial-policy-2026-2030")
#: The World it runs on.
DEFAULT_WORLD = "default"
#: The deficit rule of a run when neither the caller nor the scenario (or its includes)
#: says: trade deficits as in the World. (Games default to ``zero``: see
#: :data:`tradewar.strategy.DEFAULT_GAME_DEFICITS`.)
DEFAULT_DEFICITS = "data"
#: What each deficit rule means, for outputs read by people.
DEFICIT_RULES = {
    "data": "trade deficits as in the World (nominal)",
    "fixed": "trade deficits a constant share of world income",
    "zero": "trade deficits closed: the World re-solved with zero deficits, results relative to it",
}
#: Years run when neither the command line nor the scenario says.
DEFAULT_YEARS = (2026, 2027, 2028, 2029, 2030)
#: Whether `tradewar run` solves a recursive-dynamic path by default (capacity,
#: investment, growing trade elasticities; see docs/dynamics.md) rather than
#: comparative statics year by year.
DEFAULT_DYNAMICS = True
#: Sectors whose self-sufficiency is reported, where the World has them.
CHOKEPOINT_SECTORS = ("REE", "CRM", "SEMA", "SEMM", "SME")
#: Columns of regions.csv besides self-sufficiency.
REGION_COLUMNS = (
    "welfare_pct",
    "real_wage_pct",
    "terms_of_trade_pct",
    "volume_of_trade_pct",
    "tot_plus_vot_pct",
)

#: ``progress(label, done)``, called after each solved equilibrium.
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class ScenarioRun:
    """Results of one scenario over the years of a run.

    Attributes
    ----------
    scenario: the composed scenario.
    world: the World it ran on; ``world_spec`` how it was named.
    years: the years solved.
    policies: the policy state of each year.
    regions, sectors, flows: long tables (see the module docstring).
    solver: one record per year (converged, iterations, residual, seconds, method, checks).
    chokepoints: the chokepoint sectors reported.
    undefined_self_sufficiency: (region, sector) pairs that neither make nor use the
        product (0/0): their self-sufficiency cells are empty.
    deficits: the deficit rule the engine used.
    deficits_from: where the rule came from: ``"argument"`` (the caller, e.g.
        ``--deficits``), the scenario file that set it, or ``"default"``.
    capacity, long_run_regions, long_run_sectors, dynamics: see
        :func:`tradewar.runs.dynamic.run_dynamic` (None for comparative statics).
    """

    scenario: Scenario
    world: World
    world_spec: str
    years: tuple[int, ...]
    policies: dict[int, YearPolicy]
    regions: pd.DataFrame
    sectors: pd.DataFrame
    flows: pd.DataFrame
    solver: tuple[dict[str, Any], ...]
    chokepoints: tuple[str, ...]
    undefined_self_sufficiency: tuple[tuple[str, str], ...] = ()
    deficits: str = DEFAULT_DEFICITS
    deficits_from: str = "default"
    #: dynamic runs only (:mod:`tradewar.runs.dynamic`): capacity path by (region, sector,
    #: year), the long-run steady state under the last year's policies, and the settings
    capacity: pd.DataFrame | None = None
    long_run_regions: pd.DataFrame | None = None
    long_run_sectors: pd.DataFrame | None = None
    dynamics: dict[str, Any] | None = None

    @property
    def is_dynamic(self) -> bool:
        """True for a recursive-dynamic path (year figures are short-run)."""
        return self.dynamics is not None

    def deficit_note(self) -> str:
        """One line for people: the rule, what it means and where it came from."""
        why = {"argument": "chosen by the caller", "default": "the default"}.get(
            self.deficits_from, f"set in {self.deficits_from}"
        )
        return f"deficit rule {self.deficits!r}: {DEFICIT_RULES.get(self.deficits, '?')} ({why})"

    def summary_table(self, year: int | None = None) -> pd.DataFrame:
        """Regions in ``year`` (default: the last) with the headline columns.

        Welfare (%), its equivalent variation in USD billion (where the World's unit is
        USD), real wage, terms and volume of trade, and chokepoint self-sufficiency.
        """
        y = self.years[-1] if year is None else year
        money = ["ev_usd_bn"] if "ev_usd_bn" in self.regions.columns else []
        cols = [
            "region",
            REGION_COLUMNS[0],
            *money,
            *REGION_COLUMNS[1:4],
            *[f"self_sufficiency_{s}" for s in self.chokepoints],
        ]
        return self.regions.loc[self.regions["year"] == y, cols].reset_index(drop=True)


def json_value(v: Any) -> Any:
    """A plain JSON value: NumPy scalars as Python ones, non-finite floats as None."""
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v
