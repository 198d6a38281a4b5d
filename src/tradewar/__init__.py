"""tradewar: quantify and simulate trade conflict and technology decoupling.

The public API is listed in ``__all__``; implementation modules are organised by the
parts of the domain: ``world`` (baseline data), ``analysis`` (dependence and exposure),
``policy`` (measures and scenarios), ``model`` (general equilibrium), ``strategy``
(tariff games), ``report`` and ``cli``.

A typical session::

    import tradewar as tw

    world = tw.load_world("default")                       # or "cp2015:../shared/data/cp2015_nafta"
    shock = tw.Shock.none(world).add_tariff(0.25, origin="CHN", region="USA")
    eq = tw.solve(world, shock)
    eq.regions[["welfare_pct", "real_wage_pct"]]           # labelled pandas results
    tw.analysis.self_sufficiency(eq.counterfactual_world())
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tradewar import analysis, policy, strategy
    from tradewar.errors import (
        AccountsError,
        ConvergenceError,
        DataError,
        ScenarioError,
        TradewarError,
        UnknownCodeError,
    )
    from tradewar.model import Baseline, Equilibrium, Shock, Technology, solve
    from tradewar.policy import load_scenario
    from tradewar.runs import run_scenario, run_scenarios
    from tradewar.world.bundle import read_bundle, write_bundle
    from tradewar.world.load import load_world
    from tradewar.world.world import World, WorldMeta

#: Where each public name lives. They are imported on first use, so that ``import
#: tradewar`` (and the command line's start-up, which a Ctrl-C may interrupt) stays cheap.
_PUBLIC = {
    "analysis": "tradewar.analysis",
    "policy": "tradewar.policy",
    "strategy": "tradewar.strategy",
    "AccountsError": "tradewar.errors",
    "ConvergenceError": "tradewar.errors",
    "DataError": "tradewar.errors",
    "ScenarioError": "tradewar.errors",
    "TradewarError": "tradewar.errors",
    "UnknownCodeError": "tradewar.errors",
    "Baseline": "tradewar.model",
    "Equilibrium": "tradewar.model",
    "Shock": "tradewar.model",
    "Technology": "tradewar.model",
    "solve": "tradewar.model",
    "load_scenario": "tradewar.policy",
    "run_scenario": "tradewar.runs",
    "run_scenarios": "tradewar.runs",
    "read_bundle": "tradewar.world.bundle",
    "write_bundle": "tradewar.world.bundle",
    "load_world": "tradewar.world.load",
    "World": "tradewar.world.world",
    "WorldMeta": "tradewar.world.world",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tradewar' has no attribute {name!r}")
    loaded = import_module(module)
    value = loaded if module == f"tradewar.{name}" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


__version__ = "0.1.0"

__all__ = [
    "AccountsError",
    "Baseline",
    "ConvergenceError",
    "DataError",
    "Equilibrium",
    "ScenarioError",
    "Shock",
    "Technology",
    "TradewarError",
    "UnknownCodeError",
    "World",
    "WorldMeta",
    "__version__",
    "analysis",
    "load_scenario",
    "load_world",
    "policy",
    "read_bundle",
    "run_scenario",
    "run_scenarios",
    "solve",
    "strategy",
    "write_bundle",
]
