"""Equilibrium models: equations as pure functions, solvers, result objects.

Public API of the general-equilibrium engine (Caliendo and Parro 2015 in changes; the
one-sector case is structural gravity)::

    from tradewar.model import Baseline, Shock, solve

    base = Baseline.from_world(world)
    shock = Shock.none(world).set_tariff(0.25, origin="CHN", region="USA")
    eq = solve(base, shock.with_deficits("zero"))
    eq.regions, eq.sectors, eq.flows, eq.solver

Chokepoints (issue #5): nested CES production and quantity limits::

    tech = Technology.uniform(world, sigma=0.5, epsilon=0.1, sources=["Atalay 2017"])
    shock = Shock.none(world).set_quota(0.5, origin="CHN", product="REE", pooled=True)
    eq = solve(base, shock, technology=tech)
    eq.quotas, eq.wedges

Sector-specific capital (issue #12): capacity limits supply in the short run::

    cap = Capital.default(world).with_stock(k_hat)       # β by sector, K̂ by cell
    eq = solve(base, shock, capital=cap)
    eq.rental_hat, eq.capacity

Exact welfare gradients with respect to tariffs (implicit-function theorem, adjoint)::

    g = welfare_gradient(base, tariff)      # tariff[origin, region, product]
    g.welfare, g.gradient
"""

from tradewar.model.baseline import Baseline
from tradewar.model.capital import CAPITAL_SHARES, Capital
from tradewar.model.gradient import WelfareGradient, welfare_gradient
from tradewar.model.results import Equilibrium, SolverRecord
from tradewar.model.shock import Quota, Shock
from tradewar.model.solver import solve
from tradewar.model.technology import Technology

__all__ = [
    "CAPITAL_SHARES",
    "Baseline",
    "Capital",
    "Equilibrium",
    "Quota",
    "Shock",
    "SolverRecord",
    "Technology",
    "WelfareGradient",
    "solve",
    "welfare_gradient",
]
