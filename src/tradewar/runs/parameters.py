"""Uncertain parameters of a run: what is drawn, from which distribution, on whose authority.

A :class:`Parameter` is one number of a scenario run that ``tradewar run --draws`` varies
or ``tradewar sweep`` sets: its name, central value, support ``[low, high]``, the shape
of its distribution on that support, its unit and its source. They come from two places:

* **the trade elasticities** ``theta.<SECTOR>``: centred on the World's theta, with the
  published standard error of the closest Caliendo-Parro (2015, Table 1) estimate, as
  declared (with the sector mapping and citation) in ``runs/priors/theta.yaml``;
* **the scenario file**: every measure magnitude (``<measure>.magnitude``), funding return
  (``<measure>.rate_of_return``) and production elasticity (``sigma``, ``epsilon``) that
  carries a ``range`` (see :mod:`tradewar.policy.models`), with the measure's own source.

:func:`draw_parameters` lists those of a scenario on a World; :func:`named_parameter`
finds any settable number by name (for sweeps, also numbers without a range, and
``theta.scale``, a factor on every sector's theta).
:meth:`Parameter.ppf` maps uniform quantiles ``u`` in (0, 1) to values (the inverse CDF),
so a Latin hypercube or Sobol sample in the unit cube becomes a sample of parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import yaml
from scipy import stats

from tradewar.errors import ScenarioError
from tradewar.policy import Scenario
from tradewar.policy.models import Distribution, ElasticitySetting, Magnitude, ProductivityMeasure
from tradewar.world.world import World

ParameterKind = Literal["theta", "magnitude", "return", "elasticity"]


@dataclass(frozen=True)
class Parameter:
    """One uncertain (or swept) number.

    Attributes
    ----------
    name: ``theta.SEM``, ``bis-chip-tool-licences.magnitude``, ``sigma``, ...
    kind: ``theta`` | ``magnitude`` | ``return`` | ``elasticity``.
    central: the value of the run as written (the World's theta, the scenario's number).
    low, high: the support; equal to ``central`` for a number without a range.
    shape: ``uniform`` | ``triangular`` | ``normal`` | ``lognormal`` (see
        :class:`~tradewar.policy.models.Distribution`).
    spread: ``sd`` of a normal, ``sd_log`` of a lognormal (in the unit of the number).
    unit: the unit of the number as written (``percent``, ``fraction``, ``factor`` or ``none``).
    source: where the number and its uncertainty come from.
    target: where it sits: the sector index (theta), the measure's position in
        ``Scenario.measures`` (magnitude, return) or the setting's in ``Scenario.production``.
    """

    name: str
    kind: ParameterKind
    central: float
    low: float
    high: float
    shape: str = "uniform"
    spread: float | None = None
    unit: str = "none"
    source: str = ""
    target: int = 0

    @property
    def uncertain(self) -> bool:
        """True if the number has a support wider than a point."""
        return self.high > self.low

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at the quantiles ``u`` in (0, 1) (inverse CDF of the truncated distribution)."""
        u = np.asarray(u, dtype=float)
        lo, hi, c = self.low, self.high, self.central
        if not self.uncertain:
            return np.full_like(u, c)
        if self.shape == "uniform":
            return lo + u * (hi - lo)
        if self.shape == "triangular":
            return np.asarray(stats.triang(c=(c - lo) / (hi - lo), loc=lo, scale=hi - lo).ppf(u))
        if self.shape == "normal":
            assert self.spread is not None
            a, b = (lo - c) / self.spread, (hi - c) / self.spread
            return np.asarray(stats.truncnorm(a, b, loc=c, scale=self.spread).ppf(u))
        if self.shape == "lognormal":
            assert self.spread is not None
            m = math.log(c)
            a, b = (math.log(lo) - m) / self.spread, (math.log(hi) - m) / self.spread
            return np.exp(np.asarray(stats.truncnorm(a, b, loc=m, scale=self.spread).ppf(u)))
        raise ScenarioError(f"unknown distribution {self.shape!r}", field=self.name)

    def describe(self) -> str:
        """One line: name, distribution, support, unit."""
        shape = self.shape
        if self.spread is not None:
            shape += f" ({'sd' if self.shape == 'normal' else 'sd_log'} {self.spread:g})"
        return f"{self.name}: {shape} on [{self.low:g}, {self.high:g}] around {self.central:g} {self.unit}"

    def to_dict(self) -> dict[str, Any]:
        """Plain record for ``summary.json``."""
        return {
            "name": self.name,
            "kind": self.kind,
            "central": self.central,
            "low": self.low,
            "high": self.high,
            "distribution": self.shape,
            "spread": self.spread,
            "unit": self.unit,
            "source": self.source,
        }


