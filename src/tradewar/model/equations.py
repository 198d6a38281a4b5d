"""Equilibrium conditions of the multi-sector model in changes, as pure vectorised functions.

Caliendo and Parro (2015), section 3 and appendix C; ``x̂ = x'/x``; importer ``n``,
exporter ``i``, sectors ``j, k``. Prices and wages are kept in logs, which makes
prohibitive trade costs (κ̂ = ∞) exact zeros rather than overflows.

The blocks are separate so that other production structures (nested CES between value
added and intermediates, quota wedges) can replace one of them:

* cost block      :func:`log_unit_cost`          ĉ from ŵ and P̂
* trade block     :func:`price_index_and_shares` P̂ and π' from ĉ and κ̂
* demand block    :func:`sales`, :func:`tariff_revenue`, :func:`expenditure`,
  :func:`deficits`
* trade balance   :func:`trade_balance_excess`, :func:`tatonnement_step`, :func:`wage_step`,
  :func:`numeraire`
* accounting      :func:`value_added_demand`, :func:`trade_flows`
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def log_unit_cost(
    log_w: FloatArray, log_P: FloatArray, gamma_va: FloatArray, gamma_io: FloatArray, log_A: FloatArray
) -> FloatArray:
    r"""Unit cost of the input bundle, in logs (CP eq. 10, with productivity).

    .. math:: \ln \hat c_{nj} = \gamma_{nj} \ln \hat w_n
              + \sum_k \gamma_{nkj} \ln \hat P_{nk} - \ln \hat A_{nj}

    (``ĉ/Â`` is the effective cost; ``log_A = 0`` gives the paper's ĉ.) ``log_w`` is ``[n]``,
    or ``[n, j]`` for the price of value added with a specific factor
    (:func:`log_value_added_price`).
    """
    io = np.matmul(log_P[:, None, :], gamma_io)[:, 0, :]
    lw = log_w[:, None] if log_w.ndim == 1 else log_w
    return gamma_va * lw + io - log_A


def log_value_added_price(
    log_w: FloatArray, log_r: FloatArray, beta: FloatArray, one_minus_s: FloatArray | None = None
) -> FloatArray:
    r"""Price of value added with sector-specific capital, in logs (``[n, j]``).

    CES between labour and capital with elasticity ``s`` (``one_minus_s = 1 - s``; None or 0:
    Cobb-Douglas):

    .. math:: \hat p^V_{nj} = \big((1-\beta_{nj}) \hat w_n^{1-s}
              + \beta_{nj} \hat r_{nj}^{1-s}\big)^{1/(1-s)},
              \qquad s = 1:\ \ln \hat p^V = (1 - \beta) \ln \hat w + \beta \ln \hat r
    """
    if one_minus_s is None or not one_minus_s.any():
        return np.asarray(log_w[:, None] + beta * (log_r - log_w[:, None]))
    log_x = np.stack([np.broadcast_to(log_w[:, None], log_r.shape), log_r], axis=1)
    weights = np.stack([1.0 - beta, beta], axis=1)
    return log_ces_mean(log_x, weights, one_minus_s, axis=1)


def capital_income_share(
    log_r: FloatArray, log_v: FloatArray, beta: FloatArray, one_minus_s: FloatArray | None = None
) -> FloatArray:
    r"""Capital's share of value added in the counterfactual.

    .. math:: \beta'_{nj} = \beta_{nj} (\hat r_{nj}/\hat p^V_{nj})^{1-s_{nj}}
    """
    if one_minus_s is None or not one_minus_s.any():
        return beta
    return np.asarray(beta * np.exp(one_minus_s * (log_r - log_v)))


def log_rental_target(
    Y: FloatArray,
    gamma_va_new: FloatArray,
    va0: FloatArray,
    log_K: FloatArray,
    log_v: FloatArray | None = None,
    one_minus_s: FloatArray | None = None,
) -> FloatArray:
    r"""Rental of capacity implied by sales, in logs, from capital income ``r K = β' × value added``.

    With :math:`T = \ln(\gamma'_{nj} Y'_{nj}) - \ln(\gamma_{nj} Y_{nj}) - \ln \hat K_{nj}` and
    :math:`\beta'/\beta = (\hat r/\hat p^V)^{1-s}`:

    .. math:: \ln \hat r_{nj} = \frac{T_{nj} - (1 - s_{nj}) \ln \hat p^V_{nj}}{s_{nj}}
              \qquad (s = 1:\ \ln \hat r = T)

    ``va0 = γ Y`` (baseline value added); 0 where the baseline has none.
    """
    ok = va0 > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        va_hat = np.where(ok, gamma_va_new * Y / np.where(ok, va0, 1.0), 1.0)
    T = np.log(np.maximum(va_hat, 1e-300)) - log_K
    if one_minus_s is not None and log_v is not None and one_minus_s.any():
        T = (T - one_minus_s * log_v) / (1.0 - one_minus_s)
    return np.asarray(np.where(ok, T, 0.0))


def log_pi_kappa(pi: FloatArray, theta: FloatArray, log_kappa: FloatArray) -> FloatArray:
    r"""The trade block's constant :math:`\ln\pi_{nij} - \theta_j \ln\hat\kappa_{nij}`.

    ``-inf`` where there is no trade, now or ever: zero baseline shares and prohibitive
    costs (``κ̂ = ∞``), including both at once (where the difference is undefined).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(pi) - theta * log_kappa
    out[np.isnan(out)] = -np.inf
    return np.asarray(out)


def price_index_and_shares(
    pi: FloatArray, log_kappa: FloatArray, log_c: FloatArray, log_P_ref: FloatArray, theta: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Price index and new trade shares (CP eqs. 11 and 12).

    .. math:: \hat P_{nj}^{-\theta_j} = \sum_i \pi_{nij} (\hat\kappa_{nij} \hat c_{ij})^{-\theta_j}

    .. math:: \pi'_{nij} = \pi_{nij}
              \left(\frac{\hat\kappa_{nij}\hat c_{ij}}{\hat P_{nj}}\right)^{-\theta_j}

    ``log_P_ref`` (any finite guess of ln P̂, e.g. the last iterate) scales the exponents so
    that they stay near zero: the terms are ``(κ̂ ĉ / P̂_ref)^(-θ)``. ``κ̂ = ∞`` gives an
    exact zero share.

    Returns
    -------
    (log_P, pi_new)
    """
    expo = -theta * (log_kappa + log_c[None, :, :] - log_P_ref[:, None, :])
    terms = pi * np.exp(expo)
    total = terms.sum(axis=1)
    log_P = log_P_ref - np.log(total) / theta
    return log_P, terms / total[:, None, :]


def trade_block(
    log_pi_kappa: FloatArray,
    log_c: FloatArray,
    log_P_ref: FloatArray,
    theta: FloatArray,
    inv_tau: FloatArray,
    out: FloatArray | None = None,
    extra: tuple[npt.NDArray[np.int_], FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    r"""Fused :func:`price_index_and_shares` for the solver's hot loop.

    With the constant ``log_pi_kappa = ln π - θ ln κ̂`` (``-inf`` for zero shares and
    prohibitive costs), one pass computes

    .. math:: e_{nij} = \exp(\ln\pi_{nij} - \theta_j \ln\hat\kappa_{nij}
              - \theta_j \ln\hat c_{ij} + \theta_j \ln\hat P^{ref}_{nj}),
              \quad \hat P_{nj} = \hat P^{ref}_{nj} (\textstyle\sum_i e_{nij})^{-1/\theta_j}

    and returns ``(ln P̂, π'/(1+t'))``; the division by the tariff factor serves sales and
    revenue (:func:`sales_and_revenue`). ``out`` (shape of ``log_pi_kappa``) is reused.
    ``extra = (flat cells, values)`` adds ``values`` to the exponent of those cells (quota
    wedges: ``-θ_j ln(1+ω)``).
    """
    e = np.add(log_pi_kappa, (-theta * log_c)[None, :, :], out=out)
    e += (theta * log_P_ref)[:, None, :]
    if extra is not None:
        flat = e.reshape(-1)
        flat[extra[0]] += extra[1]
    np.exp(e, out=e)
    total = e.sum(axis=1)
    log_P = log_P_ref - np.log(total) / theta
    e *= inv_tau
    e /= total[:, None, :]
    return log_P, e


def sales_and_revenue(pi_over_tau: FloatArray, X: FloatArray) -> tuple[FloatArray, FloatArray]:
    r"""Sales :math:`Y_{ij} = \sum_n \frac{\pi'_{nij}}{1+t'_{nij}} X'_{nj}` and tariff revenue.

    Revenue uses :math:`\sum_i \pi'_{nij} = 1`:
    :math:`R_n = \sum_j X'_{nj} (1 - \sum_i \pi'_{nij}/(1+t'_{nij}))`.
    """
    Y = np.einsum("nij,nj->ij", pi_over_tau, X)
    R = ((1.0 - pi_over_tau.sum(axis=1)) * X).sum(axis=1)
    return Y, R


def sales(pi_new: FloatArray, inv_tau: FloatArray, X: FloatArray) -> FloatArray:
    r"""Gross output (sales net of tariffs) of each exporter and sector.

    .. math:: Y_{ij} = \sum_n \frac{\pi'_{nij}}{1 + t'_{nij}} X'_{nj}
    """
    return np.einsum("nij,nij,nj->ij", pi_new, inv_tau, X)


def tariff_revenue(pi_new: FloatArray, revenue_share: FloatArray, X: FloatArray) -> FloatArray:
    r"""Tariff revenue of each importer.

    .. math:: R_n = \sum_{i,j} \frac{t'_{nij}}{1 + t'_{nij}} \pi'_{nij} X'_{nj}
    """
    return np.einsum("nij,nij,nj->n", pi_new, revenue_share, X)


def expenditure(Y: FloatArray, gamma_io: FloatArray, alpha: FloatArray, income: FloatArray) -> FloatArray:
    r"""Absorption gross of tariffs (CP eq. 13): intermediate plus final demand.

    .. math:: X'_{nk} = \sum_j \gamma_{nkj} Y'_{nj} + \alpha_{nk} I'_n,
              \qquad I'_n = \hat w_n w_n L_n + R'_n + D'_n
    """
    return np.matmul(gamma_io, Y[:, :, None])[:, :, 0] + alpha * income[:, None]


def financed_spending(G: FloatArray, log_P: FloatArray) -> tuple[FloatArray, FloatArray]:
    r"""Investment spending financed by lump-sum charges, at current prices, and the charges.

    .. math:: G'_{nk} = G_{nk} \hat P_{nk}, \qquad T'_n = \sum_k G'_{nk}

    ``G`` is the real quantity (baseline prices) each region buys; the charge on the
    region's income :math:`T'_n` pays for it (see :meth:`tradewar.model.Shock.with_financing`).
    """
    spend = G * np.exp(log_P)
    return spend, spend.sum(axis=1)


def deficits(rule: str, D: FloatArray, w_hat: FloatArray, wL: FloatArray) -> FloatArray:
    r"""Trade deficits :math:`D'_n` in the counterfactual under the deficit ``rule``.

    ``"zero"``: :math:`D' = 0`; ``"fixed"``: a constant share of world GDP,
    :math:`D'_n = D_n \sum_m \hat w_m w_m L_m / \sum_m w_m L_m`; ``"data"``: :math:`D' = D`.
    """
    if rule == "zero":
        return np.zeros(len(wL))
    if rule == "fixed":
        return np.asarray(D * (w_hat @ wL) / float(wL.sum()))
    return np.asarray(D)


def trade_balance_excess(
    Y: FloatArray, X: FloatArray, R: FloatArray, D: FloatArray, rent_income: FloatArray | float = 0.0
) -> FloatArray:
    r"""Excess of exports over imports plus the deficit (CP eq. C2), zero in equilibrium.

    .. math:: E_n = \sum_j Y_{nj} - \Big(\sum_j X_{nj} - R_n\Big) + Q_n + D'_n

    (``X`` gross of tariffs, so ``Σ_j X - R`` is the import bill plus domestic purchases,
    which cancel against domestic sales in ``Σ_j Y``; quota rents ``Q_n`` received count
    as export earnings).
    """
    return np.asarray(Y.sum(axis=1) - (X.sum(axis=1) - R) + rent_income + D)


def tatonnement_step(theta: FloatArray) -> float:
    r"""Step of the wage update, :math:`\lambda = 1 / (1 + \bar\theta)`."""
    return 1.0 / (1.0 + float(theta.mean()))


def wage_step(log_w: FloatArray, excess: FloatArray, wL: FloatArray, step: float) -> FloatArray:
    r"""Tâtonnement on wages, before the numeraire: :math:`\ln\hat w_n + \lambda E_n / (\hat w_n w_n L_n)`."""
    return np.asarray(log_w + step * excess / (np.exp(log_w) * wL))


def numeraire(log_w: FloatArray, wL: FloatArray) -> FloatArray:
    r"""Wages rescaled to the numeraire, world GDP fixed: :math:`\sum_n \hat w_n w_n L_n = \sum_n w_n L_n`.

    .. math:: \ln\hat w'_n = \ln\hat w_n - \ln\Big(\sum_m \hat w_m w_m L_m / \sum_m w_m L_m\Big)
    """
    return np.asarray(log_w - np.log((np.exp(log_w) @ wL) / float(wL.sum())))


def value_added_demand(Y: FloatArray, gamma_va: FloatArray) -> FloatArray:
    r"""Payments to labour implied by sales: :math:`\sum_j \gamma_{nj} Y_{nj}` (labour market)."""
    return (gamma_va * Y).sum(axis=1)


def trade_flows(pi: FloatArray, tau: FloatArray, X: FloatArray) -> FloatArray:
    r"""Bilateral flows net of tariffs :math:`M_{nij} = \pi_{nij} X_{nj} / (1 + t_{nij})`."""
    return pi * X[:, None, :] / tau


def real_income_change(income_hat: FloatArray, log_P: FloatArray, alpha: FloatArray) -> FloatArray:
    r"""Exact change in real income :math:`\hat I_n / \prod_j \hat P_{nj}^{\alpha_{nj}}`."""
    return income_hat * np.exp(-(alpha * log_P).sum(axis=1))


def tot_vot_decomposition(
    trade0: FloatArray, trade1: FloatArray, tau0: FloatArray, c_hat: FloatArray, income0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Caliendo-Parro eq. 16 evaluated with discrete changes, as in the authors' code.

    With exports :math:`E_{nij} = M_{inj}` and imports :math:`M_{nij}` (net of tariffs):

    .. math::
        \mathrm{ToT}_n = \frac{1}{I_n}\sum_{i,j}\left[E_{nij}(\hat c_{nj} - 1)
                         - M_{nij}(\hat c_{ij} - 1)\right], \qquad
        \mathrm{VoT}_n = \frac{1}{I_n}\sum_{i,j} t_{nij} M_{nij}
                         \left(\hat M_{nij} - \hat c_{ij}\right)

    Returns fractions (multiply by 100 for percent), ``(tot, vot)`` by region. Flows that
    are zero in the baseline contribute nothing.
    """
    exports0 = trade0.transpose(1, 0, 2)
    tot = (exports0 * (c_hat[:, None, :] - 1.0)).sum(axis=(1, 2)) - (trade0 * (c_hat[None, :, :] - 1.0)).sum(
        axis=(1, 2)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        m_hat = np.where(trade0 > 0, trade1 / np.where(trade0 > 0, trade0, 1.0), 0.0)
    vot = ((tau0 - 1.0) * trade0 * (m_hat - c_hat[None, :, :])).sum(axis=(1, 2))
    return tot / income0, vot / income0


# ----------------------------------------------------------------------------- nested CES
def log_ces_mean(log_x: FloatArray, weights: FloatArray, a: FloatArray, axis: int) -> FloatArray:
    r"""Log of a CES (power) mean along ``axis``, with its Cobb-Douglas limit taken exactly.

    .. math:: \ln M = \frac{1}{a} \ln \sum_k w_k \hat x_k^{a}, \qquad
              a \to 0:\ \ln M = \sum_k w_k \ln \hat x_k

    with ``a = 1 - elasticity`` (shape of the result, broadcast along ``axis``) and weights
    summing to one along ``axis`` (where they sum to zero the result is 0; the CES form
    normalises them, the Cobb-Douglas form uses them as given, so that shares that miss
    one by rounding reproduce :func:`log_unit_cost` exactly). Computed as a
    log-sum-exp shifted by its largest term, so that low elasticities (``a`` near 1) and
    large price changes do not overflow.
    """
    nz = weights != 0.0  # (data may carry tiny negative shares: keep them, as CD does)
    lin = np.where(nz, weights * log_x, 0.0).sum(axis=axis)
    cd = a == 0.0
    if cd.all():
        return np.asarray(lin)
    a_safe = np.where(cd, 1.0, a)
    z = np.expand_dims(a_safe, axis) * log_x
    z = np.where(nz, z, -np.inf)
    m = z.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    wsum = weights.sum(axis=axis, keepdims=True)
    total = (weights / np.where(wsum > 0, wsum, 1.0) * np.exp(z - m)).sum(axis=axis)
    with np.errstate(divide="ignore"):
        ces = (np.squeeze(m, axis=axis) + np.log(total)) / a_safe
    ces = np.where(total > 0, ces, 0.0)
    return np.asarray(np.where(cd, lin, ces))


def nested_ces_cost(
    log_w: FloatArray,
    log_P: FloatArray,
    log_A: FloatArray,
    gamma_va: FloatArray,
    gamma_io: FloatArray,
    bundle_weights: FloatArray,
    one_minus_sigma: FloatArray,
    one_minus_eps: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Unit cost and new cost shares under nested CES production, in changes.

    Baqaee and Farhi (2019, Econometrica 87(4), eqs. 2-3) written in changes around the
    baseline shares; ``g = γ_nj`` (value-added share), ``γ_nkj`` (input shares, with
    ``1 - g = Σ_k γ_nkj``), ``s_nkj = γ_nkj / Σ_k γ_nkj`` (``bundle_weights``), ``σ_nj``
    between value added and the intermediate bundle,
    ``ε_nj`` among inputs:

    .. math::
        \hat P^M_{nj} = \Big(\sum_k s_{nkj} \hat P_{nk}^{1-\varepsilon_{nj}}\Big)^{1/(1-\varepsilon_{nj})},
        \qquad
        \hat c_{nj} = \frac{1}{\hat A_{nj}}\Big(g_{nj} \hat w_n^{1-\sigma_{nj}}
            + (1 - g_{nj}) (\hat P^M_{nj})^{1-\sigma_{nj}}\Big)^{1/(1-\sigma_{nj})}

    New cost shares (Shephard's lemma), with ``ĉ^b = Â ĉ`` the bundle cost:

    .. math::
        g'_{nj} = g_{nj} (\hat w_n / \hat c^b_{nj})^{1-\sigma_{nj}}, \qquad
        \gamma'_{nkj} = (1-g_{nj}) (\hat P^M_{nj}/\hat c^b_{nj})^{1-\sigma_{nj}}\,
            s_{nkj} (\hat P_{nk} / \hat P^M_{nj})^{1-\varepsilon_{nj}}

    and ``g' + Σ_k γ'_nkj = 1``. At ``σ = ε = 1`` (``one_minus_* = 0``) this is exactly
    :func:`log_unit_cost` with unchanged shares.

    Returns
    -------
    (ln ĉ (effective, i.e. ``ln ĉ^b - ln Â``), g' [n, j], γ' [n, k, j])
    """
    N, J = gamma_va.shape
    lw = log_w[:, None] if log_w.ndim == 1 else log_w  # [n, j]: the value-added price
    # a nest whose elasticities are all 1 takes its Cobb-Douglas form directly (one
    # matrix product, shares unchanged): the engine at elasticity 1 costs what CD costs
    lower: FloatArray | None = None
    b: FloatArray | None = None
    if one_minus_eps.any():
        lPM, lower = _input_bundle(log_P, bundle_weights, one_minus_eps)
        b = gamma_io.sum(axis=1)
        io = b * lPM
    else:
        io = np.matmul(log_P[:, None, :], gamma_io)[:, 0, :]  # Σ_k γ_nkj ln P̂_nk
    upper: FloatArray | None = None
    if one_minus_sigma.any():
        if b is None:
            b = gamma_io.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                lPM = np.where(b > 0, io / np.where(b > 0, b, 1.0), 0.0)
        log_x = np.stack([np.broadcast_to(lw, (N, J)), lPM], axis=1)
        weights = np.stack([gamma_va, b], axis=1)
        lcb = log_ces_mean(log_x, weights, one_minus_sigma, axis=1)
        g_new = gamma_va * np.exp(one_minus_sigma * (lw - lcb))
        upper = np.exp(one_minus_sigma * (lPM - lcb))
    else:
        lcb = gamma_va * lw + io
        g_new = gamma_va
    # γ' = γ (P̂M/ĉb)^(1-σ) (P̂_k/P̂M)^(1-ε): exactly γ where σ = ε = 1
    gio_new = gamma_io
    if upper is not None:
        gio_new = gio_new * upper[:, None, :]
    if lower is not None:
        gio_new = gio_new * lower
    return lcb - log_A, g_new, gio_new


def _input_bundle(log_P: FloatArray, s: FloatArray, a: FloatArray) -> tuple[FloatArray, FloatArray]:
    r"""``(ln P̂M [n, j], (P̂_nk/P̂M_nj)^(1-ε) [n, k, j])`` of the lower nest in one exp pass.

    With ``a = 1 - ε`` and the shift ``m_nj = a max_k ln P̂_nk`` (min for ``a < 0``) every
    exponent ``a ln P̂_nk - m_nj`` is at most 0, so nothing overflows:
    ``E = exp(a ln P̂ - m)``, ``T = Σ_k s E``, ``ln P̂M = (m + ln T)/a`` and the relative
    price term is ``E / T``. Cells with ``a = 0`` use ``Σ_k s ln P̂`` (their ``E/T = 1``).
    """
    hi = log_P.max(axis=1)[:, None]
    lo = log_P.min(axis=1)[:, None]
    m = np.where(a > 0, a * hi, a * lo)
    E = np.exp(a[:, None, :] * log_P[:, :, None] - m[:, None, :])
    total = np.einsum("nkj,nkj->nj", s, E)
    lin = np.matmul(log_P[:, None, :], s)[:, 0, :]
    cd = a == 0.0
    ok = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        ces = (m + np.log(np.where(ok, total, 1.0))) / np.where(cd, 1.0, a)
    lPM = np.where(cd | ~ok, lin, ces)
    return np.asarray(lPM), np.asarray(E / np.where(ok, total, 1.0)[:, None, :])
