"""Solve for the counterfactual equilibrium: one fixed point in (ŵ, P̂, X'), Anderson-accelerated.

Unknowns, stacked in one vector ``u``: log wages ``ln ŵ[n]``, log sector price indices
``ln P̂[n, j]`` and absorption ``X'[n, j]`` scaled by its baseline value. One pass of the
map ``G(u)`` evaluates every block once (no inner loops, no dense linear solve):

1. cost block: ``ĉ`` from ``ŵ, P̂`` (:func:`~tradewar.model.equations.log_unit_cost`);
2. trade block: ``P̂`` and ``π'`` from ``ĉ, κ̂`` (:func:`~.price_index_and_shares`);
3. demand block: sales ``Y``, tariff revenue, income ``I' = ŵ wL + R' + D' - T'`` and new
   absorption ``X' = Σ_j γ_nkj Y_nj + α_nk I'_n + G_nk P̂_nk`` (:func:`~.expenditure`,
   :func:`~.financed_spending`; ``T'_n = Σ_k G_nk P̂_nk`` the financing charges of
   :meth:`~tradewar.model.Shock.with_financing`, zero without them);
4. trade balance (CP eq. C2, equivalent to the labour market when the Cobb-Douglas
   shares add up to one): ``ln ŵ ← ln ŵ + λ (Σ_j Y_nj - Σ_ij M_nij + D'_n) / ŵ_n wL_n``,
   then the numeraire ``Σ_n ŵ_n wL_n = Σ_n wL_n`` (world GDP fixed)
   (:func:`~.trade_balance_excess`, :func:`~.wage_step`, :func:`~.numeraire`).

The exact tariff gradients of :mod:`tradewar.model.gradient` differentiate this same map,
built from the same blocks.

With a :class:`~tradewar.model.technology.Technology` the cost block is the nested CES
of :func:`~tradewar.model.equations.nested_ces_cost` and the input shares γ' it returns
replace the fixed ones in blocks 3-4. With quotas (:mod:`tradewar.model.quotas`) ``u``
also carries ``v_g = ln(1+ω_g)`` of each constrained group: the wedges enter block 2 as
trade costs, their rents enter sales and incomes in block 3, and each pass updates
``v ← max(0, v + ln(q/Q)/(1+θ))``, whose fixed points are the complementarity
conditions; their residual is checked after the solve like the market conditions.

Blocks 1-3 are contractions (input shares and tariff-revenue shares are below one); the
tâtonnement step λ = 1/(1 + mean θ) keeps block 4 stable. Anderson acceleration (type II,
memory ``m``) on the whole map turns hundreds of damped steps into a few dozen. Each pass
costs O(N² J + N J²) operations.

After convergence, goods-market clearing, trade balance and budgets are checked against
``check_tol`` (relative to world GDP; the labour market is recorded too); a failure raises
:class:`~tradewar.errors.ConvergenceError` with the residual and the iteration count.

``closure="fixed_expenditure"`` reproduces the one-shot approximation of the structural
gravity literature as coded in USITC ``gegravity`` (Larch and Yotov 2016): goods markets
clear at *baseline* nominal incomes, ``Σ_j γ Y(ŵ, X) = wL`` with ``I' = I``. It is not
the exact equilibrium; use it only to compare with that software. Its incomes are
reported as gegravity reports them, ``I' = ŵ I`` (expenditure proportional to output),
so ``welfare_pct`` equals gegravity's real GDP change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import xarray as xr

from tradewar.errors import ConvergenceError, ModelError
from tradewar.model import equations as eq
from tradewar.model.baseline import Baseline, FloatArray
from tradewar.model.capital import Capital
from tradewar.model.quotas import QuotaSystem
from tradewar.model.results import Equilibrium, SolverRecord
from tradewar.model.shock import Shock
from tradewar.model.technology import Technology

if TYPE_CHECKING:
    from tradewar.world.world import World

Closure = Literal["exact", "fixed_expenditure"]


def _in_order(a: xr.DataArray, dims: tuple[str, ...]) -> FloatArray:
    """The values of ``a`` with its axes in ``dims`` order (a NumPy view, no label work)."""
    return np.asarray(np.transpose(a.values, [a.dims.index(d) for d in dims]), dtype=float)


def shock_arrays(base: Baseline, shock: Shock) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(tau', log κ̂, log Â) in CP order from a labelled Shock."""
    regions, sectors = list(base.regions), list(base.sectors)
    if shock.regions != regions or shock.sectors != sectors:
        raise ModelError(
            "the shock's regions/sectors do not match the baseline's",
            field="shock",
            expected=f"regions {regions[:5]}..., sectors {sectors[:5]}...",
            fix="build the shock with Shock.none(world) from the same World",
        )
    tau_new = 1.0 + _in_order(shock.tariff, ("region", "origin", "product"))
    d_hat = _in_order(shock.trade_cost, ("region", "origin", "product"))
    with np.errstate(divide="ignore"):
        log_kappa = np.log(tau_new / base.tau) + np.log(d_hat)
    log_A = np.log(_in_order(shock.productivity, ("region", "sector")))
    return np.asarray(tau_new, dtype=float), log_kappa, log_A


