"""Who depends on whom, for what, and how much: analytics over a World (no counterfactuals).

Every function is pure over a :class:`~tradewar.world.world.World` and returns labelled
xarray (or pandas) objects with the World's dims: ``origin`` (supplier region),
``product`` (supplier's sector), ``region`` (using region), ``sector`` (using sector).
Equations are in each module's docstring (Miller and Blair 2009 notation).

Matrix-level cores (``*_arrays`` over :class:`MRIO`) serve systems too large for a World
object, e.g. in the benchmarks; the Leontief system is factored once and solved, never
inverted (:class:`LeontiefSystem`).
"""

from tradewar.analysis._mrio import MRIO
from tradewar.analysis.dependence import (
    dependence_arrays,
    import_dependence,
    import_shares,
    self_sufficiency,
    supplier_hhi,
)
from tradewar.analysis.exposure import exposure, exposure_arrays
from tradewar.analysis.extraction import (
    chokepoints,
    extraction_arrays,
    forward_extraction_arrays,
    hypothetical_extraction,
    supplier_cutoff,
    supplier_extraction_arrays,
)
from tradewar.analysis.leontief import (
    LeontiefSystem,
    calc_A,
    calc_B,
    ghosh_output,
    leontief_output,
    output_multipliers,
)
from tradewar.analysis.profile import TABLE_COLUMNS, all_metrics, exposure_profile, exposure_table
from tradewar.analysis.value_added import foreign_value_added, value_added_arrays, value_added_origin

__all__ = [
    "MRIO",
    "TABLE_COLUMNS",
    "LeontiefSystem",
    "all_metrics",
    "calc_A",
    "calc_B",
    "chokepoints",
    "dependence_arrays",
    "exposure",
    "exposure_arrays",
    "exposure_profile",
    "exposure_table",
    "extraction_arrays",
    "foreign_value_added",
    "forward_extraction_arrays",
    "ghosh_output",
    "hypothetical_extraction",
    "import_dependence",
    "import_shares",
    "leontief_output",
    "output_multipliers",
    "self_sufficiency",
    "supplier_cutoff",
    "supplier_extraction_arrays",
    "supplier_hhi",
    "value_added_arrays",
    "value_added_origin",
]
