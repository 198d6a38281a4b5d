"""The policy of every year as an affine function of the scenario's uncertain numbers.

Translating a scenario (:func:`tradewar.policy.translate` and
:func:`~tradewar.policy.policy_to_shock`) costs more than solving its equilibrium, so a
run of a thousand draws cannot translate each draw. It need not: for a fixed scenario
every cell of the engine's shock is written by the same measures whatever their
magnitudes, and each writes a number affine in its magnitude (``t``, ``t0 + t``,
``1 + t``, ``rate_of_return × capital / output``, a quota's share ``q``; a phase-in scales
in proportion to the number drawn, :meth:`~tradewar.policy.models.Magnitude.scaled_to`).
So, for the scenario-file parameters ``x`` (magnitudes, returns, production elasticities),

    tariff_y(x) = tariff_y(x0) + Σ_k ∂tariff_y/∂x_k (x_k - x0_k),

and likewise the trade-cost and productivity factors, the quota limits, the financing
charges of programmes and the nested-CES elasticities σ, ε. :func:`build_policy_map`
takes the derivatives by translating the scenario once per parameter (exact for affine
maps, up to rounding), keeps prohibitive cells (bans, ``inf``) fixed, and **verifies**
the map at a second point against a full translation, raising
:class:`~tradewar.errors.ModelError` if they differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from tradewar.errors import ModelError
from tradewar.model import Shock, Technology
from tradewar.policy import Scenario, policy_to_shock, scenario_technology, translate
from tradewar.runs.parameters import Parameter, with_values
from tradewar.world.world import World

#: Largest disagreement (relative to 1 + |value|) tolerated between the map and a full translation.
VERIFY_TOL = 1e-9


@dataclass(frozen=True)
class _Arrays:
    """The numbers of a policy: per year tariff, trade cost, productivity, quota limits; σ, ε."""

    tariff: np.ndarray  # [year, origin, region, product]
    trade_cost: np.ndarray  # [year, origin, region, product]
    productivity: np.ndarray  # [year, region, sector]
    limits: np.ndarray  # [year, quota] (quota counts padded with nan)
    sigma: np.ndarray | None  # [region, sector]
    epsilon: np.ndarray | None
    financing: np.ndarray | None = None  # [year, region, sector], if any year finances a programme


def _evaluate(
    scenario: Scenario, world: World, years: Sequence[int], deficits: str
) -> tuple[list[Shock], Technology | None]:
    policies = translate(scenario, world, years)
    shocks = [policy_to_shock(policies[y], world, deficits) for y in years]
    return shocks, scenario_technology(scenario, world)


def _arrays(shocks: Sequence[Shock], tech: Technology | None) -> _Arrays:
    n_q = max((len(s.quotas) for s in shocks), default=0)
    limits = np.full((len(shocks), n_q), np.nan)
    for y, s in enumerate(shocks):
        limits[y, : len(s.quotas)] = [q.limit for q in s.quotas]
    fin = None
    if any(s.financing is not None for s in shocks):
        fin = np.stack(
            [np.zeros(s.productivity.shape) if s.financing is None else s.financing.values for s in shocks]
        )
    return _Arrays(
        financing=fin,
        tariff=np.stack([s.tariff.values for s in shocks]),
        trade_cost=np.stack([s.trade_cost.values for s in shocks]),
        productivity=np.stack([s.productivity.values for s in shocks]),
        limits=limits,
        sigma=None if tech is None else np.array(tech.sigma.values),
        epsilon=None if tech is None else np.array(tech.epsilon.values),
    )


def _slope(a: np.ndarray | None, b: np.ndarray | None, dx: float, what: str) -> np.ndarray | None:
    if a is None or b is None:
        if (a is None) != (b is None):
            raise ModelError(f"the {what} appears or disappears with a parameter", field=what)
        return None
    if a.shape != b.shape:
        raise ModelError(f"the {what} changes shape with a parameter", field=what)
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb) or not np.array_equal(np.isnan(a), np.isnan(b)):
        raise ModelError(
            f"a parameter switches cells of the {what} between finite and prohibitive",
            field=what,
            fix="this is a bug: report the scenario",
        )
    with np.errstate(invalid="ignore"):
        return np.where(fa, (b - a) / dx, 0.0)


@dataclass(frozen=True)
class PolicyMap:
    """The shocks of every year and the technology as affine functions of ``params``.

    Attributes
    ----------
    years: the years, in order.
    params: the scenario-file parameters (theta is not here: it lives in the Baseline).
    central: their values as written.
    shocks: the central Shock of each year; technology: the central Technology (or None).
    """

    years: tuple[int, ...]
    params: tuple[Parameter, ...]
    central: np.ndarray
    shocks: tuple[Shock, ...]
    technology: Technology | None
    base: _Arrays
    slopes: tuple[_Arrays, ...]

    def arrays(self, values: Sequence[float]) -> _Arrays:
        """The policy's numbers at ``values`` of :attr:`params`."""
        dv = np.asarray(values, dtype=float) - self.central
        b = self.base

        def comb(get: Any) -> Any:
            base = get(b)
            if base is None:
                return None
            out = np.array(base, dtype=float)
            for d, s in zip(dv, self.slopes, strict=True):
                if d != 0.0:
                    out = out + d * get(s)
            return out

        return _Arrays(
            tariff=comb(lambda a: a.tariff),
            trade_cost=comb(lambda a: a.trade_cost),
            productivity=comb(lambda a: a.productivity),
            limits=comb(lambda a: a.limits),
            sigma=comb(lambda a: a.sigma),
            epsilon=comb(lambda a: a.epsilon),
            financing=comb(lambda a: a.financing),
        )

    def at(self, values: Sequence[float]) -> tuple[list[Shock], Technology | None]:
        """The shock of each year and the technology at ``values`` of :attr:`params`."""
        if not self.params:
            return list(self.shocks), self.technology
        a = self.arrays(values)
        shocks = []
        for y, s0 in enumerate(self.shocks):
            quotas = tuple(replace(q, limit=float(a.limits[y, k])) for k, q in enumerate(s0.quotas))
            tariff = s0.tariff.copy(data=a.tariff[y])
            trade_cost = s0.trade_cost.copy(data=a.trade_cost[y])
            productivity = s0.productivity.copy(data=a.productivity[y])
            for v in (tariff, trade_cost, productivity):
                v.values.flags.writeable = False
            shock = replace(
                s0, quotas=quotas, tariff=tariff, trade_cost=trade_cost, productivity=productivity
            )
            if s0.financing is not None:
                assert a.financing is not None
                financing = s0.financing.copy(data=a.financing[y])
                financing.values.flags.writeable = False
                shock = replace(shock, financing=financing)
            shocks.append(shock)
        tech = self.technology
        if tech is not None:
            assert a.sigma is not None and a.epsilon is not None
            tech = replace(
                tech, sigma=tech.sigma.copy(data=a.sigma), epsilon=tech.epsilon.copy(data=a.epsilon)
            )
        return shocks, tech


