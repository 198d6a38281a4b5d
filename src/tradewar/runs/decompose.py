r"""Per-measure decomposition of a run's results ("subtotals", Harrison, Horridge and Pearson 2000).

Harrison, Horridge and Pearson (2000, "Decomposing simulation results with respect to
exogenous shocks", *Computational Economics* 15, 227-249) split the change of every
endogenous variable ``f`` into the contributions of the exogenous shocks by integrating
along a path ``x(s)`` from the initial to the final values of the exogenous variables:

.. math:: f(x(1)) - f(x(0)) = \int_0^1 \sum_k \frac{\partial f}{\partial x}\,
          \frac{d x_k}{d s}\, ds = \sum_k C_k, \qquad
          C_k = \int_0^1 \frac{\partial f}{\partial s_k}\, ds .

The contribution of a group of shocks is the sum of its members'. Like GEMPACK, tradewar
takes the straight line in the natural variables, every shock scaled jointly by ``s``:

* tariffs: ``ln(1 + t)``;
* iceberg trade costs: ``ln d̂``; a cell that is prohibitive (``d̂ = ∞``, a ban) in any
  state moves instead along ``φ = d̂^{-θ_j}`` (the shifter of its trade share,
  ``π' ∝ φ``) from 1 to its final value, so a ban is approached continuously;
* productivity: ``ln Â``;
* financing charges of funded programmes (:meth:`tradewar.model.Shock.with_financing`):
  the investment goods ``G`` they buy, linearly (a value at baseline prices);
* quotas (and quota bans): each constrained group's limit moves linearly from the
  baseline quantity of its flows (fraction 1, the status quo) to its limit (fraction 0
  for a ban); the engine solves the complementarity problem at every point, so a quota
  that starts binding midway contributes from there on.

**The shock of a measure.** For each year, measures are applied in the scenario's order
(:func:`tradewar.policy.translate` of the first ``k`` measures gives the policy state
``S_k``); measure ``k``'s shock is the change it makes, ``S_k - S_{k-1}``, in the natural
variables. These increments add up exactly to the year's whole shock, whatever the
composition rules of :mod:`tradewar.policy.shocks` are; where a later measure overrides
an earlier one on a cell it is credited with the difference it makes. Quotas are kept
per quota: a later quota replaces an earlier one on the flows they share (the engine's
rule), so those flows are the later measure's. Measures not in force in the year have
no shock and get exactly zero.

**Numerical scheme** (GEMPACK's subtotals with exact step points, refined until the
linearisation is accurate). With ``n`` equal steps on ``s``:

1. the equilibrium is solved *exactly* at every step point ``s_m = m/n`` (warm-started
   from the previous one), giving the exact change ``ΔF_m`` of every result over step m;
2. within each step the linearised contribution of measure ``k``,
   ``c_km = ∫ ∂f/∂s_k ds``, is integrated by Gauss-Legendre quadrature (``nodes``
   points, default 3, exact for polynomials of degree 5); at each node the equilibrium is
   solved exactly and the derivative taken by a directional finite difference
   ``(f(s + h e_k) - f(s)) / h`` (a solve warm-started from the node, ``h = fd_step``);
3. the step's exact change is allocated to the measures in proportion to their
   linearised contributions: ``C_k += c_km + r_m |c_km| / Σ_l |c_lm|`` with the step
   residual ``r_m = ΔF_m - Σ_l c_lm`` (with contributions of one sign this is exactly
   ``ΔF_m c_km / Σ_l c_lm``). Hence ``Σ_k C_k = F(1) - F(0)`` to rounding, for every
   ``n``;
4. the residual measures how good the linearisation is: while some step's ``|r_m|``
   exceeds ``rtol`` times the largest exact step change of the same variable, the steps
   are halved (``n = 1, 2, 4, ...`` up to ``max_steps``; step points are reused).

A year whose measures' shocks are those of an earlier year (measures fully phased in)
reuses that year's contributions (``reuse=True``, the default).

On the default world's ``trade-war-2026`` (15 measures) one step with three nodes leaves
residuals of 3e-4 to 3e-3 and contributions within about 1e-3 (relative to the largest
contribution to the variable) of a 16-step reference; it costs ``4 + 3K`` solves per year, most of them
warm-started (``benchmarks/bench_decompose.py``).

Results decomposed (rows of :attr:`Decomposition.table`): ``welfare_pct`` and
``ev_usd_bn`` (equivalent variation, :mod:`tradewar.runs.money`) and ``real_wage_pct`` by
region; ``output_change_pct`` (real) and ``output_change_usd_bn`` by region and sector;
``trade_change_usd_bn`` by flow (origin, region, product; international flows with
baseline trade); ``self_sufficiency`` (domestic output / domestic use, a ratio) by region
and chokepoint sector, where defined. Money columns are in the World's unit when it is not
a USD unit (the ``unit`` column says which).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from tradewar.errors import ConvergenceError, ModelError, ScenarioError
from tradewar.policy import Scenario, policy_to_shock, scenario_technology, translate
from tradewar.runs.money import usd_bn_per_unit
from tradewar.runs.result import ScenarioRun

if TYPE_CHECKING:
    from tradewar.model import Baseline, Equilibrium, Quota, Shock

DecomposeBy = Literal["measure", "group"]
#: How contributions can be grouped: each measure, or each scenario file (``group``).
DECOMPOSE_BY: tuple[str, ...] = ("measure", "group")

#: Columns of ``contributions.csv``.
CONTRIBUTION_COLUMNS = (
    "scenario",
    "year",
    "variable",
    "unit",
    "region",
    "origin",
    "sector",
    "measure",
    "contribution",
    "total",
)

FloatArray = np.ndarray


@dataclass(frozen=True)
class MeasureShocks:
    """The year's shock split into the shocks of K measures (or groups), natural variables.

    Arrays are in the Shock's order ``[origin, region, product]`` / ``[region, sector]``.

    Attributes
    ----------
    names: the K measures (or groups).
    log_tau0: baseline ``ln(1 + t)``.
    d_log_tau: ``[K, ...]`` increments of ``ln(1 + t)``.
    d_log_d: ``[K, ...]`` increments of ``ln d̂`` (zero on ``phi_cells``).
    d_phi: ``[K, ...]`` increments of ``φ = d̂^{-θ}`` on ``phi_cells`` (zero elsewhere).
    phi_cells: cells prohibitive in some state (they move along ``φ``).
    d_log_A: ``[K, region, sector]`` increments of ``ln Â``.
    d_financing: ``[K, region, sector]`` increments of the investment goods ``G`` bought
        with financing charges (World unit at baseline prices; None: no financing).
    quotas: one template per constrained group: (Quota over the group's flows, owning
        measure index, final limit as a fraction of the baseline quantity).
    """

    names: tuple[str, ...]
    log_tau0: FloatArray
    d_log_tau: FloatArray
    d_log_d: FloatArray
    d_phi: FloatArray
    phi_cells: np.ndarray
    d_log_A: FloatArray
    quotas: tuple[tuple[Quota, int, float], ...]
    theta: FloatArray
    d_financing: FloatArray | None = None

    @property
    def active(self) -> np.ndarray:
        """Measures with a non-zero shock this year."""
        moves = [
            np.abs(a).reshape(len(self.names), -1).max(axis=1, initial=0.0) > 0
            for a in (self.d_log_tau, self.d_log_d, self.d_phi, self.d_log_A)
        ]
        if self.d_financing is not None:
            moves.append(np.abs(self.d_financing).reshape(len(self.names), -1).max(axis=1) > 0)
        out = np.logical_or.reduce(moves)
        for _, k, _ in self.quotas:
            out[k] = True
        return np.asarray(out)

    def fingerprint(self) -> str:
        """A digest of the shocks (equal digests: the same path, the same contributions)."""
        h = hashlib.sha256(repr(self.names).encode())
        arrays = [self.d_log_tau, self.d_log_d, self.d_phi, self.phi_cells, self.d_log_A]
        if self.d_financing is not None:
            arrays.append(self.d_financing)
        for a in arrays:
            h.update(np.ascontiguousarray(a).tobytes())
        for q, k, target in self.quotas:
            h.update(np.ascontiguousarray(q.mask).tobytes())
            h.update(repr((k, target, q.rent)).encode())
        return h.hexdigest()

    def shock_at(self, none: Shock, s: FloatArray, deficits: str) -> Shock:
        """The Shock at path parameters ``s[K]`` (``s = 1``: the year's shock, ``0``: none).

        The arrays share ``none``'s (immutable) coordinates: building a point costs no
        label copies.
        """
        from tradewar.model import Quota

        lt = self.log_tau0 + np.tensordot(s, self.d_log_tau, axes=1)
        ld = np.tensordot(s, self.d_log_d, axes=1)
        d_hat = np.exp(ld)
        if self.phi_cells.any():
            phi = np.maximum(1.0 + np.tensordot(s, self.d_phi, axes=1), 0.0)
            with np.errstate(divide="ignore"):
                d_phi = np.where(phi > 0, phi ** (-1.0 / self.theta), np.inf)
            d_hat = np.where(self.phi_cells, d_phi, d_hat)
        prod = np.exp(np.tensordot(s, self.d_log_A, axes=1))
        quotas = tuple(
            Quota(
                mask=q.mask,
                limit=max(1.0 + float(s[k]) * (target - 1.0), 0.0),
                unit="fraction",
                rent=q.rent,
                pooled=True,
                label=q.label,
            )
            for q, k, target in self.quotas
        )
        financing = None
        if self.d_financing is not None:
            financing = none.productivity.copy(data=np.tensordot(s, self.d_financing, axes=1), deep=False)
        return replace(
            none,
            financing=financing,
            tariff=none.tariff.copy(data=np.expm1(lt), deep=False),
            trade_cost=none.trade_cost.copy(data=d_hat, deep=False),
            productivity=none.productivity.copy(data=prod, deep=False),
            quotas=quotas,
            deficits=deficits,  # type: ignore[arg-type]
            description=(f"decomposition path point s={np.round(s, 6).tolist()}",),
        )


_KNOWN_SHOCK_FIELDS = {
    "tariff", "trade_cost", "productivity", "quotas", "financing", "deficits", "description", "technology"
}  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if hasattr(a, "equals"):
        return bool(a.equals(b))
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return bool(a == b)


def _financing(policy: Any, shape: tuple[int, ...]) -> FloatArray:
    """Investment goods ``G[region, sector]`` bought with the policy's financing charges (0: none)."""
    g = getattr(policy, "financing", None)
    if g is None:
        return np.zeros(shape)
    return np.asarray(g.transpose("region", "sector").values, dtype=float)


def measure_shocks(
    scenario: Scenario,
    world: Any,
    base: Baseline,
    years: Sequence[int],
    deficits: str,
    by: DecomposeBy = "measure",
) -> dict[int, MeasureShocks]:
    """Split each year's shock into the shocks of the measures (or groups); see the module docstring."""
    from tradewar.model import Shock
    from tradewar.model.quotas import QuotaSystem
    from tradewar.policy.models import TariffScheduleMeasure
    from tradewar.policy.schedule import schedule_for_measure

    if by not in DECOMPOSE_BY:
        raise ScenarioError(
            f"cannot decompose by {by!r}", field="decompose", expected=" | ".join(DECOMPOSE_BY)
        )
    measures = scenario.measures
    if not measures:
        raise ScenarioError(f"scenario {scenario.name!r} has no measure to decompose by", field="measures")
    owners = [pm.label if by == "measure" else pm.scenario for pm in measures]
    names = tuple(dict.fromkeys(owners))
    owner_ix = [names.index(o) for o in owners]
    K = len(names)
    sched = {
        k: schedule_for_measure(pm, world)
        for k, pm in enumerate(measures)
        if isinstance(pm.measure, TariffScheduleMeasure) and any(pm.measure.years.contains(y) for y in years)
    }
    states = [
        translate(replace(scenario, measures=measures[:k]), world, years, schedules=sched)
        for k in range(len(measures) + 1)
    ]
    none = Shock.none(base)
    theta = np.asarray(base.theta, dtype=float)
    tau0 = np.asarray(none.tariff.values, dtype=float)
    out: dict[int, MeasureShocks] = {}
    for y in years:
        policies = [st[y] for st in states]
        full = policy_to_shock(policies[-1], world, deficits)
        for f in fields(full):
            if f.name not in _KNOWN_SHOCK_FIELDS and not _same(getattr(full, f.name), getattr(none, f.name)):
                raise ModelError(
                    f"the decomposition cannot move the shock's {f.name!r} along a path",
                    field=f.name,
                    fix="decompose a scenario without it, or extend tradewar.runs.decompose",
                )
        # the policy states' arrays are the Shock's (policy_to_shock hands them over whole;
        # the engine ignores the diagonal)
        lt = np.stack([np.log1p(np.asarray(p.tariff.values, dtype=float)) for p in policies])
        d = np.stack([np.asarray(p.trade_cost.values, dtype=float) for p in policies])
        lA = np.stack([np.log(np.asarray(p.productivity.values, dtype=float)) for p in policies])
        diag = np.eye(len(base.regions), dtype=bool)
        lt[:, diag, :] = np.log1p(tau0)[diag, :]
        d[:, diag, :] = 1.0
        phi_cells = np.isinf(d).any(axis=0)
        with np.errstate(divide="ignore"):
            ld = np.where(phi_cells[None], 0.0, np.log(np.where(np.isinf(d), 1.0, d)))
            phi = np.where(phi_cells[None], d ** (-theta), 0.0)
        d_lt = np.zeros((K, *lt.shape[1:]))
        d_ld = np.zeros_like(d_lt)
        d_phi = np.zeros_like(d_lt)
        d_lA = np.zeros((K, *lA.shape[1:]))
        G = np.stack([_financing(p, lA.shape[1:]) for p in policies])
        d_G = np.zeros_like(d_lA) if G.any() else None
        for m, k in enumerate(owner_ix):
            if d_G is not None:
                d_G[k] += G[m + 1] - G[m]
            d_lt[k] += lt[m + 1] - lt[m]
            d_ld[k] += ld[m + 1] - ld[m]
            d_phi[k] += phi[m + 1] - phi[m]
            d_lA[k] += lA[m + 1] - lA[m]
        # quotas: the j-th quota of the year's shock belongs to the measure that added it
        counts = [len(p.quotas) for p in policies]
        quota_owner = [owner_ix[m] for m in range(len(measures)) for _ in range(counts[m + 1] - counts[m])]
        templates: list[tuple[Quota, int, float]] = []
        if full.quotas:
            qs = QuotaSystem.build(base, full.quotas)
            N, J = base.shape
            index = {id(q): j for j, q in enumerate(full.quotas)}
            base_q = np.bincount(qs.group, weights=qs.M0, minlength=qs.n_groups)
            groups: list[tuple[Quota, np.ndarray, float]] = [
                (qs.quotas[g], qs.cell[qs.group == g], float(qs.limit[g] / base_q[g]))
                for g in range(qs.n_groups)
            ]
            groups += [(q, flat, 0.0) for q, flat in qs.bans]
            for q, flat, target in groups:
                cp = np.zeros((N, N, J), dtype=bool)
                cp.reshape(-1)[flat] = True
                mask = np.ascontiguousarray(cp.transpose(1, 0, 2))  # [n, i, j] -> [origin, region, product]
                mask.flags.writeable = False
                templates.append((replace(q, mask=mask), quota_owner[index[id(q)]], target))
        out[y] = MeasureShocks(
            names=names,
            log_tau0=np.log1p(tau0),
            d_log_tau=d_lt,
            d_log_d=d_ld,
            d_phi=d_phi,
            phi_cells=phi_cells,
            d_log_A=d_lA,
            quotas=tuple(templates),
            theta=theta,
            d_financing=d_G,
        )
    return out


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class _Layout:
    """Which results are decomposed and how each entry of the result vector is labelled."""

    rows: pd.DataFrame  # variable, unit, region, origin, sector of each entry
    flow_cells: np.ndarray  # flat [n, i, j] indices of the flows
    ss_cells: np.ndarray  # flat [n, j] indices of the defined self-sufficiency cells
    choke_ix: np.ndarray  # sector indices of the chokepoints
    ev_scale: FloatArray  # baseline income x money factor / 100, by region
    out_scale: FloatArray  # baseline output x money factor / 100, by cell
    money: float  # money factor (USD bn per world unit, or 1)

    @property
    def blocks(self) -> np.ndarray:
        """Variable index of each result (tolerances are relative within a variable)."""
        return np.asarray(pd.factorize(self.rows["variable"])[0])

    @classmethod
    def build(cls, base: Baseline, chokepoints: Sequence[str], unit: str) -> _Layout:
        N, J = base.shape
        regions, sectors = list(base.regions), list(base.sectors)
        usd = usd_bn_per_unit(unit)
        money_unit = "USD bn" if usd is not None else unit
        factor = usd if usd is not None else 1.0
        trade0 = np.asarray(base.trade)  # [n, i, j]
        intl = ~np.eye(N, dtype=bool)[:, :, None] & (trade0 > 0)
        flow_cells = np.flatnonzero(intl)
        n_f, i_f, j_f = np.unravel_index(flow_cells, (N, N, J))
        choke_ix = np.array([sectors.index(c) for c in chokepoints if c in sectors], dtype=int)
        use0 = trade0.sum(axis=1)  # [n, j]
        ss_mask = np.zeros((N, J), dtype=bool)
        ss_mask[:, choke_ix] = use0[:, choke_ix] > 0
        ss_cells = np.flatnonzero(ss_mask)
        n_s, j_s = np.unravel_index(ss_cells, (N, J))
        rr, ss = np.repeat(regions, J), np.tile(sectors, N)
        ss_sectors = [sectors[j] for j in j_s]

        def money_name(stem: str) -> str:
            return f"{stem}_usd_bn" if usd is not None else stem

        parts = [
            ("welfare_pct", "%", regions, [""] * N, [""] * N),
            (money_name("ev"), money_unit, regions, [""] * N, [""] * N),
            ("real_wage_pct", "%", regions, [""] * N, [""] * N),
            ("output_change_pct", "%", rr, [""] * (N * J), ss),
            (money_name("output_change"), money_unit, rr, [""] * (N * J), ss),
            (
                money_name("trade_change"),
                money_unit,
                [regions[n] for n in n_f],
                [regions[i] for i in i_f],
                [sectors[j] for j in j_f],
            ),
            ("self_sufficiency", "ratio", [regions[n] for n in n_s], [""] * len(n_s), ss_sectors),
        ]
        rows = pd.concat(
            [
                pd.DataFrame({"variable": v, "unit": u, "region": r, "origin": o, "sector": s})
                for v, u, r, o, s in parts
            ],
            ignore_index=True,
        )
        return cls(
            rows=rows,
            flow_cells=flow_cells,
            ss_cells=ss_cells,
            choke_ix=choke_ix,
            ev_scale=np.asarray(base.income) * factor / 100.0,
            out_scale=np.asarray(base.output).reshape(-1) * factor / 100.0,
            money=factor,
        )

    def vector(self, eq: Equilibrium) -> FloatArray:
        """The decomposed results of one equilibrium, in the order of :attr:`rows`."""
        b = eq.baseline
        welfare = 100.0 * (eq.welfare_hat - 1.0)
        real_wage = 100.0 * (eq.w_hat / eq.price_index_hat - 1.0)
        y0 = np.asarray(b.output)
        with np.errstate(invalid="ignore", divide="ignore"):
            real = np.where(y0 > 0, eq.Y / np.where(y0 > 0, y0, 1.0) / np.exp(eq.log_c), 1.0)
        output = (100.0 * (real - 1.0)).reshape(-1)
        trade = (eq.trade - np.asarray(b.trade)).reshape(-1)[self.flow_cells] * self.money
        return np.concatenate(
            [
                welfare,
                welfare * self.ev_scale,
                real_wage,
                output,
                output * self.out_scale,
                trade,
                self_sufficiency_array(eq).reshape(-1)[self.ss_cells],
            ]
        )


def self_sufficiency_array(eq: Equilibrium) -> FloatArray:
    """Domestic output over domestic use at basic prices, ``[n, j]``, from an equilibrium's arrays.

    ``M'_nij = π'_nij / (1 + t'_nij) X'_nj`` (divided by ``1 + ω`` on flows whose quota rent
    goes to the importer, as in :meth:`~tradewar.model.Equilibrium.counterfactual_world`),
    ``x'_ij = Σ_n M'_nij``, ``U'_nj = Σ_i M'_nij``, ``ss = x' / U'`` (NaN where ``U' = 0``).
    """
    share = eq.pi / eq.tau
    qs = eq.quota_system
    if qs is not None and qs.n_groups:
        imp = qs.rent[qs.group] == 1
        flat = qs.cell[imp]
        share = share.copy()
        share.reshape(-1)[flat] /= 1.0 + eq.omega.reshape(-1)[flat]
    M = share * eq.X[:, None, :]
    use = M.sum(axis=1)
    made = M.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(use > 0, made / np.where(use > 0, use, 1.0), np.nan))


