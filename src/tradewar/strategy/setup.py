"""Which model plays a tariff game, on which World, under which rules.

:func:`game_model` is what ``tradewar game`` calls: it loads the World, picks the model
and applies one documented rule set (docs/commands.md):

* **model**: ``ossa2014`` is Ossa's (2014) 7 x 33 data and model; any other World spec
  plays through the general-equilibrium engine (:class:`~tradewar.strategy.engine.EngineGame`)
  unless ``model="ossa"`` calibrates Ossa's model to it.
* **deficits**: default :data:`~tradewar.strategy.DEFAULT_GAME_DEFICITS` (``zero``).
  The engine takes ``zero``, ``fixed`` and ``data``. Ossa's model has no rule ``fixed``:
  ``zero`` purges imbalances first (Ossa's procedure), ``data`` holds each region's
  nominal net exports; Ossa's own data are already balanced, so both agree there.
* **objective** (``weights``): ``pol``, Ossa's political-economy weights, exists only for
  his data (they are his estimates, ``LAMBDAPOL``); ``bas`` is real income. The default
  is ``pol`` on ``ossa2014`` and real income everywhere else; asking for ``pol`` on
  another World is an error rather than silently ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradewar.errors import ModelError
from tradewar.strategy._protocol import DEFAULT_GAME_DEFICITS, TariffGameModel

#: The World spec of Ossa's data and model.
OSSA2014 = "ossa2014"
#: Base year of Ossa's data (Ossa 2014, Section III).
OSSA2014_YEAR = 2007

_RULES = ("zero", "fixed", "data")
_OBJECTIVES = {
    "pol": "political-economy weights (Ossa's LAMBDAPOL)",
    "bas": "real income",
}


@dataclass(frozen=True)
class GameSetup:
    """A game's model and the settings every output records.

    Attributes
    ----------
    model: the model the strategy functions drive.
    world: the World spec as given (with reader options).
    world_name, year: the World's name and base year (None if unstated).
    engine: which model, in words.
    deficits: the deficit rule; ``deficits_from``: ``"argument"`` or ``"default"``.
    weights: ``pol`` or ``bas`` (see the module docstring).
    notice: the stylized-world notice, or None.
    """

    model: TariffGameModel
    world: str
    world_name: str
    year: int | None
    engine: str
    deficits: str
    deficits_from: str
    weights: str
    notice: str | None = None

    def deficit_note(self) -> str:
        """The deficit rule in words, with where it came from."""
        meaning = {
            "zero": "trade deficits closed (welfare relative to the balanced equilibrium)",
            "fixed": "trade deficits a constant share of world income",
            "data": "trade deficits as in the data (nominal)",
        }[self.deficits]
        why = "chosen with --deficits" if self.deficits_from == "argument" else "the default for games"
        return f"deficit rule {self.deficits!r}: {meaning} ({why})"

    def settings(self) -> dict[str, str]:
        """Label -> value, for reports and summary.json."""
        return {
            "World": self.world if self.world_name == self.world else f"{self.world} ({self.world_name})",
            "Base year": "not stated" if self.year is None else str(self.year),
            "Model": self.engine,
            "Deficits": self.deficit_note(),
            "Government objective": _OBJECTIVES[self.weights],
        }


def _rule(deficits: str | None) -> tuple[str, str]:
    if deficits is None:
        return DEFAULT_GAME_DEFICITS, "default"
    if deficits not in _RULES:
        raise ModelError(
            f"unknown deficit rule {deficits!r}", field="--deficits", expected=" | ".join(_RULES)
        )
    return deficits, "argument"


def _no_fixed_in_ossa(rule: str) -> None:
    if rule == "fixed":
        raise ModelError(
            "Ossa's model has no deficit rule 'fixed'",
            field="--deficits",
            expected="zero (purge imbalances, Ossa's procedure) or data (hold nominal net exports)",
            fix="use --deficits zero or data, or play with the engine (--model ge)",
        )


def game_model(
    world: str,
    *,
    model: str | None = None,
    deficits: str | None = None,
    weights: str | None = None,
    data_dir: str | os.PathLike[str] = Path("../shared/data"),
    world_options: Mapping[str, Any] | None = None,
) -> GameSetup:
    """Load ``world`` and build the game's model under the rules of the module docstring.

    Parameters
    ----------
    world: ``ossa2014`` or a :func:`tradewar.world.load.load_world` spec.
    model: ``ossa`` or ``ge``; default ``ossa`` for ``ossa2014``, ``ge`` otherwise.
    deficits: ``zero``, ``fixed`` or ``data``; default ``zero``.
    weights: ``pol`` or ``bas``; default ``pol`` for ``ossa2014``, ``bas`` otherwise.
    data_dir: reference data root (Ossa's data, bare data-set formats).
    world_options: reader options of the World spec.

    Raises
    ------
    ModelError
        A combination the model cannot play (``--model ge`` on ``ossa2014``, ``pol``
        weights off Ossa's data, ``fixed`` deficits in Ossa's model).
    """
    from tradewar.model.ossa import OssaModel, read_ossa2014

    rule, rule_from = _rule(deficits)
    if weights not in (None, *_OBJECTIVES):
        raise ModelError(f"unknown weights {weights!r}", field="--weights", expected="pol | bas")
    if world.strip().lower() == OSSA2014:
        if model not in (None, "ossa"):
            raise ModelError("--world ossa2014 is Ossa's model; use --model ossa", field="--model")
        if world_options:
            raise ModelError(
                "ossa2014 takes no reader options", field="--world-option", fix="drop --world-option"
            )
        _no_fixed_in_ossa(rule)
        w = weights or "pol"
        # Ossa's data are balanced (net exports zero): `zero` and `data` are the same game
        ossa = OssaModel.from_data(read_ossa2014(data_dir), weights=w)  # type: ignore[arg-type]
        return GameSetup(
            model=ossa,
            world=OSSA2014,
            world_name="Ossa (2014) data, 7 regions x 33 industries",
            year=OSSA2014_YEAR,
            engine="Ossa (2014) model",
            deficits=rule,
            deficits_from=rule_from,
            weights=w,
        )
    if weights == "pol":
        raise ModelError(
            "political-economy weights (--weights pol) exist only for Ossa's data (his estimates, "
            "LAMBDAPOL); on other worlds governments maximise real income",
            field="--weights",
            expected="--weights bas (real income) on this world",
            fix="drop --weights (or use bas), or play on --world ossa2014",
        )
    from tradewar.world.load import load_world, stylized_notice, world_spec_text

    spec = world_spec_text(world, world_options)
    loaded = load_world(spec, data_dir=data_dir)
    if model in (None, "ge"):
        from tradewar.strategy.engine import EngineGame

        game: TariffGameModel = EngineGame(loaded, deficits=rule)  # type: ignore[arg-type]
        engine = "general-equilibrium engine (Caliendo-Parro), exact gradients"
    elif model == "ossa":
        _no_fixed_in_ossa(rule)
        game = OssaModel.from_world(loaded, purge=rule == "zero")
        engine = "Ossa (2014) model calibrated to this world"
    else:
        raise ModelError(f"unknown model {model!r}", field="--model", expected="ossa | ge")
    return GameSetup(
        model=game,
        world=spec,
        world_name=loaded.meta.name,
        year=loaded.meta.year,
        engine=engine,
        deficits=rule,
        deficits_from=rule_from,
        weights="bas",
        notice=stylized_notice(loaded),
    )
