r"""Money metrics: results in the World's currency, converted to USD billion.

Equivalent variation (Hicks) of the exact real-income change. With the engine's
homothetic (Cobb-Douglas) final demand, utility is proportional to real income
``I / Π_j P_j^α_j``, so the income change at *baseline* prices that gives the
counterfactual utility is exactly

.. math:: EV_n = (\hat W_n - 1)\, I_n, \qquad \hat W_n = \hat I_n / \prod_j \hat P_{nj}^{\alpha_{nj}}

with ``I_n = w_n L_n + R_n + D_n`` the region's baseline income (final expenditure:
value added plus tariff revenue plus the trade deficit) in the base year of the World, and
``welfare_pct = 100 (Ŵ - 1)``. Hence ``EV_n / I_n = welfare_pct / 100`` exactly and the
two always have the same sign. The unit is base-year USD (the engine's numeraire is world
GDP, held at its baseline value).

Output and trade in money: ``output_change_usd_bn = output_before x output_change_pct / 100``
(the real change valued at baseline producer prices) and
``trade_change_usd_bn = counterfactual - baseline`` (flows net of tariffs, nominal, with
world GDP as the numeraire).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tradewar.policy.shocks import UNIT_TO_USD_MILLION

if TYPE_CHECKING:
    from tradewar.model import Equilibrium


def usd_bn_per_unit(unit: str) -> float | None:
    """USD billion per one of the World's value ``unit``; None if the unit is not a USD unit."""
    per = UNIT_TO_USD_MILLION.get(unit)
    return None if per is None else per / 1000.0


def equivalent_variation(eq: Equilibrium) -> np.ndarray:
    """``EV_n = (Ŵ_n - 1) I_n`` by region, in the World's unit (see the module docstring).

    ``I_n`` is the income of the equilibrium's baseline (with the ``zero`` deficit rule,
    the World re-solved with zero deficits).
    """
    return np.asarray((eq.welfare_hat - 1.0) * np.asarray(eq.baseline.income), dtype=float)