def build_policy_map(
    scenario: Scenario,
    world: World,
    years: Sequence[int],
    deficits: str,
    params: Sequence[Parameter],
    *,
    probe: Sequence[float] | None = None,
    check: Sequence[float] | None = None,
) -> PolicyMap:
    """Translate ``scenario`` at its central values and once per parameter; verify once.

    Parameters
    ----------
    params: scenario-file parameters (``magnitude``, ``return``, ``elasticity``).
    probe: the value at which each parameter's slope is taken (default: the end of its
        range farthest from the central value); any valid value other than the central one.
    check: a point at which the map is checked against a full translation (default: every
        parameter at the other end of its range).

    Raises
    ------
    ModelError
        If the map disagrees with the full translation (the scenario is not affine in a
        parameter: a bug, never silently ignored).
    """
    params = tuple(p for p in params if p.kind != "theta")
    central = np.array([p.central for p in params], dtype=float)
    shocks, tech = _evaluate(scenario, world, years, deficits)
    base = _arrays(shocks, tech)
    if probe is None:
        probe = [p.high if abs(p.high - p.central) >= abs(p.low - p.central) else p.low for p in params]
    slopes = []
    for k, (p, x) in enumerate(zip(params, probe, strict=True)):
        dx = float(x) - p.central
        if dx == 0.0:
            raise ModelError(f"parameter {p.name} has no probe value besides its central one", field=p.name)
        values = central.copy()
        values[k] = x
        a = _arrays(*_evaluate(with_values(scenario, params, values.tolist()), world, years, deficits))
        slopes.append(
            _Arrays(
                tariff=_slope(base.tariff, a.tariff, dx, "tariffs"),  # type: ignore[arg-type]
                trade_cost=_slope(base.trade_cost, a.trade_cost, dx, "trade costs"),  # type: ignore[arg-type]
                productivity=_slope(base.productivity, a.productivity, dx, "productivity"),  # type: ignore[arg-type]
                limits=_slope(base.limits, a.limits, dx, "quota limits"),  # type: ignore[arg-type]
                sigma=_slope(base.sigma, a.sigma, dx, "elasticity sigma"),
                epsilon=_slope(base.epsilon, a.epsilon, dx, "elasticity epsilon"),
                financing=_slope(base.financing, a.financing, dx, "programme financing"),
            )
        )
    pmap = PolicyMap(
        years=tuple(years),
        params=params,
        central=central,
        shocks=tuple(shocks),
        technology=tech,
        base=base,
        slopes=tuple(slopes),
    )
    if params:
        point = (
            list(check)
            if check is not None
            else [p.low if x == p.high else p.high for p, x in zip(params, probe, strict=True)]
        )
        _verify(pmap, scenario, world, years, deficits, point)
    return pmap


def _verify(
    pmap: PolicyMap, scenario: Scenario, world: World, years: Sequence[int], deficits: str, point: list[float]
) -> None:
    want = _arrays(*_evaluate(with_values(scenario, pmap.params, point), world, years, deficits))
    got = pmap.arrays(point)
    for field in ("tariff", "trade_cost", "productivity", "limits", "sigma", "epsilon", "financing"):
        a, b = getattr(want, field), getattr(got, field)
        if a is None and b is None:
            continue
        fin = np.isfinite(a)
        same_pattern = np.array_equal(fin, np.isfinite(b))
        err = np.abs(a[fin] - b[fin]) / (1.0 + np.abs(a[fin])) if same_pattern else np.array([np.inf])
        if err.size and float(err.max()) > VERIFY_TOL:
            raise ModelError(
                f"the affine policy map disagrees with a full translation in {field} "
                f"(relative error {float(err.max()):.2e})",
                field=field,
                fix="this is a bug: report the scenario and the parameters",
            )