# ----------------------------------------------------------------------------- integration
@dataclass(frozen=True)
class YearDecomposition:
    """Contributions in one year: ``contributions[K, R]`` to the ``total[R]`` of R results.

    ``refinement`` is the worst step residual relative to the variable's largest step
    change (see :func:`integrate_path`); ``converged``: below ``rtol``.
    """

    year: int
    contributions: FloatArray
    total: FloatArray
    steps: int
    refinement: float
    converged: bool
    solves: int


def integrate_path(
    evaluate: Callable[[FloatArray, Any], tuple[FloatArray, Any]],
    active: np.ndarray,
    blocks: np.ndarray | None = None,
    *,
    rtol: float = 1e-2,
    max_steps: int = 8,
    fd_step: float = 1e-4,
    nodes: int = 3,
) -> tuple[FloatArray, FloatArray, int, float, bool, int]:
    r"""Contributions of K path parameters to the change of a result vector; see the module docstring.

    Parameters
    ----------
    evaluate: ``evaluate(s, warm) -> (f, state)``: the results ``f[R]`` at path parameters
        ``s[K]``, solved exactly (``warm``: a state returned earlier, a warm start).
    active: ``[K]`` parameters that move anything (the others get exactly zero).
    blocks: ``[R]`` block (variable) of each result; tolerances are relative to the
        largest absolute change within a block.
    rtol: steps are halved until, in every step, the exact change differs from the sum of
        the linearised contributions by at most ``rtol`` times the largest exact step
        change of the block.
    max_steps: largest number of steps.
    fd_step: ``h`` of the directional finite differences, in units of the whole path.
    nodes: Gauss-Legendre nodes per step (1: the midpoint rule).

    Returns
    -------
    (contributions [K, R], total [R], steps, worst relative step residual, converged, evaluations)
    """
    K = len(active)
    ones = np.ones(K)
    calls = 0
    x_g, w_g = np.polynomial.legendre.leggauss(nodes)

    def at(s: float, warm: Any) -> tuple[FloatArray, Any]:
        nonlocal calls
        calls += 1
        return evaluate(s * ones, warm)

    f0, st0 = at(0.0, None)
    points: dict[float, tuple[FloatArray, Any]] = {0.0: (f0, st0)}
    points[1.0] = at(1.0, st0)
    total = points[1.0][0] - f0
    R = total.size
    blk = np.zeros(R, dtype=int) if blocks is None else np.asarray(blocks)
    act = np.flatnonzero(active)

    def slopes(s0: float, warm: Any) -> FloatArray:
        nonlocal calls
        f_s, st_s = at(s0, warm)
        d = np.zeros((K, R))
        for k in act:
            s = s0 * ones
            s[k] += fd_step
            calls += 1
            d[k] = (evaluate(s, st_s)[0] - f_s) / fd_step
        return d

    def scale_of(x: FloatArray) -> FloatArray:
        big = np.zeros(blk.max() + 1)
        np.maximum.at(big, blk, np.abs(x).max(axis=0) if x.ndim > 1 else np.abs(x))
        return np.maximum(big[blk], 1e-300)

    n = 1
    while True:
        C = np.zeros((K, R))
        worst = 0.0
        steps = [(m / n, (m + 1) / n) for m in range(n)]
        diffs = []
        for a, b in steps:
            if b not in points:
                points[b] = at(b, points[a][1])
            diffs.append(points[b][0] - points[a][0])
        size = scale_of(np.stack(diffs))
        for (a, b), exact in zip(steps, diffs, strict=True):
            half = (b - a) / 2
            c = np.zeros((K, R))
            for xg, wg in zip(x_g, w_g, strict=True):
                c += wg * half * slopes(a + half * (1 + xg), points[a][1])
            resid = exact - c.sum(axis=0)
            worst = max(worst, float(np.max(np.abs(resid) / size, initial=0.0)))
            weight = np.abs(c)
            wsum = weight.sum(axis=0)
            share = np.where(wsum > 0, weight / np.where(wsum > 0, wsum, 1.0), 0.0)
            if len(act):
                share[act] += np.where(wsum > 0, 0.0, 1.0 / len(act))
            C += c + resid * share
        converged = worst <= rtol or len(act) <= 1
        if converged or 2 * n > max_steps:
            return C, total, n, worst, converged, calls
        n *= 2