# ---------------------------------------------------------------------------------- theta
@cache
def theta_priors() -> dict[str, Any]:
    """The declared uncertainty of theta (``runs/priors/theta.yaml``), parsed."""
    text = resources.files("tradewar.runs").joinpath("priors/theta.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


#: ``target`` of the sweep-only parameter ``theta.scale``: a factor on every sector's theta.
ALL_SECTORS = -1


def theta_scale() -> Parameter:
    """``theta.scale``: one factor on the trade elasticities of every sector (1 = as in the World).

    For sweeps ("what if every theta were halved or doubled?"); draws vary each sector's
    theta instead.
    """
    return Parameter(
        name="theta.scale",
        kind="theta",
        central=1.0,
        low=1.0,
        high=1.0,
        unit="factor",
        source="a factor on the World's theta of every sector",
        target=ALL_SECTORS,
    )


def theta_parameters(world: World) -> list[Parameter]:
    """One ``theta.<SECTOR>`` parameter per sector of ``world`` (see the module docstring)."""
    pri = theta_priors()
    src = pri["source"]
    cite = f"{' '.join(str(src['document']).split())} ({src['date']})"
    k, floor = float(pri["truncation"]["sds"]), float(pri["truncation"]["minimum"])
    out = []
    for j, s in enumerate(world.sectors):
        c = float(world.theta.values[j])
        cp = pri["mapping"].get(s, s if s in pri["estimates"] else None)
        if cp is not None:
            name, est, se = pri["estimates"][cp]
            source = f"s.e. of {name} ({est:g}, s.e. {se:g}): {cite}"
        else:
            se = float(pri["no_estimate"]["sd"])
            source = "assumption: " + " ".join(str(pri["no_estimate"]["assumption"]).split())
        lo, hi = max(floor, c - k * se), c + k * se
        if not lo < c:  # a theta at or below the floor is held at its value
            lo = hi = c
        out.append(
            Parameter(
                name=f"theta.{s}",
                kind="theta",
                central=c,
                low=lo,
                high=hi,
                shape="normal",
                spread=float(se),
                source=source,
                target=j,
            )
        )
    return out


# ---------------------------------------------------------------------------------- scenario
def _cite(obj: Any) -> str:
    srcs = obj.source if isinstance(obj.source, list) else ([obj.source] if obj.source else [])
    parts = [f"{' '.join(s.document.split())} ({s.date})" for s in srcs]
    if getattr(obj, "assumption", None):
        parts.append("assumption: " + " ".join(str(obj.assumption).split()))
    return "; ".join(parts)


def _shape(dist: Distribution | None) -> tuple[str, float | None]:
    if dist is None:
        return "uniform", None
    return dist.kind, dist.sd if dist.kind == "normal" else dist.sd_log


def _measure_names(scenario: Scenario) -> list[str]:
    """A unique name per measure: its ``name`` (``scenario:name`` where names repeat)."""
    plain = [pm.measure.name or f"measures[{k}]" for k, pm in enumerate(scenario.measures)]
    return [
        n if plain.count(n) == 1 else f"{pm.scenario}:{n}"
        for n, pm in zip(plain, scenario.measures, strict=True)
    ]


def _elasticity_names(scenario: Scenario) -> list[str]:
    """``sigma``/``epsilon`` where the scenario sets it once, else ``sigma.1``, ``sigma.2``, ..."""
    params = [e.parameter for e in scenario.production]
    seen: dict[str, int] = {}
    out = []
    for p in params:
        seen[p] = seen.get(p, 0) + 1
        out.append(p if params.count(p) == 1 else f"{p}.{seen[p]}")
    return out


def scenario_parameters(scenario: Scenario, *, uncertain_only: bool = True) -> list[Parameter]:
    """The numbers of ``scenario`` that can be drawn or swept (those with a range by default)."""
    out: list[Parameter] = []
    for k, (pm, name) in enumerate(zip(scenario.measures, _measure_names(scenario), strict=True)):
        m = pm.measure
        mag = getattr(m, "magnitude", None)
        if isinstance(mag, Magnitude) and (mag.range is not None or not uncertain_only):
            lo, hi = mag.range if mag.range is not None else (mag.reference(), mag.reference())
            shape, spread = _shape(mag.distribution)
            out.append(
                Parameter(
                    name=f"{name}.magnitude",
                    kind="magnitude",
                    central=mag.reference(),
                    low=lo,
                    high=hi,
                    shape=shape,
                    spread=spread,
                    unit=mag.unit,
                    source=_cite(m),
                    target=k,
                )
            )
        fund = m.funding if isinstance(m, ProductivityMeasure) else None
        if fund is not None and (fund.rate_of_return_range is not None or not uncertain_only):
            r = fund.rate_of_return
            lo, hi = fund.rate_of_return_range or (r, r)
            shape, spread = _shape(fund.rate_of_return_distribution)
            out.append(
                Parameter(
                    name=f"{name}.rate_of_return",
                    kind="return",
                    central=r,
                    low=lo,
                    high=hi,
                    shape=shape,
                    spread=spread,
                    unit="fraction",
                    source=_cite(m),
                    target=k,
                )
            )
    for k, (e, name) in enumerate(zip(scenario.production, _elasticity_names(scenario), strict=True)):
        if e.range is None and uncertain_only:
            continue
        lo, hi = e.range or (e.value, e.value)
        shape, spread = _shape(e.distribution)
        out.append(
            Parameter(
                name=name,
                kind="elasticity",
                central=e.value,
                low=lo,
                high=hi,
                shape=shape,
                spread=spread,
                source=_cite(e),
                target=k,
            )
        )
    return out


def draw_parameters(scenario: Scenario, world: World, *, theta: bool = True) -> list[Parameter]:
    """Every uncertain parameter of ``scenario`` on ``world``: theta by sector, then the scenario's."""
    found = [p for p in theta_parameters(world) if p.uncertain] if theta else []
    return found + scenario_parameters(scenario)


def named_parameter(name: str, scenario: Scenario, world: World) -> Parameter:
    """The settable number called ``name`` (any magnitude, return, elasticity or theta).

    Raises
    ------
    ScenarioError
        If nothing is called so; the message lists the names that exist.
    """
    known = [*theta_parameters(world), theta_scale(), *scenario_parameters(scenario, uncertain_only=False)]
    for p in known:
        if p.name == name:
            return p
    import difflib

    names = [p.name for p in known]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    raise ScenarioError(
        f"no parameter named {name!r} in scenario {scenario.name!r} on this world",
        field="grid",
        expected=f"one of: {', '.join(names)}",
        fix=(f"did you mean {', '.join(repr(c) for c in close)}?" if close else "pick a name above"),
    )


def with_values(scenario: Scenario, params: Sequence[Parameter], values: Sequence[float]) -> Scenario:
    """``scenario`` with the scenario-file parameters set to ``values`` (theta is ignored here).

    A magnitude is set through :meth:`~tradewar.policy.models.Magnitude.scaled_to` (a
    phase-in scales in proportion); the result is a new Scenario, the input is untouched.
    """
    measures = list(scenario.measures)
    production = list(scenario.production)
    for p, x in zip(params, values, strict=True):
        if p.kind == "magnitude":
            pm = measures[p.target]
            mag = pm.measure.magnitude.scaled_to(float(x))
            measures[p.target] = replace(pm, measure=pm.measure.model_copy(update={"magnitude": mag}))
        elif p.kind == "return":
            pm = measures[p.target]
            fund = pm.measure.funding.model_copy(update={"rate_of_return": float(x)})
            measures[p.target] = replace(pm, measure=pm.measure.model_copy(update={"funding": fund}))
        elif p.kind == "elasticity":
            e: ElasticitySetting = production[p.target]
            production[p.target] = e.model_copy(update={"value": float(x)})
    return replace(scenario, measures=tuple(measures), production=tuple(production))