def solve(
    model: World | Baseline,
    shock: Shock | None = None,
    *,
    tol: float = 1e-11,
    max_iter: int = 2000,
    raise_on_failure: bool = True,
    closure: Closure = "exact",
    memory: int = 8,
    check_tol: float | None = None,
    technology: Technology | None = None,
    initial: Equilibrium | None = None,
    capital: Capital | None = None,
) -> Equilibrium:
    """Counterfactual equilibrium of ``model`` (a World or a :class:`Baseline`) under ``shock``.

    Parameters
    ----------
    model: World or Baseline (a World is converted with :meth:`Baseline.from_world`).
    shock: the counterfactual; ``None`` = no change.
    tol: max-norm of the fixed-point residual (log prices and relative expenditure).
    max_iter: maximum number of passes of the map.
    raise_on_failure: raise :class:`ConvergenceError` (default) or return an
        Equilibrium with ``solver.converged = False``.
    closure: ``"exact"`` (default) or ``"fixed_expenditure"`` (see module docstring).
    memory: Anderson memory (0 = plain damped iteration).
    check_tol: tolerance of the post-solution checks, relative to world GDP
        (default ``max(1e-8, 100 tol)``).
    technology: nested-CES elasticities (:class:`~tradewar.model.technology.Technology`);
        default: the shock's, else Cobb-Douglas. Giving both raises.
    initial: a warm start: an equilibrium of the same baseline (for example of a nearby
        shock) whose wages, price indices, expenditures and quota wedges start the
        iteration; the solution does not depend on it, only the number of passes.
    capital: sector-specific capital (:class:`~tradewar.model.capital.Capital`: shares β,
        capacity K̂, mode); default: the shock's, else none (β = 0, Caliendo-Parro).
        Giving both raises. Needs the exact closure.

    Returns
    -------
    Equilibrium
        Labelled results; the baseline is never modified.
    """
    t0 = time.perf_counter()
    base = model if isinstance(model, Baseline) else Baseline.from_world(model)
    shock = Shock.none(base) if shock is None else shock
    if closure not in ("exact", "fixed_expenditure"):
        raise ModelError(
            f"unknown closure {closure!r}", field="closure", expected="exact | fixed_expenditure"
        )
    N, J = base.shape
    tau_new, log_kappa, log_A = shock_arrays(base, shock)
    if technology is not None and shock.technology is not None and technology is not shock.technology:
        raise ModelError(
            "a technology was given both to solve() and in the shock",
            field="technology",
            fix="give it in one place",
        )
    tech = technology if technology is not None else shock.technology
    ces = _ces_arrays(base, tech)
    if capital is not None and shock.capital is not None and capital is not shock.capital:
        raise ModelError(
            "capital was given both to solve() and in the shock", field="capital", fix="give it in one place"
        )
    cap_obj = capital if capital is not None else shock.capital
    cap = _capital_arrays(base, cap_obj, closure, 0.0 if ces is None else ces[2])
    quotas = QuotaSystem.build(base, shock.quotas) if shock.quotas else None
    if quotas is not None and closure == "fixed_expenditure":
        raise ModelError(
            "quotas need the exact closure (their rents are income)",
            field="closure",
            fix="solve with closure='exact'",
        )
    if quotas is not None:
        log_kappa = np.where(quotas.banned, np.inf, log_kappa)
    banned = np.isinf(log_kappa) & (base.pi > 0)
    if (banned | (base.pi == 0)).all(axis=1).any():
        n, j = np.argwhere((banned | (base.pi == 0)).all(axis=1))[0]
        raise ModelError(
            f"region {base.regions[n]!r} would have no supplier of {base.sectors[j]!r}",
            field="trade_cost",
            fix="keep at least one source (the domestic one) open",
        )
    inv_tau = 1.0 / tau_new
    theta = base.theta
    income0 = base.income
    fixed_exp = closure == "fixed_expenditure"
    X_start = _consistent_absorption(base, income0 if fixed_exp else None, shock.deficits)
    # relative units for X', floored at 1e-4 of the region's mean absorption so that
    # rounding in near-empty cells does not dominate the residual
    X_scale = np.maximum(X_start, 1e-4 * np.maximum(X_start.mean(axis=1, keepdims=True), 1e-300))
    step = eq.tatonnement_step(theta)
    nP = N * J
    log_pi_kappa = eq.log_pi_kappa(base.pi, theta, log_kappa)  # -inf: no trade, now or ever
    buffer = np.empty_like(log_pi_kappa)

    nX = N + 2 * nP
    nV = nX + (quotas.n_groups if quotas is not None else 0)
    theta_cells = theta[quotas.sector] if quotas is not None else np.zeros(0)
    # labour income: all of value added without specific capital
    labour0 = base.wL if cap is None else cap.labour0
    G_inv = _financing_array(base, shock)
    G_zero = np.zeros((N, J))
    if G_inv is not None and fixed_exp:
        raise ModelError(
            "financing charges need the exact closure (they move incomes)",
            field="closure",
            fix="solve with closure='exact'",
        )

    def G(u: FloatArray) -> tuple[FloatArray, dict[str, FloatArray]]:
        lw = u[:N]
        lP = u[N : N + nP].reshape(N, J)
        X = u[N + nP : nX].reshape(N, J) * X_scale
        lv = lw  # price of value added: the wage, or with capital p^V = w^(1-β) r^β
        lr = np.zeros(0)
        if cap is not None:
            lr = u[nV:].reshape(N, J) if cap.mode == "stock" else cap.log_investment_price(lP)
            lv = eq.log_value_added_price(lw, lr, cap.beta, cap.one_minus_s)
        if ces is None:
            lc = eq.log_unit_cost(lv, lP, base.gamma_va, base.gamma_io, log_A)
            gva, gio = base.gamma_va, base.gamma_io
        else:
            lc, gva, gio = eq.nested_ces_cost(lv, lP, log_A, base.gamma_va, *ces)
        extra = None
        if quotas is not None:
            v = np.maximum(u[nX:nV], 0.0)
            extra = (quotas.cell, -theta_cells * v[quotas.group])
        lP_new, pi_tau = eq.trade_block(log_pi_kappa, lc, lP, theta, inv_tau, out=buffer, extra=extra)
        Y, R = eq.sales_and_revenue(pi_tau, X)
        rent_income = np.zeros(N)
        v_new = np.zeros(0)
        q = np.zeros(0)
        if quotas is not None:
            _, rent, q, v_new = quotas.evaluate(v, pi_tau, X, lc)
            minus, rent_income = quotas.sales_and_rent_income(rent, N, J)
            Y = Y - minus
        w = np.exp(lw)
        D = eq.deficits(shock.deficits, base.D, w, labour0)
        income = income0 if fixed_exp else w * labour0 + R + rent_income + D
        charge = np.zeros(N)
        if G_inv is not None:
            spend, charge = eq.financed_spending(G_inv, lP)
            income = income - charge
        r_new = np.zeros(0)
        if cap is not None:
            beta_new = eq.capital_income_share(lr, lv, cap.beta, cap.one_minus_s)
            capital_income = beta_new * gva * Y
            income = income + capital_income.sum(axis=1)
            if cap.mode == "stock":
                # rental update: a Newton step per cell at the current iterate (newton_step)
                target = eq.log_rental_target(Y, gva, cap.va0, cap.log_K, lv, cap.one_minus_s)
                step_r = cap.newton_step(beta_new, gva)
                r_new = (lr + step_r * (target - lr)).reshape(-1)
        X_new = eq.expenditure(Y, gio, base.alpha, income)
        if G_inv is not None:
            X_new = X_new + spend
        if fixed_exp:
            va = eq.value_added_demand(Y, gva)
            with np.errstate(divide="ignore", invalid="ignore"):
                lw_new = lw + step * (np.log(va) - np.log(base.wL))
        else:
            # trade balance (CP eq. C2): exports - imports + D' = 0, relative to wages;
            # rents received count as export earnings (or reduce the import bill)
            excess = eq.trade_balance_excess(Y, X, R, D, rent_income)
            lw_new = eq.wage_step(lw, excess, labour0, step)
        lw_new = eq.numeraire(lw_new, labour0)
        out = np.concatenate([lw_new, lP_new.reshape(-1), (X_new / X_scale).reshape(-1), v_new, r_new])
        parts = {
            "lc": lc,
            "lP": lP_new,
            "pi_tau": pi_tau,
            "X": X_new,
            "Y": Y,
            "R": R,
            "D": D,
            "income": income,
            "charge": charge,
            "G": G_zero if G_inv is None else G_inv,
            "rent_income": rent_income,
            "gamma_va": gva,
            "gamma_io": gio,
            "q": q,
            "v": v_new,
            "lr": lr,
        }
        if cap is not None:
            parts["beta_new"] = beta_new
            parts["lv"] = lv
        return out, parts

    u = _start(base, initial, X_start, X_scale, quotas, cap)
    g, parts = G(u)
    f = g - u
    res = float(np.max(np.abs(f)))
    it = 1
    # safeguarded Anderson: an extrapolated step whose residual is non-finite or more than
    # 10x the best so far is rejected; the memory is cleared and plain steps are taken
    # from the last accepted iterate for `memory` passes before extrapolating again
    best = res
    g_acc = g
    cooldown = 0
    dF: list[FloatArray] = []
    dG: list[FloatArray] = []
    f_prev: FloatArray | None = f
    g_prev: FloatArray = g
    u = g
    while it < max_iter:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            g, parts = G(u)
        f = g - u
        res = float(np.max(np.abs(f)))
        it += 1
        if res < tol:
            u = g
            break
        if dF and (not np.isfinite(res) or res > 10.0 * best):
            dF.clear()
            dG.clear()
            f_prev = None
            cooldown = max(memory, 1)
            u = g_acc  # plain step from the last accepted iterate
            continue
        if not np.isfinite(res):
            break  # a plain step failed: reported below
        best = min(best, res)
        g_acc = g
        if memory > 0 and f_prev is not None:
            dF.append(f - f_prev)
            dG.append(g - g_prev)
            if len(dF) > memory:
                dF.pop(0)
                dG.pop(0)
        f_prev, g_prev = f, g
        if memory > 0 and cooldown == 0 and dF:
            # least squares min ||f - ΔF γ|| by the (regularised) normal equations:
            # m <= memory unknowns, so this is an m x m solve
            Fm = np.stack(dF)
            gram = Fm @ Fm.T
            gram[np.diag_indices_from(gram)] += 1e-12 * float(np.trace(gram)) + 1e-300
            gamma = np.linalg.solve(gram, Fm @ f)
            u = g - gamma @ np.stack(dG)
        else:
            cooldown = max(cooldown - 1, 0)
            u = g
    # final evaluation at the accepted point
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g, parts = G(u)
    res = float(np.max(np.abs(g - u)))
    converged = bool(np.isfinite(res) and res < max(tol, 10 * tol))
    w_hat = np.exp(u[:N])
    X_new = u[N + nP : nX].reshape(N, J) * X_scale
    checks = _checks(base, w_hat, X_new, parts, fixed_exp, labour0, parts.get("beta_new"))
    wedge = np.zeros((N, N, J))
    v_final = np.maximum(u[nX:nV], 0.0)
    if quotas is not None:
        # complementarity ω ≥ 0, q ≤ Q, ω (Q - q) = 0, relative to the limits
        checks["quota_complementarity"] = quotas.complementarity(v_final, np.asarray(parts["q"]))
        wedge.reshape(-1)[quotas.cell] = np.expm1(v_final[quotas.group])
    seconds = time.perf_counter() - t0
    ctol = max(1e-8, 100 * tol) if check_tol is None else check_tol
    # pass/fail on the conditions the solver imposes; with the exact closure the labour
    # market follows from them only when γ_nj + Σ_k γ_nkj = 1 exactly, which arrays from
    # elsewhere (Baseline.from_arrays) may miss by rounding: it is recorded, not enforced
    enforced = {k: v for k, v in checks.items() if fixed_exp or k != "labour_market"}
    worst = max(enforced.values()) if enforced else 0.0
    if not all(np.isfinite(v) for v in checks.values()):
        converged = False
    record = SolverRecord(
        converged=converged and worst < ctol,
        iterations=it,
        residual=res,
        seconds=seconds,
        method=f"anderson(m={memory})" if memory else "damped fixed point",
        checks=checks,
    )
    if raise_on_failure and not record.converged:
        raise ConvergenceError(
            f"equilibrium not found ({'checks ' + str(checks) if converged else 'fixed point'})"
            + _diagnosis(base, w_hat, parts, shock.deficits),
            residual=max(res, worst) if np.isfinite(res) else float("inf"),
            iterations=it,
            tolerance=tol if not converged else ctol,
        )
    return Equilibrium(
        baseline=base,
        shock=shock,
        closure=closure,
        w_hat=w_hat,
        log_P=np.asarray(parts["lP"]),
        log_c=np.asarray(parts["lc"]),
        pi=np.asarray(parts["pi_tau"] * tau_new),
        tau=tau_new,
        X=X_new,
        Y=np.asarray(parts["Y"]),
        R=np.asarray(parts["R"]),
        D=np.asarray(parts["D"]),
        # fixed_expenditure: goods markets cleared at baseline incomes; incomes are then
        # reported as gegravity does, scaling with the factory-gate price (E' = φ p Y)
        income=np.asarray(w_hat * income0 if fixed_exp else parts["income"]),
        solver=record,
        gamma_va_new=np.asarray(parts["gamma_va"]),
        gamma_io_new=np.asarray(parts["gamma_io"]),
        wedge=wedge,
        rent_income=np.asarray(parts["rent_income"]),
        quota_system=quotas,
        quota_quantity=np.asarray(parts["q"]),
        technology=tech,
        capital=cap_obj if cap is not None else None,
        log_r=None if cap is None else np.asarray(parts["lr"]),
        capacity_hat=None if cap is None else cap.capacity(parts),
        charge=np.asarray(parts["charge"]) if G_inv is not None else None,
    )


