"""Make docs/chokepoints.png and print the tables of docs/chokepoints.md.

The same two chokepoint restrictions on the default world under Cobb-Douglas production
and under low elasticities of substitution (the library's, and a near-Leontief variant):

* rare earths: China's exports of rare earths and magnets (REE) to every region cut to 50 % of
  the baseline quantity (one pooled export quota; China keeps the licence rent);
* chips: the United States, Japan, the EU and the Netherlands ban exports of advanced chips (SEMA) and
  chip-making equipment (SME) to China (quota 0, the limit of prohibitive trade costs).

Deterministic (no random numbers); needs matplotlib (``pip install -e .[docs]``)::

    python docs/chokepoints_figure.py            # writes docs/chokepoints.png, prints tables
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.model import Baseline, Equilibrium, Shock, Technology, solve
from tradewar.world.load import load_world

HERE = Path(__file__).resolve().parent
ALLIES = ["USA", "JPN", "EU", "NLD"]


def technologies(base: Baseline) -> dict[str, Technology | None]:
    """Cobb-Douglas, the library's elasticities and a near-Leontief variant."""
    return {
        "Cobb-Douglas": None,
        "library (σ 0.5, ε 0.1)": Technology.uniform(base, sigma=0.5, epsilon=0.1),
        "near-Leontief (σ 0.1, ε 0.05)": Technology.uniform(base, sigma=0.1, epsilon=0.05),
    }


def restrictions(base: Baseline) -> dict[str, Shock]:
    """The rare-earth quota and the chip ban."""
    none = Shock.none(base)
    return {
        "rare earths: China's REE exports at 50 %": none.set_quota(
            0.5, origin="CHN", product="REE", pooled=True, rent="exporter"
        ),
        "chips: US/JP/EU/NL ban SEMA+SME to China": none.set_quota(
            0.0, origin=ALLIES, region="CHN", product=["SEMA", "SME"]
        ),
    }


#: Trade elasticities of the chokepoint sectors in the sensitivity variant (suppliers
#: hard to replace too, as in the short run); the default world has REE 5, SEMA 4, SME 2.
LOW_THETA = {"REE": 1.0, "SEMA": 1.0, "SME": 1.0}


def baselines(base: Baseline) -> dict[str, Baseline]:
    """The default world, and the same with low trade elasticities for the chokepoint sectors."""
    theta = base.theta.copy()
    for sector, value in LOW_THETA.items():
        theta[base.sectors.index(sector)] = value
    return {"world's θ": base, "θ = 1 for REE, SEMA, SME": replace(base, theta=theta)}


Key = tuple[str, str, str]


def solve_all(base: Baseline) -> dict[Key, Equilibrium]:
    """Every (baseline, restriction, technology) equilibrium."""
    out = {}
    for bname, b in baselines(base).items():
        for rname, shock in restrictions(b).items():
            for tname, tech in technologies(b).items():
                eq = solve(b, shock, technology=tech)
                assert eq.solver.converged
                out[(bname, rname, tname)] = eq
    return out


def world_welfare(e: Equilibrium) -> float:
    """GDP-weighted world welfare change (percent)."""
    return float(e.regions["welfare_pct"].to_numpy() @ e.baseline.wL / e.baseline.wL.sum())


def _md(df: pd.DataFrame, digits: int) -> str:
    """A pipe table (no tabulate dependency)."""
    head = ["", *[str(c) for c in df.columns]]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for idx, r in df.iterrows():
        label = ", ".join(map(str, idx)) if isinstance(idx, tuple) else str(idx)
        rows.append("| " + " | ".join([label, *[f"{v:.{digits}f}" for v in r.to_numpy()]]) + " |")
    return "\n".join(rows)


#: Downstream cells shown in the tables: users of critical minerals and of chips.
CELLS = [("KOR", "ELE"), ("JPN", "ELE"), ("JPN", "VEH"), ("USA", "VEH"), ("EU", "VEH"),
         ("CHN", "ELE"), ("CHN", "SEMA"), ("CHN", "SEMM"), ("CHN", "DIG")]  # fmt: skip


def markdown(eqs: dict[Key, Equilibrium]) -> str:
    """The tables of docs/chokepoints.md."""
    lines = []
    groups = list(dict.fromkeys(k[:2] for k in eqs))
    for bname, rname in groups:
        sub = {k[2]: e for k, e in eqs.items() if k[:2] == (bname, rname)}
        w = pd.DataFrame({t: e.regions["welfare_pct"] for t, e in sub.items()})
        w.loc["world (GDP-weighted)"] = [world_welfare(e) for e in sub.values()]
        lines.append(f"#### {rname}; {bname}\n\nWelfare (exact real income), percent:\n")
        lines.append(_md(w, 3))
        sec = pd.DataFrame({t: e.sectors["output_change_pct"] for t, e in sub.items()}).loc[CELLS]
        lines.append("\nReal output of downstream sectors, percent:\n")
        lines.append(_md(sec, 2))
        wedges = {t: (float(e.quotas["wedge"].max()) if len(e.quotas) else np.inf) for t, e in sub.items()}
        lines.append(
            "\nQuota wedge ω (tariff-equivalent; inf = ban): "
            + ", ".join(f"{t} {v:.3g}" for t, v in wedges.items())
            + "\n"
        )
    return "\n".join(lines)


def figure(eqs: dict[Key, Equilibrium], path: Path) -> None:
    """Welfare by region, one panel per (baseline, restriction), bars by technology."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bnames = list(dict.fromkeys(k[0] for k in eqs))
    rnames = list(dict.fromkeys(k[1] for k in eqs))
    tnames = list(dict.fromkeys(k[2] for k in eqs))
    fig, axes = plt.subplots(len(bnames), len(rnames), figsize=(13, 8.5), squeeze=False)
    for i, bname in enumerate(bnames):
        for j, rname in enumerate(rnames):
            ax = axes[i][j]
            regions = list(eqs[(bname, rname, tnames[0])].baseline.regions)
            x = np.arange(len(regions))
            width = 0.8 / len(tnames)
            for k, tname in enumerate(tnames):
                y = eqs[(bname, rname, tname)].regions["welfare_pct"].to_numpy()
                ax.bar(x + (k - (len(tnames) - 1) / 2) * width, y, width, label=tname)
            ax.set_xticks(x, regions, rotation=45)
            ax.axhline(0, color="black", lw=0.6)
            ax.set_title(f"{rname}\n{bname}", fontsize=9)
            ax.set_ylabel("welfare, % (real income)")
    axes[0][0].legend(fontsize=8, title="production", title_fontsize=8)
    fig.suptitle("The same chokepoint restrictions under Cobb-Douglas and low elasticities (default world)")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def main() -> None:
    """Write the figure, print the tables."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(HERE / "chokepoints.png"))
    args = ap.parse_args()
    base = Baseline.from_world(load_world("default"))
    eqs = solve_all(base)
    figure(eqs, Path(args.out))
    print(markdown(eqs))


if __name__ == "__main__":
    main()
