"""Runs of scenarios through the engine: single runs year by year and their outputs.

- :mod:`tradewar.runs.result`: :class:`ScenarioRun`, the labelled result of one scenario.
- :mod:`tradewar.runs.years`: the years of a run.
- :mod:`tradewar.runs.single`: one or several scenarios, one equilibrium per year.
- :mod:`tradewar.runs.dynamic`: the recursive-dynamic path (capacity, investment,
  growing trade elasticities) and the long-run steady state.
- :mod:`tradewar.runs.outputs`: the output folder (tables, ``summary.json``, report).
- :mod:`tradewar.runs.parameters`: uncertain parameters and their distributions.
- :mod:`tradewar.runs.draws`: Monte Carlo draws (:func:`run_draws`, :class:`DrawsRun`).
- :mod:`tradewar.runs.sweep`: grids over parameters (:func:`run_sweep`, :class:`SweepRun`).
- :mod:`tradewar.runs.executors`: local, process-pool and Dask execution of batches
  (:mod:`tradewar.runs.batch`, :mod:`tradewar.runs.policy_map`).
- :mod:`tradewar.runs.decompose`: the contributions of each measure to every result
  (Harrison-Horridge-Pearson subtotals), ``contributions.csv``.
- :mod:`tradewar.runs.money`: equivalent variation and USD changes.

The runner never imports :mod:`tradewar.report`; the report takes :class:`ScenarioRun`
objects, and the command line renders it and hands the text to :func:`write_outputs`.
"""

from tradewar.runs.decompose import Decomposition, decompose_run
from tradewar.runs.draws import DrawsRun, run_draws
from tradewar.runs.money import equivalent_variation
from tradewar.runs.outputs import check_out, summary_dict, write_outputs
from tradewar.runs.parameters import Parameter, draw_parameters, named_parameter
from tradewar.runs.result import (
    CHOKEPOINT_SECTORS,
    DEFAULT_DEFICITS,
    DEFAULT_DYNAMICS,
    DEFAULT_SCENARIO,
    DEFAULT_SCENARIOS,
    DEFAULT_WORLD,
    DEFAULT_YEARS,
    DEFICIT_RULES,
    REGION_COLUMNS,
    Progress,
    ScenarioRun,
)
from tradewar.runs.single import check_distinct_names, run_scenario, run_scenarios
from tradewar.runs.sweep import Grid, SweepRun, parse_grid, run_sweep, write_sweep
from tradewar.runs.years import parse_years, scenario_years

__all__ = [
    "CHOKEPOINT_SECTORS",
    "DEFAULT_DEFICITS",
    "DEFAULT_DYNAMICS",
    "DEFAULT_SCENARIO",
    "DEFAULT_SCENARIOS",
    "DEFAULT_WORLD",
    "DEFAULT_YEARS",
    "DEFICIT_RULES",
    "REGION_COLUMNS",
    "Decomposition",
    "DrawsRun",
    "Grid",
    "Parameter",
    "Progress",
    "ScenarioRun",
    "SweepRun",
    "check_distinct_names",
    "check_out",
    "decompose_run",
    "draw_parameters",
    "equivalent_variation",
    "named_parameter",
    "parse_grid",
    "parse_years",
    "run_draws",
    "run_scenario",
    "run_scenarios",
    "run_sweep",
    "scenario_years",
    "summary_dict",
    "write_outputs",
    "write_sweep",
]