def _start(
    base: Baseline,
    initial: Equilibrium | None,
    X_start: FloatArray,
    X_scale: FloatArray,
    quotas: QuotaSystem | None,
    cap: _CapitalArrays | None = None,
) -> FloatArray:
    """The first iterate u = (ln ŵ, ln P̂, X' / scale, quota wedges ln(1 + ω), ln r̂).

    Without ``initial``: no change in wages and prices, absorption consistent with the
    deficit rule, no wedge, rentals equal to the inverse capacity change. With it: the
    warm start's values; wedges are taken over only when the quota system covers the
    same cells, else they start at zero; rentals are taken over when it has them.
    """
    N, J = base.shape
    nG = 0 if quotas is None else quotas.n_groups
    v = np.zeros(nG)
    lr = np.zeros(0)
    if cap is not None and cap.mode == "stock":
        lr = np.where(cap.va0 > 0, -cap.log_K, 0.0).reshape(-1)
        if initial is not None and initial.log_r is not None and initial.log_r.shape == (N, J):
            lr = initial.log_r.reshape(-1).copy()
    if initial is None:
        return np.concatenate([np.zeros(N), np.zeros(N * J), (X_start / X_scale).reshape(-1), v, lr])
    if initial.baseline.shape != base.shape or initial.baseline.regions != base.regions:
        raise ModelError(
            "the warm start is an equilibrium of another baseline",
            field="initial",
            expected=f"an equilibrium of a {N} x {J} baseline with regions {list(base.regions)}",
            fix="pass an equilibrium solved on the same baseline, or none",
        )
    old = initial.quota_system
    if (
        quotas is not None
        and old is not None
        and initial.wedge is not None
        and np.array_equal(old.cell, quotas.cell)
    ):
        with np.errstate(divide="ignore", invalid="ignore"):
            lv = np.log1p(initial.wedge.reshape(-1)[quotas.cell])
        v[quotas.group] = np.where(np.isfinite(lv), lv, 0.0)
    return np.concatenate(
        [np.log(initial.w_hat), initial.log_P.reshape(-1), (initial.X / X_scale).reshape(-1), v, lr]
    )


