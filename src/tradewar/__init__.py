"""tradewar: quantify and simulate trade conflict and technology decoupling.

The public API is listed in ``__all__``; implementation modules are organised by the
parts of the domain: ``world`` (baseline data), ``analysis`` (dependence and exposure),
``policy`` (measures and scenarios), ``model`` (general equilibrium), ``strategy``
(tariff games), ``report`` and ``cli``.
"""

from tradewar.errors import (
    AccountsError,
    ConvergenceError,
    DataError,
    ScenarioError,
    TradewarError,
    UnknownCodeError,
)
from tradewar.world.world import World, WorldMeta

__version__ = "0.1.0"

__all__ = [
    "AccountsError",
    "ConvergenceError",
    "DataError",
    "ScenarioError",
    "TradewarError",
    "UnknownCodeError",
    "World",
    "WorldMeta",
    "__version__",
]
