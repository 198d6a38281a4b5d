"""One colour and one order per region in every chart, and colour scales that do not lie.

* :func:`region_colours`: a fixed colour for each region. Regions of the shipped worlds
  and of Ossa's data have their own colour whatever the World (the USA is always the same
  blue, China the same red; Ossa's ``US`` and ``China`` share them); other regions take
  the unused colours of :data:`PALETTE` in the World's order.
* :func:`region_order`: the World's order, used for every axis, legend and table.
* :func:`diverging_scale`: the colour range of a heatmap of changes. It shows the full
  range unless a few cells would wash out the rest; then it clips at the 95th
  percentile and returns which cells are clipped, so the chart can print their values
  and say that it clipped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: 20 distinguishable colours (Tableau 20, dark shades first).
PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ff9896",
    "#98df8a",
    "#ffbb78",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
)

#: Fixed colours of the regions of the shipped default worlds (old and new labels).
REGION_COLOURS: dict[str, str] = {
    "USA": "#1f77b4",
    "CHN": "#d62728",
    "EU": "#2ca02c",
    "JPN": "#9467bd",
    "KOR": "#8c564b",
    "TWN": "#e377c2",
    "IND": "#ff7f0e",
    "ASEAN": "#17becf",
    "ROW": "#7f7f7f",
    "NLD": "#98df8a",
    "VNM": "#9edae5",
    "MEX": "#bcbd22",
    "CAN": "#ff9896",
    "AUS": "#ffbb78",
}

#: Other names of the same regions (Ossa's data, common spellings).
ALIASES: dict[str, str] = {
    "US": "USA",
    "United States": "USA",
    "China": "CHN",
    "Japan": "JPN",
    "India": "IND",
    "Korea": "KOR",
    "Taiwan": "TWN",
    "Mexico": "MEX",
    "Canada": "CAN",
    "Australia": "AUS",
}

#: Colours of series that are not regions (scenarios, products, outcomes), in order.
SERIES_COLOURS: tuple[str, ...] = ("#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860", "#da8bc3")


def region_order(regions: Sequence[str]) -> list[str]:
    """The order of regions in every chart: the World's own order."""
    return list(dict.fromkeys(str(r) for r in regions))


def region_colours(regions: Sequence[str]) -> dict[str, str]:
    """A colour for each of ``regions`` (all the World's regions, in its order).

    Known regions keep their colour in :data:`REGION_COLOURS` (also under an
    :data:`ALIASES` name); the others take the unused colours of :data:`PALETTE` in
    order, cycling when a World has more regions than colours.
    """
    order = region_order(regions)
    out: dict[str, str] = {}
    for r in order:
        code = ALIASES.get(r, r)
        if code in REGION_COLOURS and REGION_COLOURS[code] not in out.values():
            out[r] = REGION_COLOURS[code]
    free = [c for c in PALETTE if c not in out.values()] or list(PALETTE)
    k = 0
    for r in order:
        if r not in out:
            out[r] = free[k % len(free)]
            k += 1
    return out


def series_colour(k: int) -> str:
    """Colour of the ``k``-th series that is not a region."""
    return SERIES_COLOURS[k % len(SERIES_COLOURS)]


#: Clip the colour range only when the largest change exceeds the 95th percentile of
#: the absolute changes by more than this factor.
CLIP_FACTOR = 2.0


@dataclass(frozen=True)
class DivergingScale:
    """Colour range of a heatmap of changes centred on zero.

    Attributes
    ----------
    limit: colours run from ``-limit`` to ``+limit``.
    largest: the largest absolute value in the data.
    clipped: cells beyond ``limit`` (they show the end colour; the chart prints their values).
    """

    limit: float
    largest: float
    clipped: npt.NDArray[np.bool_]

    @property
    def n_clipped(self) -> int:
        """Number of clipped cells."""
        return int(self.clipped.sum())

    def note(self, unit: str = "%") -> str:
        """What a reader must know about the scale ("" when nothing is clipped)."""
        if not self.n_clipped:
            return ""
        return (
            f"colours clipped at ±{self.limit:g} {unit}: {self.n_clipped} cell(s) beyond it "
            f"(up to {self.largest:.3g} {unit} in absolute value) show their value"
        )


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k not below ``x`` (a readable colour-bar end)."""
    if x <= 0:
        return 1.0
    k = math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * 10.0**k >= x * (1 - 1e-12):
            return m * 10.0**k
    return 10.0 ** (k + 1)  # pragma: no cover - the loop always returns


def diverging_scale(z: npt.ArrayLike) -> DivergingScale:
    """The colour range for the changes ``z``; see the module docstring.

    The full range ``max |z|`` unless it exceeds :data:`CLIP_FACTOR` times the 95th
    percentile of ``|z|``; then the range ends at that percentile rounded up to a
    readable number, and the cells beyond are flagged.
    """
    a = np.asarray(z, dtype=float)
    finite = np.isfinite(a)
    absval = np.abs(np.where(finite, a, 0.0))
    largest = float(absval.max()) if absval.size else 0.0
    if largest <= 0:
        return DivergingScale(limit=1.0, largest=0.0, clipped=np.zeros(a.shape, dtype=bool))
    p95 = float(np.percentile(absval[finite], 95))
    if p95 <= 0 or largest <= CLIP_FACTOR * p95:
        return DivergingScale(limit=largest, largest=largest, clipped=np.zeros(a.shape, dtype=bool))
    limit = _nice_ceiling(p95)
    return DivergingScale(limit=limit, largest=largest, clipped=finite & (absval > limit))