@dataclass(frozen=True)
class _CapitalArrays:
    """The capital block's arrays in CP order (see :mod:`tradewar.model.capital`).

    ``beta``: β; ``log_K``: ln K̂; ``va0``: baseline value added γ Y; ``labour0``: baseline
    labour income ``L_n = wL_n - Σ_j β_nj γ_nj Y_nj``; ``alpha``: investment-goods weights
    (final-demand shares); ``one_minus_s``: 1 - the elasticity of substitution between labour and capital;
    ``one_minus_sigma``: 1 - σ of the nested-CES technology (0 under Cobb-Douglas); ``theta``: the
    trade elasticities θ_j of the solve (both for the rental update's step).
    """

    mode: str
    beta: FloatArray
    log_K: FloatArray
    va0: FloatArray
    labour0: FloatArray
    alpha: FloatArray
    one_minus_s: FloatArray
    one_minus_sigma: FloatArray | float
    theta: FloatArray

    def newton_step(self, beta_now: FloatArray, gamma_va_now: FloatArray) -> FloatArray:
        r"""The rental update's step, a Newton step per cell at the current iterate.

        ``ln r̂ ← ln r̂ + (target - ln r̂)/(1 - slope)`` with the target's slope in ``ln r̂``
        evaluated at the current capital share ``β'`` and value-added share ``γ'`` (not the
        baseline's: far from it, near-Leontief production moves both a lot):

        .. math:: \text{slope} = \beta' \big((1-\sigma)(1-\gamma') - \theta \gamma' - (1-s)\big) / s

        (own-price demand, the value-added share's rise when value added and materials are
        complements, capital's share). The denominator is kept away from zero.
        """
        s = 1.0 - self.one_minus_s
        g = gamma_va_now
        slope = beta_now * (self.one_minus_sigma * (1.0 - g) - self.theta[None, :] * g - self.one_minus_s) / s
        den = 1.0 - slope
        return np.asarray(1.0 / np.where(np.abs(den) < 0.5, np.where(den < 0, -0.5, 0.5), den))

    def log_investment_price(self, log_P: FloatArray) -> FloatArray:
        r"""Long-run rental :math:`\ln \hat r_{nj} = \ln \hat P^I_n = \sum_k \alpha_{nk} \ln \hat P_{nk}`."""
        return np.broadcast_to((self.alpha * log_P).sum(axis=1)[:, None], self.beta.shape).copy()

    def capacity(self, parts: dict[str, FloatArray]) -> FloatArray:
        """K̂ at the solution: given (``"stock"``) or implied by ``r K = β γ' Y'`` (``"long_run"``)."""
        if self.mode == "stock":
            return np.exp(self.log_K)
        # r K = β' γ' Y'  =>  ln K̂ = ln(γ'Y'/γY) + ln(β'/β) - ln r̂
        Y, gva = np.asarray(parts["Y"]), np.asarray(parts["gamma_va"])
        va = eq.log_rental_target(Y, gva, self.va0, np.zeros_like(self.log_K))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(
                self.beta > 0, np.asarray(parts["beta_new"]) / np.where(self.beta > 0, self.beta, 1.0), 1.0
            )
        lk = va + np.log(share) - np.asarray(parts["lr"])
        return np.asarray(np.where(self.va0 > 0, np.exp(lk), 1.0))


