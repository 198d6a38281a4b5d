"""Tariff games: optimal tariffs, trade-war Nash equilibria, negotiated deals, retaliation.

The functions drive any model satisfying :class:`TariffGameModel` (tariffs in, each
government's welfare and, ideally, its exact gradient out): Ossa's (2014) model
(:class:`tradewar.model.ossa.OssaModel`) and the general-equilibrium engine through
:class:`tradewar.strategy.engine.EngineGame`.
"""

from tradewar.strategy._protocol import (
    DEFAULT_GAME_DEFICITS,
    DEFAULT_INSTRUMENT,
    Instrument,
    InstrumentMap,
    TariffGameModel,
    tariff_dataarray,
)
from tradewar.strategy.cooperative import (
    CooperativeOutcome,
    deal_report,
    efficient_tariffs,
    equal_gains_tariffs,
    nash_bargaining,
)
from tradewar.strategy.nash import NashEquilibrium, deviation_gains, nash_equilibrium
from tradewar.strategy.optimal import OptimalTariff, optimal_tariff
from tradewar.strategy.retaliation import RetaliationOutcome, optimal_retaliation, reciprocal_retaliation
from tradewar.strategy.setup import GameSetup, game_model

__all__ = [
    "DEFAULT_GAME_DEFICITS",
    "DEFAULT_INSTRUMENT",
    "CooperativeOutcome",
    "GameSetup",
    "Instrument",
    "InstrumentMap",
    "NashEquilibrium",
    "OptimalTariff",
    "RetaliationOutcome",
    "TariffGameModel",
    "deal_report",
    "deviation_gains",
    "efficient_tariffs",
    "equal_gains_tariffs",
    "game_model",
    "nash_bargaining",
    "nash_equilibrium",
    "optimal_retaliation",
    "optimal_tariff",
    "reciprocal_retaliation",
    "tariff_dataarray",
]
