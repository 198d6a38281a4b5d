"""Equilibrium models: equations as pure functions, solvers, result objects.

Public API of the general-equilibrium engine (Caliendo and Parro 2015 in changes; the
one-sector case is structural gravity)::

    from tradewar.model import Baseline, Shock, solve

    base = Baseline.from_world(world)
    shock = Shock.none(world).set_tariff(0.25, origin="CHN", region="USA")
    eq = solve(base, shock.with_deficits("zero"))
    eq.regions, eq.sectors, eq.flows, eq.solver
"""

from tradewar.model.baseline import Baseline
from tradewar.model.results import Equilibrium, SolverRecord
from tradewar.model.shock import Shock
from tradewar.model.solver import solve

__all__ = ["Baseline", "Equilibrium", "Shock", "SolverRecord", "solve"]