def _capital_arrays(
    base: Baseline, capital: Capital | None, closure: str, one_minus_sigma: FloatArray | float = 0.0
) -> _CapitalArrays | None:
    """The capital block's arrays, or None when there is no specific capital (β = 0).

    ``one_minus_sigma``: 1 - σ of the nested-CES technology (0 under Cobb-Douglas).
    """
    if capital is None or capital.is_zero:
        return None
    if closure != "exact":
        raise ModelError(
            "sector-specific capital needs the exact closure (capital income is income)",
            field="closure",
            fix="solve with closure='exact'",
        )
    beta, K, s = capital.arrays(base)
    va0 = base.gamma_va * base.output
    labour0 = base.wL - (beta * va0).sum(axis=1)
    if (labour0 <= 0).any():
        bad = [base.regions[n] for n in np.flatnonzero(labour0 <= 0)]
        raise ModelError(
            f"capital shares leave no labour income in {bad}",
            field="capital_share",
            fix="lower the capital shares of those regions",
        )
    return _CapitalArrays(
        mode=capital.mode,
        beta=beta,
        log_K=np.log(K),
        va0=va0,
        labour0=np.asarray(labour0),
        alpha=base.alpha,
        one_minus_s=1.0 - s,
        one_minus_sigma=one_minus_sigma,
        theta=base.theta,
    )