@dataclass(frozen=True)
class Decomposition:
    """Contributions of each measure (or group) to a run's results, year by year.

    Attributes
    ----------
    scenario: the scenario's name.
    by: ``"measure"`` or ``"group"``.
    names: the measures (or groups), in the scenario's order.
    table: long table with :data:`CONTRIBUTION_COLUMNS` (one row per result, year and measure).
    years: the per-year records (steps, refinement, converged, solves).
    seconds: wall time.
    """

    scenario: str
    by: str
    names: tuple[str, ...]
    table: pd.DataFrame
    years: tuple[YearDecomposition, ...]
    seconds: float

    def output_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(contributions.csv, contributions_flows.parquet)`` tables.

        The CSV has every result except the product-level trade flows, which it carries
        summed over products (``sector = "all"``, one row per exporter and importer); the
        product-level flows go to the Parquet table (same columns). Sums of contributions
        are sums, so both keep the exact adding-up.
        """
        t = self.table
        flows = t["origin"] != ""
        keys = ["scenario", "year", "variable", "unit", "region", "origin", "measure"]
        pairs = t[flows].groupby(keys, sort=False)[["contribution", "total"]].sum().reset_index()
        pairs["sector"] = "all"
        csv = pd.concat([t[~flows], pairs[list(CONTRIBUTION_COLUMNS)]], ignore_index=True)
        return csv, t[flows].reset_index(drop=True)

    def max_sum_error(self) -> float:
        """Largest ``|Σ_k C_k - total|`` over all results and years, relative to ``max(|total|, 1)``."""
        g = self.table.groupby(["year", "variable", "region", "origin", "sector"], sort=False)
        s = g["contribution"].sum()
        t = g["total"].first()
        return float(np.max(np.abs(s - t).to_numpy() / np.maximum(np.abs(t).to_numpy(), 1.0), initial=0.0))

    def summary(self) -> dict[str, Any]:
        """A JSON-ready record of the method and its convergence."""
        return {
            "by": self.by,
            "measures": list(self.names),
            "method": "Harrison-Horridge-Pearson (2000) path integral: exact solves at the step "
            "points, Gauss-Legendre quadrature of derivatives by warm-started finite differences, "
            "each step's exact change allocated in proportion to the linearised contributions",
            "seconds": self.seconds,
            "years": [
                {
                    "year": y.year,
                    "steps": y.steps,
                    "worst_step_residual": y.refinement,
                    "converged": y.converged,
                    "solves": y.solves,
                }
                for y in self.years
            ],
        }


def decompose_run(
    run: ScenarioRun,
    *,
    by: DecomposeBy = "measure",
    baseline: Baseline | None = None,
    tol: float = 1e-10,
    max_iter: int = 2000,
    rtol: float = 1e-2,
    max_steps: int = 8,
    fd_step: float = 1e-4,
    nodes: int = 3,
    reuse: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> Decomposition:
    """Decompose every result of ``run`` into the contributions of its measures (or groups).

    Parameters
    ----------
    run: a run of :func:`tradewar.runs.run_scenario` (its scenario, World, years, deficit
        rule and technology are used; its totals are reproduced).
    by: ``"measure"`` (each measure) or ``"group"`` (each scenario file of the composition).
    baseline: the engine Baseline of ``run.world`` (saves rebuilding it).
    tol, max_iter: solver settings (as the run's).
    rtol, max_steps, fd_step, nodes: see :func:`integrate_path`.
    reuse: a year whose measures' shocks equal an earlier year's (measures fully phased in)
        takes that year's contributions instead of integrating again (its ``solves`` is 0).
    progress: called as ``progress(label, done)`` after each year.

    Returns
    -------
    Decomposition
        Contributions that add up to each result's total change (to rounding).
    """
    from tradewar.model import Baseline, solve
    from tradewar.runs.single import engine_baseline

    t0 = time.perf_counter()
    world = run.world
    tech = scenario_technology(run.scenario, world)
    base = engine_baseline(
        world, run.deficits, tech, baseline=baseline if baseline is not None else Baseline.from_world(world),
        tol=tol, max_iter=max_iter,
    )  # fmt: skip
    from tradewar.model import Shock

    none = Shock.none(base)
    shocks = measure_shocks(run.scenario, world, base, run.years, run.deficits, by)
    layout = _Layout.build(base, run.chokepoints, world.meta.unit)
    records: list[YearDecomposition] = []
    frames: list[pd.DataFrame] = []
    names: tuple[str, ...] = ()
    done_states: dict[str, tuple[FloatArray, FloatArray, int, float, bool]] = {}
    for done, y in enumerate(run.years, start=1):
        ms = shocks[y]
        names = ms.names

        def evaluate(s: FloatArray, warm: Any, ms: MeasureShocks = ms, y: int = y) -> tuple[FloatArray, Any]:
            try:
                eq = solve(base, ms.shock_at(none, s, run.deficits), tol=tol, max_iter=max_iter,
                           technology=tech, initial=warm)  # fmt: skip
            except ConvergenceError as err:
                raise ConvergenceError(
                    f"decomposition of {run.scenario.name!r}, year {y}, at s={np.round(s, 4).tolist()}: "
                    f"{err.message}",
                    residual=err.residual,
                    iterations=err.iterations,
                    tolerance=err.tolerance,
                ) from None
            return layout.vector(eq), eq

        key = ms.fingerprint()
        if reuse and key in done_states:  # the same policy state as an earlier year
            C, total, steps, change, ok = done_states[key]
            calls = 0
        else:
            C, total, steps, change, ok, calls = integrate_path(
                evaluate,
                ms.active,
                layout.blocks,
                rtol=rtol,
                max_steps=max_steps,
                fd_step=fd_step,
                nodes=nodes,
            )
            done_states[key] = (C, total, steps, change, ok)
        if not (np.isfinite(C).all() and np.isfinite(total).all()):
            raise ModelError(
                f"the decomposition of {run.scenario.name!r} in {y} produced non-finite contributions",
                fix="report the scenario and world; try a smaller fd_step or more steps",
            )
        records.append(YearDecomposition(y, C, total, steps, change, ok, calls))
        K = len(names)
        rows = layout.rows
        frame = pd.concat([rows] * K, ignore_index=True)
        frame.insert(0, "year", y)
        frame.insert(0, "scenario", run.scenario.name)
        frame["measure"] = np.repeat(names, len(rows))
        frame["contribution"] = C.reshape(-1)
        frame["total"] = np.tile(total, K)
        frames.append(frame)
        if progress is not None:
            progress(f"decomposed {run.scenario.name} {y}", done)
    table = pd.concat(frames, ignore_index=True)[list(CONTRIBUTION_COLUMNS)]
    return Decomposition(
        scenario=run.scenario.name,
        by=by,
        names=names,
        table=table,
        years=tuple(records),
        seconds=time.perf_counter() - t0,
    )
