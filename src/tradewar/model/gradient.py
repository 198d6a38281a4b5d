r"""Exact welfare gradients with respect to tariffs, through the equilibrium (adjoint method).

The engine's equilibrium (:func:`tradewar.model.solver.solve`, exact closure, Cobb-Douglas
production, no quotas) is the fixed point ``u = G(u, t)`` of one pass of its map, with
``u = (ln ŵ [n], ln P̂ [n, j], X' [n, j] / S [n, j])`` (``S`` any fixed positive scale)
and ``t`` the tariffs. For an objective ``L(u, t) = Σ_n ω_n f(W_n)`` of the real-income
changes

.. math:: W_n = \frac{\hat I_n}{\prod_j \hat P_{nj}^{\alpha_{nj}}}, \qquad
          \hat I_n = \frac{\hat w_n w_n L_n + R'_n + D'_n}{I_n}

(the engine's ``welfare_hat``, i.e. ``welfare_pct / 100 + 1``), the implicit-function
theorem gives, with one *adjoint* linear system for ``λ``,

.. math:: (I - G_u)^\top \lambda = L_u^\top, \qquad
          \frac{dL}{dt} = L_t + \lambda^\top G_t .

Nothing is differentiated numerically: every block of ``G`` has a hand-derived
vector-Jacobian product (VJP, "reverse mode") in :func:`_reverse`, given in its
docstring. ``I - G_u`` is nonsingular exactly when the equilibrium is regular (locally
unique): the wage update of ``G`` is the tâtonnement step followed by the numeraire
``Σ_n ŵ_n w_n L_n = Σ_n w_n L_n``, and by Walras' law (``Σ_n`` excess demand ``≡ 0``) a
null vector of ``I - G_u`` would solve the linearised equilibrium conditions with the
numeraire fixed.

The adjoint system has ``N + 2 N J`` unknowns (225 for the 9 x 12 default world). By
default it is solved matrix-free by restarted GMRES: each iteration is one VJP,
O(N² J + N J²) like one pass of the solver, and a few dozen iterations reach a relative
residual of 1e-13 (the plain iteration of ``G`` converges, so the spectrum of ``G_u``
lies in the unit disc and ``I - G_u`` is well conditioned away from a turning point);
one gradient then costs about one or two equilibrium solves (10-30 ms from 9 x 12 to
25 x 40). The dense alternative assembles ``G_u^T`` from ``N + 2NJ`` batched VJPs of unit
vectors and factorises ``I - G_u^T`` once for all objectives; it needs no iteration but
costs O((N + 2NJ)³) and goes through multi-threaded LAPACK, which on a loaded machine was
measured 10-100x slower than GMRES even at 225 unknowns. ``method="auto"`` uses GMRES and
falls back to the dense solve (up to :data:`DENSE_MAX` unknowns) if GMRES misses the
tolerance. Either way the adjoint residual is checked and a
:class:`~tradewar.errors.ConvergenceError` is raised if it is not small.

Scope: the Caliendo-Parro model (incl. ``J = 1`` structural gravity) with any deficit
rule, trade-cost and productivity changes held fixed. Nested-CES technology, quotas and
the ``fixed_expenditure`` closure raise :class:`~tradewar.errors.ModelError`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import LinearOperator, gmres

from tradewar.errors import ConvergenceError, ModelError
from tradewar.model import equations as eq
from tradewar.model.baseline import Baseline, FloatArray
from tradewar.model.results import Equilibrium
from tradewar.model.shock import Shock
from tradewar.model.solver import shock_arrays, solve

if TYPE_CHECKING:
    from tradewar.world.world import World

#: Largest number of equilibrium unknowns (N + 2 N J) for the dense adjoint solve
#: (the fallback of ``method="auto"``).
DENSE_MAX = 2500

#: Relative residual accepted for the adjoint system.
ADJOINT_TOL = 1e-9

Method = Literal["auto", "dense", "gmres"]


@dataclass(frozen=True)
class WelfareGradient:
    """Welfare at an equilibrium and the exact gradients of weighted objectives.

    Attributes
    ----------
    welfare: ``W[n] = Î_n / Π_j P̂_nj^α_nj`` (the engine's ``welfare_hat``).
    gradient: ``d/dt Σ_n weights[k, n] f(W_n)`` as ``[k, origin, region, product]``, with
        ``f = ln`` when ``log=True`` else ``f(W) = W``; diagonal (domestic) entries are 0.
    equilibrium: the equilibrium it was evaluated at.
    method: ``"dense"`` or ``"gmres"``; adjoint_residual: ``max |(I - G_u)^T λ - L_u|``
        relative to ``max |L_u|``.
    seconds: time of the gradient (excluding the equilibrium solve).
    """

    welfare: FloatArray
    gradient: FloatArray
    equilibrium: Equilibrium
    method: str
    adjoint_residual: float
    seconds: float


@dataclass(frozen=True)
class _State:
    """Everything one forward pass of ``G`` produces that its VJP needs (CP order)."""

    base: Baseline
    deficits: str
    scale: FloatArray  # S[n, j]
    lw: FloatArray
    X: FloatArray
    tau: FloatArray  # τ'[n, i, j]
    pi_new: FloatArray  # π'[n, i, j]
    pi_tau: FloatArray  # π'/τ'
    Y: FloatArray
    R: FloatArray
    D: FloatArray
    income: FloatArray
    excess: FloatArray
    s_num: FloatArray  # numeraire weights e^{a_n} wL_n / Σ
    step: float
    u_new: FloatArray  # G(u)


def _check_scope(base: Baseline, shock: Shock) -> None:
    if shock.technology is not None:
        raise ModelError(
            "exact tariff gradients cover Cobb-Douglas production only; "
            "the shock has a nested-CES technology",
            field="technology",
            fix="drop the technology (or use finite differences of solve() for CES)",
        )
    if shock.capital is not None and not shock.capital.is_zero:
        raise ModelError(
            "exact tariff gradients cover labour as the only factor; the shock has "
            "sector-specific capital (capital shares > 0)",
            field="capital",
            fix="drop the capital (or use finite differences of solve() with capital)",
        )
    if shock.financing is not None:
        raise ModelError(
            "exact tariff gradients do not cover financing charges",
            field="financing",
            fix="drop the financing (or use finite differences of solve())",
        )
    if shock.quotas:
        raise ModelError(
            "exact tariff gradients do not cover quotas (their complementarity conditions are not smooth)",
            field="quotas",
            fix="remove the quotas, or replace them with tariff equivalents",
        )


def _forward(base: Baseline, shock: Shock, u: FloatArray, scale: FloatArray) -> _State:
    r"""One pass of the solver's map ``G`` (exact closure, Cobb-Douglas), keeping intermediates.

    The blocks of :mod:`tradewar.model.equations` that :func:`tradewar.model.solver.solve`
    iterates, in the same order:

    .. math::
        \ln\hat c_{ij} &= \gamma_{ij}\ln\hat w_i + \textstyle\sum_k\gamma_{ikj}\ln\hat P_{ik}
                          - \ln\hat A_{ij}\\
        a_{nij} &= \ln\pi_{nij} - \theta_j\ln\hat\kappa_{nij} - \theta_j\ln\hat c_{ij}
                   + \theta_j \ln\hat P_{nj},\quad \hat\kappa = \hat d\,\tau'/\tau\\
        \ln\hat P'_{nj} &= \ln\hat P_{nj} - \tfrac{1}{\theta_j}\ln\textstyle\sum_i e^{a_{nij}},\qquad
        \pi'_{nij} = \mathrm{softmax}_i(a_{nij})\\
        Y_{ij} &= \textstyle\sum_n \frac{\pi'_{nij}}{\tau'_{nij}} X_{nj},\qquad
        R_n = \textstyle\sum_j X_{nj}\big(1 - \sum_i \frac{\pi'_{nij}}{\tau'_{nij}}\big),\qquad
        I_n = \hat w_n w_n L_n + R_n + D_n(\hat w)\\
        X'_{nk} &= \textstyle\sum_j \gamma_{nkj} Y_{nj} + \alpha_{nk} I_n,\qquad
        E_n = \textstyle\sum_j Y_{nj} - \sum_j X_{nj} + R_n + D_n\\
        a^w_n &= \ln\hat w_n + \lambda E_n / (\hat w_n w_n L_n),\qquad
        \ln\hat w'_n = a^w_n - \ln\big(\textstyle\sum_m e^{a^w_m} w_m L_m / \sum_m w_m L_m\big)
    """
    N, J = base.shape
    nP = N * J
    lw = u[:N]
    lP = u[N : N + nP].reshape(N, J)
    X = u[N + nP :].reshape(N, J) * scale
    theta = base.theta
    tau, log_kappa, log_A = shock_arrays(base, shock)
    lc = eq.log_unit_cost(lw, lP, base.gamma_va, base.gamma_io, log_A)
    log_pi_kappa = eq.log_pi_kappa(base.pi, theta, log_kappa)
    lP_new, pi_tau = eq.trade_block(log_pi_kappa, lc, lP, theta, 1.0 / tau)
    pi_new = pi_tau * tau
    Y, R = eq.sales_and_revenue(pi_tau, X)
    w = np.exp(lw)
    D = eq.deficits(shock.deficits, base.D, w, base.wL)
    income = w * base.wL + R + D
    X_new = eq.expenditure(Y, base.gamma_io, base.alpha, income)
    excess = eq.trade_balance_excess(Y, X, R, D)
    step = eq.tatonnement_step(theta)
    lw_new = eq.numeraire(eq.wage_step(lw, excess, base.wL, step), base.wL)
    # weights of the numeraire's log-sum-exp, e^{a_n} w_n L_n / Σ_m e^{a_m} w_m L_m,
    # which after the rescaling are the new wage bills' shares of world GDP
    s_num = np.exp(lw_new) * base.wL / float(base.wL.sum())
    u_new = np.concatenate([lw_new, lP_new.reshape(-1), (X_new / scale).reshape(-1)])
    return _State(
        base=base,
        deficits=shock.deficits,
        scale=scale,
        lw=lw,
        X=X,
        tau=tau,
        pi_new=pi_new,
        pi_tau=pi_tau,
        Y=Y,
        R=R,
        D=D,
        income=income,
        excess=excess,
        s_num=s_num,
        step=step,
        u_new=u_new,
    )


def _reverse(
    st: _State,
    g_u: FloatArray,
    g_income: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    r"""VJP of one pass of ``G`` (and of income): cotangents of ``u`` and of ``ln τ'``.

    ``g_u`` [K, N + 2NJ] is the cotangent of ``G(u)`` (``ḡ_w, ḡ_P, ḡ_X``, the last for
    ``X'/S``); ``g_income`` [K, N] an extra cotangent of the incomes ``I_n``. Returns
    ``(ū [K, N + 2NJ], \overline{\ln τ'} [K, n, i, j])``. Block by block, in reverse:

    * numeraire (a log-sum-exp): :math:`\bar a^w = \bar g_w - s\,(\textstyle\sum_n \bar g_{w,n})`,
      :math:`s_n = e^{a^w_n} w_n L_n / \sum_m e^{a^w_m} w_m L_m`;
    * tâtonnement, :math:`h_n = \lambda/(\hat w_n w_n L_n)`:
      :math:`\overline{\ln\hat w} \mathrel{+}= \bar a^w (1 - h E)`, :math:`\bar E = h \bar a^w`;
      :math:`E` is linear: :math:`\bar Y_{nj} \mathrel{+}= \bar E_n`,
      :math:`\bar X_{nj} \mathrel{-}= \bar E_n`, :math:`\bar R \mathrel{+}= \bar E`,
      :math:`\bar D \mathrel{+}= \bar E`;
    * expenditure (linear), :math:`\bar X' = \bar g_X / S`:
      :math:`\bar Y_{nj} \mathrel{+}= \sum_k \gamma_{nkj}\bar X'_{nk}`,
      :math:`\bar I_n \mathrel{+}= \sum_k \alpha_{nk}\bar X'_{nk}`; income:
      :math:`\overline{\ln\hat w} \mathrel{+}= \bar I\,\hat w w L`, :math:`\bar R, \bar D
      \mathrel{+}= \bar I`; deficits ``"fixed"``:
      :math:`\overline{\ln\hat w}_m \mathrel{+}= (\sum_n \bar D_n D_n / \sum wL)\,\hat w_m w_m L_m`;
    * sales and revenue (bilinear in :math:`p = \pi'/\tau'` and :math:`X`):
      :math:`\bar p_{nij} = (\bar Y_{ij} - \bar R_n) X_{nj}`,
      :math:`\bar X_{nj} \mathrel{+}= \sum_i p_{nij}\bar Y_{ij} + \bar R_n (1 - \sum_i p_{nij})`;
    * :math:`p = \pi' e^{-\ln\tau'}`: :math:`\bar\pi' = \bar p/\tau'`,
      :math:`\overline{\ln\tau'} \mathrel{-}= \bar p\,p`;
    * trade block (softmax and log-sum-exp over exporters ``i``):
      :math:`\bar a_{nij} = \pi'_{nij}\big(\bar\pi'_{nij} - \sum_l \pi'_{nlj}\bar\pi'_{nlj}\big)
      - \pi'_{nij}\,\bar g_{P,nj}/\theta_j`, :math:`\overline{\ln P} \mathrel{+}= \bar g_P`; then
      :math:`a` is linear: :math:`\overline{\ln\tau'} \mathrel{-}= \theta_j \bar a`,
      :math:`\overline{\ln c}_{ij} = -\theta_j \sum_n \bar a_{nij}`,
      :math:`\overline{\ln P}_{nj} \mathrel{+}= \theta_j \sum_i \bar a_{nij}`;
    * cost block (linear): :math:`\overline{\ln\hat w}_i \mathrel{+}= \sum_j\gamma_{ij}\overline{\ln c}_{ij}`,
      :math:`\overline{\ln P}_{ik} \mathrel{+}= \sum_j\gamma_{ikj}\overline{\ln c}_{ij}`;
    * :math:`\bar u_X = \bar X \cdot S`.
    """
    base = st.base
    N, J = base.shape
    nP = N * J
    K = g_u.shape[0]
    theta = base.theta
    g_w = g_u[:, :N]
    g_P = g_u[:, N : N + nP].reshape(K, N, J)
    g_X = g_u[:, N + nP :].reshape(K, N, J)
    w = np.exp(st.lw)
    wwL = w * base.wL
    # numeraire and tâtonnement
    a_bar = g_w - st.s_num[None, :] * g_w.sum(axis=1, keepdims=True)
    h = st.step / wwL
    lw_bar = a_bar * (1.0 - h * st.excess)[None, :]
    E_bar = a_bar * h[None, :]
    Y_bar = np.repeat(E_bar[:, :, None], J, axis=2)
    X_bar = -Y_bar.copy()
    R_bar = E_bar.copy()
    D_bar = E_bar.copy()
    # expenditure and income
    Xn_bar = g_X / st.scale[None]
    Y_bar += np.einsum("nkj,Knk->Knj", base.gamma_io, Xn_bar)
    I_bar = np.einsum("nk,Knk->Kn", base.alpha, Xn_bar)
    if g_income is not None:
        I_bar = I_bar + g_income
    lw_bar += I_bar * wwL[None, :]
    R_bar += I_bar
    D_bar += I_bar
    if st.deficits == "fixed":
        gdp0 = float(base.wL.sum())
        lw_bar += (D_bar @ base.D / gdp0)[:, None] * wwL[None, :]
    # sales and revenue
    p = st.pi_tau
    p_bar = (Y_bar[:, None, :, :] - R_bar[:, :, None, None]) * st.X[None, :, None, :]
    X_bar += np.einsum("nij,Kij->Knj", p, Y_bar) + R_bar[:, :, None] * (1.0 - p.sum(axis=1))[None]
    lt_bar = -p_bar * p[None]
    pi_bar = p_bar / st.tau[None]
    # trade block
    pi = st.pi_new
    a_bar3 = pi[None] * (pi_bar - (pi[None] * pi_bar).sum(axis=2, keepdims=True))
    a_bar3 -= pi[None] * (g_P / theta)[:, :, None, :]
    lP_bar = g_P + theta * a_bar3.sum(axis=2)
    lt_bar -= theta * a_bar3
    lc_bar = -theta * a_bar3.sum(axis=1)  # [K, i, j]
    # cost block
    lw_bar += (base.gamma_va[None] * lc_bar).sum(axis=2)
    lP_bar += np.einsum("ikj,Kij->Kik", base.gamma_io, lc_bar)
    u_bar = np.concatenate(
        [lw_bar, lP_bar.reshape(K, nP), (X_bar * st.scale[None]).reshape(K, nP)],
        axis=1,
    )
    return u_bar, lt_bar


def _welfare_cotangents(
    st: _State, weights: FloatArray, log: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""``(W, L_u, L_t)`` of ``L_k = Σ_n ω_kn f(W_n)``, ``ln W_n = ln I_n - ln I⁰_n - Σ_j α_nj ln P̂_nj``.

    :math:`\partial L/\partial \ln W_n = \omega_n` (``f = ln``) or :math:`\omega_n W_n`;
    then :math:`\bar I_n = \overline{\ln W}_n / I_n` goes through :func:`_reverse` and
    :math:`\overline{\ln P}_{nj} \mathrel{-}= \alpha_{nj}\overline{\ln W}_n` is added directly.
    """
    base = st.base
    N, J = base.shape
    nP = N * J
    lP = st.u_new[N : N + nP].reshape(N, J)
    W = st.income / base.income * np.exp(-(base.alpha * lP).sum(axis=1))
    lW_bar = weights if log else weights * W[None, :]
    K = weights.shape[0]
    zero = np.zeros((K, N + 2 * nP))
    u_bar, lt_bar = _reverse(st, zero, g_income=lW_bar / st.income[None, :])
    u_bar[:, N : N + nP] -= (lW_bar[:, :, None] * base.alpha[None]).reshape(K, nP)
    return W, u_bar, lt_bar


def _adjoint_dense(st: _State, rhs: FloatArray) -> FloatArray:
    """Solve ``(I - G_u)^T λ = rhs`` (rows of ``rhs``) with ``G_u^T`` assembled from VJPs."""
    n = rhs.shape[1]
    GuT = np.empty((n, n))
    N, J = st.base.shape
    chunk = max(1, int(4e6 // max(N * N * J, 1)))  # rows per batch: ~32 MB arrays
    eye = np.eye(n)
    for s in range(0, n, chunk):
        # row r of the VJP of e_r is e_r^T G_u: row r of G_u, i.e. column r of G_u^T
        GuT[:, s : s + chunk] = _reverse(st, eye[s : s + chunk])[0].T
    A = eye - GuT
    lam = scipy.linalg.solve(A, rhs.T, check_finite=False).T
    return np.asarray(lam)


def _adjoint_gmres(st: _State, rhs: FloatArray) -> FloatArray:
    """Solve ``(I - G_u)^T λ = rhs`` matrix-free: each GMRES iteration is one VJP."""
    n = rhs.shape[1]

    def matvec(v: FloatArray) -> FloatArray:
        v = np.asarray(v, dtype=float).reshape(1, n)
        return np.asarray((v - _reverse(st, v)[0])[0])

    op = LinearOperator((n, n), matvec=matvec, dtype=float)
    out = np.zeros_like(rhs)
    for k in range(rhs.shape[0]):
        if not np.any(rhs[k]):
            continue
        # convergence is judged by the caller on the true residual
        out[k] = gmres(op, rhs[k], rtol=1e-13, atol=0.0, restart=200, maxiter=50)[0]
    return out


def _tariffs_shock(base: Baseline, tariff: FloatArray | Shock, deficits: str) -> Shock:
    if isinstance(tariff, Shock):
        return tariff
    import xarray as xr

    R, S = list(base.regions), list(base.sectors)
    t = xr.DataArray(
        np.asarray(tariff, dtype=float),
        dims=("origin", "region", "product"),
        coords={"origin": R, "region": R, "product": S},
    )
    return Shock.none(base).set_tariff(t, allow_extreme=True).with_deficits(deficits)  # type: ignore[arg-type]


def welfare_gradient(
    model: World | Baseline,
    tariff: FloatArray | Shock,
    weights: FloatArray | None = None,
    *,
    deficits: Literal["zero", "fixed", "data"] = "zero",
    log: bool = False,
    equilibrium: Equilibrium | None = None,
    method: Method = "auto",
    tol: float = 1e-11,
) -> WelfareGradient:
    r"""Real-income changes ``W`` and the exact gradients of ``Σ_n weights[k, n] f(W_n)``.

    Parameters
    ----------
    model:
        A World or :class:`~tradewar.model.baseline.Baseline`.
    tariff:
        Counterfactual tariffs ``t[origin, region, product]`` (fractions; domestic entries
        are ignored, as in :meth:`Shock.set_tariff`), or a whole :class:`Shock` (its
        trade-cost and productivity changes are held fixed; its deficit rule is used).
    weights:
        ``[K, N]`` (or ``[N]``): each row one objective; default the identity, i.e. the
        gradient of every region's ``W_n`` (a Jacobian).
    deficits:
        Deficit rule when ``tariff`` is an array (default ``"zero"``, as
        :class:`~tradewar.strategy.engine.EngineGame`).
    log:
        ``f = ln`` (gradients of ``Σ ω ln W``, what the tariff games maximise) instead of
        ``f(W) = W``.
    equilibrium:
        The already solved equilibrium at these tariffs (skips the solve).
    method:
        Adjoint solver: ``"dense"``, ``"gmres"`` or ``"auto"`` (GMRES, then the dense
        solve if GMRES misses the tolerance and there are at most :data:`DENSE_MAX`
        unknowns).
    tol:
        Tolerance of the equilibrium solve.

    Returns
    -------
    WelfareGradient
        ``gradient[k, i, n, j] = d/dt[i, n, j] Σ_m weights[k, m] f(W_m)``.

    Raises
    ------
    ModelError
        Nested-CES technology, quotas, a non-exact closure, or wrong ``weights``.
    ConvergenceError
        The equilibrium or the adjoint system was not solved.
    """
    base = model if isinstance(model, Baseline) else Baseline.from_world(model)
    shock = _tariffs_shock(base, tariff, deficits)
    _check_scope(base, shock)
    N = len(base.regions)
    w = np.eye(N) if weights is None else np.atleast_2d(np.asarray(weights, dtype=float))
    if w.ndim != 2 or w.shape[1] != N:
        raise ModelError(f"weights must be [K, {N}], got {w.shape}", field="weights")
    if equilibrium is None:
        equilibrium = solve(base, shock, tol=tol)
    elif equilibrium.closure != "exact" or equilibrium.technology is not None or equilibrium.quota_system:
        raise ModelError(
            "the equilibrium must come from the exact closure with Cobb-Douglas production and no quotas",
            field="equilibrium",
        )
    clock = time.perf_counter()
    X = np.asarray(equilibrium.X)
    scale = np.maximum(np.asarray(base.X), 1e-4 * np.maximum(base.X.mean(axis=1, keepdims=True), 1e-300))
    u = np.concatenate(
        [np.log(equilibrium.w_hat), np.asarray(equilibrium.log_P).reshape(-1), (X / scale).reshape(-1)]
    )
    st = _forward(base, shock, u, scale)
    _, Lu, Lt = _welfare_cotangents(st, w, log)
    n = u.size
    if method not in ("auto", "dense", "gmres"):
        raise ModelError(f"unknown method {method!r}", field="method", expected="auto | dense | gmres")
    use = "gmres" if method == "auto" else method

    def adjoint(kind: str) -> tuple[FloatArray, float]:
        """``(λ^T G_t, relative residual)`` of the adjoint system solved by ``kind``."""
        lam = _adjoint_dense(st, Lu) if kind == "dense" else _adjoint_gmres(st, Lu)
        lam_Gu, lam_Gt = _reverse(st, lam)
        r = float(np.max(np.abs(lam - lam_Gu - Lu)) / max(float(np.max(np.abs(Lu))), 1e-300))
        return lam_Gt, r if np.isfinite(r) else float("inf")

    lam_Gt, resid = adjoint(use)
    if method == "auto" and resid > ADJOINT_TOL and n <= DENSE_MAX:
        use = "dense"
        lam_Gt, resid = adjoint(use)
    if resid > ADJOINT_TOL:
        raise ConvergenceError(
            f"adjoint system (I - G_u)^T λ = L_u not solved ({use})",
            residual=resid,
            iterations=0,
            tolerance=ADJOINT_TOL,
        )
    lt_bar = Lt + lam_Gt  # [K, n, i, j] w.r.t. ln τ'
    g = lt_bar / st.tau[None]  # d/dτ' = d/dt'
    grad = np.ascontiguousarray(g.transpose(0, 2, 1, 3))  # [K, origin i, region n, product]
    grad[:, np.arange(N), np.arange(N), :] = 0.0
    return WelfareGradient(
        welfare=np.asarray(equilibrium.welfare_hat, dtype=float),  # = W up to the solver's tol
        gradient=grad,
        equilibrium=equilibrium,
        method=use,
        adjoint_residual=resid,
        seconds=time.perf_counter() - clock,
    )