def _financing_array(base: Baseline, shock: Shock) -> FloatArray | None:
    """Investment spending ``G[n, k]`` of the shock's financing charges, or None."""
    if shock.financing is None or not shock.financing.values.any():
        return None
    return np.asarray(shock.financing.transpose("region", "sector").values, dtype=float)


def _ces_arrays(
    base: Baseline, tech: Technology | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None:
    """``(γ_nkj, bundle weights s_nkj, 1 - σ, 1 - ε)`` for the CES cost block, or None."""
    if tech is None:
        return None
    sigma, epsilon = tech.arrays(base)
    b = base.gamma_io.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(b > 0, base.gamma_io / np.where(b > 0, b, 1.0), 0.0)
    return base.gamma_io, np.asarray(s), 1.0 - sigma, 1.0 - epsilon


def _diagnosis(base: Baseline, w_hat: FloatArray, parts: dict[str, FloatArray], deficits: str) -> str:
    """A hint on why no equilibrium was found, for the error message."""
    income = np.asarray(parts["income"])
    bad = ~np.isfinite(income) | (income <= 0) | ~np.isfinite(w_hat)
    tiny = np.isfinite(w_hat) & (w_hat < 1e-3 * np.median(w_hat[np.isfinite(w_hat)]))
    regions = [base.regions[i] for i in np.flatnonzero(bad | tiny)]
    if not regions:
        return ""
    hint = f"; the wages or income of {regions} collapse"
    if deficits in ("fixed", "data"):
        hint += " (their deficits, held fixed, exceed what they can earn: try the deficit rule 'zero')"
    else:
        hint += " (they cannot balance trade, e.g. when all their exports are banned)"
    return hint


def _consistent_absorption(
    base: Baseline, income: FloatArray | None, deficits: str, tol: float = 1e-10, max_iter: int = 1000
) -> FloatArray:
    """Starting point for X': the baseline's expenditure system solved at ŵ = P̂ = 1.

    ``X = Σ_j γ_nkj Y_nj(X) + α_nk I_n(X)`` iterated from the baseline's X (a contraction:
    input and tariff-revenue shares are below one). For a World-built baseline the first
    pass already agrees; for arrays that do not satisfy the accounts (e.g. the authors'
    raw CP data with deficits closed) it gives the solver a consistent start.
    """
    inv_tau = 1.0 / base.tau
    rev = 1.0 - inv_tau
    D = np.zeros_like(base.D) if deficits == "zero" else base.D
    X = np.array(base.X, dtype=float)
    for _ in range(max_iter):
        Y = eq.sales(base.pi, inv_tau, X)
        inc = income if income is not None else base.wL + eq.tariff_revenue(base.pi, rev, X) + D
        X_new = eq.expenditure(Y, base.gamma_io, base.alpha, inc)
        if np.max(np.abs(X_new - X)) <= tol * max(float(np.max(np.abs(X_new))), 1e-300):
            return np.asarray(X_new)
        X = X_new
    return X


def _checks(
    base: Baseline,
    w_hat: FloatArray,
    X: FloatArray,
    parts: dict[str, FloatArray],
    fixed_exp: bool,
    labour0: FloatArray,
    beta: FloatArray | None,
) -> dict[str, float]:
    """Residuals of the equilibrium conditions at the solution, relative to world GDP.

    * goods market: ``X' = Σ_j γ_nkj Y'_nj + α_nk I'_n``;
    * labour market: ``Σ_j (1 - β_nj) γ_nj Y'_nj = ŵ_n L_n`` (``L = wL`` without capital);
    * trade balance: imports - exports = D' (at basic prices, domestic sales cancel);
    * budget: final spending ``Σ_k X'_nk - Σ_j (1 - γ_nj) Y'_nj = I'_n + T'_n``.
    """
    gdp = float(base.wL.sum())
    Y = parts["Y"]
    X_implied = eq.expenditure(Y, parts["gamma_io"], base.alpha, parts["income"])
    charge = parts["charge"]
    if charge.any():
        X_implied = X_implied + eq.financed_spending(parts["G"], parts["lP"])[0]
    gva = parts["gamma_va"] if beta is None else (1.0 - beta) * parts["gamma_va"]
    va = eq.value_added_demand(Y, gva)
    target = base.wL if fixed_exp else w_hat * labour0
    out = {
        "goods_market": float(np.max(np.abs(X_implied - X)) / gdp),
        "labour_market": float(np.max(np.abs(va - target)) / gdp),
    }
    if not fixed_exp:
        spending = X.sum(axis=1)
        # rents to importers reduce the import bill; rents to exporters are export earnings
        imports = spending - parts["R"]
        exports = Y.sum(axis=1) + parts["rent_income"]
        out["trade_balance"] = float(np.max(np.abs(imports - exports - parts["D"])) / gdp)
        final = spending - (parts["gamma_io"].sum(axis=1) * Y).sum(axis=1)
        # final spending = households' income + the financing charges they pay
        out["budget"] = float(np.max(np.abs(final - parts["income"] - charge)) / gdp)
    return out
