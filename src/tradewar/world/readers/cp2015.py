"""Caliendo and Parro (2015) NAFTA data as a World: 31 regions x 40 sectors, 1993.

Source: the authors' replication package (``cp2015_nafta/original/*.txt``; see that
folder's ``SOURCE.md``): bilateral trade and tariffs for 20 tradable sectors, input-output
coefficients, value-added shares and gross output for 40 sectors, trade elasticities.

The raw files are not one consistent MRIO: gross output, trade and input-output shares
come from different sources, and the authors derive final-demand shares as a residual
(clipped at zero). The model uses only *shares* — trade shares ``π``, input-output shares
``γ``, value-added shares, final-demand shares ``α`` — and value added ``wL``. This
reader therefore builds the one balanced World whose shares are exactly the authors'
and whose value added by region is exactly theirs (the model's own baseline equilibrium):

1. as the authors' ``script.m`` (and ``prepare_data.py`` of ``paulofelipe/cp2015-jax``):
   trade x 1000 (thousands -> USD); ``GO = max(GO, exports)``; domestic sales
   ``GO - exports``; absorption gross of tariffs ``X``; shares ``π = (1+t) trade / X``;
   ``γ_nkj = IO_nkj (1 - B_nj)``; value added ``VA_n = Σ_j B_nj GO_nj``;
   ``α = max(X - Σ_j γ GO, 0)``, normalised;
2. solve the linear system, for absorption ``X'[n, k]`` and deficits ``D[n]``,

   ``X'_nk = Σ_j γ_nkj x_nj + α_nk (VA_n + R_n + D_n)``, ``x_ij = Σ_n π_nij X'_nj / (1+t_nij)``,
   ``Σ_j (1 - Σ_k γ_nkj) x_nj = VA_n``,  ``R_n = Σ_ij t_nij π_nij X'_nj / (1+t_nij)``;

3. split every purchase across origins with the importer's shares:
   ``Z[i, k, n, j] = π_nik γ_nkj x_nj / (1+t_nik)``, ``F[i, k, n] = π_nik α_nk I_n / (1+t_nik)``,
   ``VA[n, j] = (1 - Σ_k γ_nkj) x_nj``.

``Baseline.from_world`` of this World returns the authors' π, γ, α, θ and VA_n (to
rounding, except one negative input coefficient that a World cannot hold, see ``notes``;
value-added shares differ from ``B`` by at most 4e-7, the amount by which the authors'
``B`` and ``IO`` fail to add up to one). Gross output, absorption and deficits
differ from the raw files (the raw files violate the accounts); the implied deficits are
recorded in ``meta.notes``. Units: USD million. Tariffs: 1993 applied tariffs; the 2005
schedule is the tariff layer ``"2005"``. θ: Table 1 (99 % sample), 8.22 for the
20 non-tradable sectors as in the authors' code.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tradewar.errors import DataError
from tradewar.world.readers._common import dataset_dir, require_file
from tradewar.world.world import World, WorldMeta

#: Region codes in file order (ISO 3166-1 alpha-3; ``ROW`` = rest of world).
CP2015_REGIONS: tuple[str, ...] = (
    "ARG", "AUS", "AUT", "BRA", "CAN", "CHL", "CHN", "DNK", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IND", "IDN", "IRL", "ITA", "JPN", "KOR", "MEX", "NLD", "NZL", "NOR", "PRT", "ZAF", "ESP",
    "SWE", "TUR", "GBR", "USA", "ROW",
)  # fmt: skip

#: Region names as the authors spell them (README.pdf order).
CP2015_REGION_NAMES: tuple[str, ...] = (
    "Argentina", "Australia", "Austria", "Brazil", "Canada", "Chile", "China", "Denmark",
    "Finland", "France", "Germany", "Greece", "Hungary", "India", "Indonesia", "Ireland",
    "Italy", "Japan", "Korea", "Mexico", "Netherlands", "New Zealand", "Norway", "Portugal",
    "South Africa", "Spain", "Sweden", "Turkey", "UK", "USA", "Rest of world",
)  # fmt: skip

#: (code, name) of the 40 sectors in file order; the first 20 are tradable.
CP2015_SECTORS: tuple[tuple[str, str], ...] = (
    ("agri", "Agriculture"), ("mining", "Mining"), ("food", "Food"), ("textile", "Textile"),
    ("wood", "Wood"), ("paper", "Paper"), ("petroleum", "Petroleum"), ("chemicals", "Chemicals"),
    ("plastic", "Plastic"), ("minerals", "Minerals"), ("basic_metals", "Basic metals"),
    ("metal_products", "Metal products"), ("machinery", "Machinery n.e.c."), ("office", "Office"),
    ("electrical", "Electrical"), ("communication", "Communication"), ("medical", "Medical"),
    ("auto", "Auto"), ("other_transport", "Other Transport"), ("other", "Other"),
    ("electricity", "Electricity"), ("construction", "Construction"), ("retail", "Retail"),
    ("hotels", "Hotels"), ("land_transport", "Land Transport"), ("water_transport", "Water Transport"),
    ("air_transport", "Air Transport"), ("aux_transport", "Aux Transport"), ("post", "Post"),
    ("finance", "Finance"), ("real_estate", "Real Estate"), ("renting_mach", "Renting Mach"),
    ("computer", "Computer"), ("rnd", "R&D"), ("other_business", "Other Business"),
    ("public", "Public"), ("education", "Education"), ("health", "Health"),
    ("other_services", "Other services"), ("private", "Private"),
)  # fmt: skip

#: θ the authors use for the 20 non-tradable sectors.
THETA_NONTRADABLE = 8.22

N_TRADABLE = 20


def _load(path: Path, shape: tuple[int, ...], what: str) -> np.ndarray:
    require_file(path, what)
    try:
        a = np.loadtxt(path, delimiter="\t", ndmin=1)
    except ValueError as err:
        raise DataError(f"cannot parse the file ({err})", file=str(path), expected=what) from None
    if a.size != int(np.prod(shape)) or not np.isfinite(a).all():
        raise DataError(
            f"has shape {a.shape} (or non-finite values)",
            file=str(path),
            expected=f"{what}, {int(np.prod(shape))} finite numbers (shape {shape})",
            fix="use the unmodified file of the authors' replication package",
        )
    return a.reshape(shape)


def cp2015_raw_arrays(data_dir: str | os.PathLike[str] | None = None) -> dict[str, np.ndarray]:
    """The authors' model arrays from the raw files (step 1 of the module docstring).

    Returns ``pi[n, i, j]``, ``tau[n, i, j]`` (1 + t, 1993), ``tau2005``, ``gamma_io[n, k, j]``,
    ``gamma_va = B`` ``[n, j]``, ``alpha[n, j]``, ``VA[n]``, ``theta[j]``, ``X[n, j]``,
    ``GO[n, j]`` (USD) and the raw surplus ``S[n]`` = exports - imports.
    """
    root = dataset_dir(data_dir, "cp2015_nafta", "original") / "original"
    N, J, JT = len(CP2015_REGIONS), len(CP2015_SECTORS), N_TRADABLE
    xb = _load(root / "xbilat1993.txt", (JT, N, N), "bilateral trade 1993 (620 x 31)") * 1000.0
    t93 = _load(root / "tariffs1993.txt", (JT, N, N), "tariffs 1993 in percent (620 x 31)") / 100.0
    t05 = _load(root / "tariffs2005.txt", (JT, N, N), "tariffs 2005 in percent (620 x 31)") / 100.0
    IO = _load(root / "IO.txt", (N, J, J), "input-output coefficients (1240 x 40)")
    B = _load(root / "B.txt", (J, N), "value-added shares (40 x 31)").T
    GO = _load(root / "GO.txt", (J, N), "gross output (40 x 31)").T
    T = _load(root / "T.txt", (JT,), "trade elasticities (20)")
    # [j, n(dest), i(source)] -> [n, i, j], padded with zero trade in non-tradables
    trade = np.zeros((N, N, J))
    trade[:, :, :JT] = xb.transpose(1, 2, 0)
    tau = np.ones((N, N, J))
    tau[:, :, :JT] = 1.0 + t93.transpose(1, 2, 0)
    tau05 = np.ones((N, N, J))
    tau05[:, :, :JT] = 1.0 + t05.transpose(1, 2, 0)
    exports = trade.sum(axis=0)  # [i, j] (domestic cells are zero in the files)
    GO = np.maximum(GO, exports)
    idx = np.arange(N)
    trade[idx, idx, :] = GO - exports
    gross = trade * tau
    X = gross.sum(axis=1)
    pi = gross / X[:, None, :]
    S = trade.sum(axis=0).sum(axis=1) - trade.sum(axis=1).sum(axis=1)
    gamma_io = IO * (1.0 - B)[:, None, :]
    VA = (B * GO).sum(axis=1)
    num = X - np.einsum("nkj,nj->nk", gamma_io, GO)
    alpha = np.maximum(num, 0.0)
    alpha /= alpha.sum(axis=1, keepdims=True)
    theta = np.concatenate([T, np.full(J - JT, THETA_NONTRADABLE)])
    return {
        "pi": pi, "tau": tau, "tau2005": tau05, "gamma_io": gamma_io, "gamma_va": B,
        "alpha": alpha, "VA": VA, "theta": theta, "X": X, "GO": GO, "S": S,
    }  # fmt: skip


def balanced_flows(
    pi: np.ndarray, tau: np.ndarray, gamma_io: np.ndarray, alpha: np.ndarray, VA: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Absorption ``X[n, k]``, gross output ``x[n, j]`` and deficits ``D[n]`` consistent with the shares.

    Solves the linear system of step 2 of the module docstring (dense, (NJ + N) unknowns).
    """
    N, _, J = pi.shape
    share = pi / tau  # [m, n, j]: part of m's spending on j that is n's sales
    rev = ((1.0 - 1.0 / tau) * pi).sum(axis=1)  # [n, j]: revenue per unit of X[n, j]
    gva = 1.0 - gamma_io.sum(axis=1)  # [n, j]
    eyeN = np.eye(N)
    # x[n, j] = Σ_m share[m, n, j] X[m, j]  ->  S[(n, j), (m, j')]
    S = np.einsum("mnj,jl->njml", share, np.eye(J)).reshape(N * J, N * J)
    A = np.einsum("nkj,njml->nkml", gamma_io, S.reshape(N, J, N, J)).reshape(N * J, N * J)
    A += np.einsum("nk,nj,nm->nkmj", alpha, rev, eyeN).reshape(N * J, N * J)
    top = np.hstack([np.eye(N * J) - A, -np.einsum("nk,nm->nkm", alpha, eyeN).reshape(N * J, N)])
    bottom = np.hstack(
        [np.einsum("nj,njml->nml", gva, S.reshape(N, J, N, J)).reshape(N, N * J), np.zeros((N, N))]
    )
    rhs = np.concatenate([(alpha * VA[:, None]).reshape(-1), VA])
    sol = np.linalg.solve(np.vstack([top, bottom]), rhs)
    X = sol[: N * J].reshape(N, J)
    D = sol[N * J :]
    x = (S @ X.reshape(-1)).reshape(N, J)
    return X, x, D


def _clip_negative_inputs(gamma_io: np.ndarray) -> tuple[np.ndarray, int]:
    """Zero negative input shares; rescale the column's other inputs to keep Σ_k γ_nkj."""
    neg = gamma_io < 0
    if not neg.any():
        return gamma_io, 0
    total = gamma_io.sum(axis=1, keepdims=True)
    clipped = np.where(neg, 0.0, gamma_io)
    kept = clipped.sum(axis=1, keepdims=True)
    scale = np.where(kept > 0, total / np.where(kept > 0, kept, 1.0), 1.0)
    return clipped * scale, int(neg.sum())


def cp2015_deficit_base_year(data_dir: str | os.PathLike[str] | None = None) -> dict[str, np.ndarray]:
    """The authors' calibrated 1993 base year *with* deficits (``initial_condition_1993_withS.mat``).

    The authors re-solve the raw 1993 data with the observed deficits held fixed and no
    tariff change, and store the result (their ``Equilibrium_with_deficit/script*.m``);
    Tables A4-A7 and footnote 47 start from it. Same keys as :func:`cp2015_raw_arrays`
    (``VA`` in USD; the file's unit is USD 1e15, after three divisions by 1e5) plus the
    deficits ``D`` (USD).
    """
    import scipy.io

    root = dataset_dir(data_dir, "cp2015_nafta", "original") / "original"
    path = require_file(root / "initial_condition_1993_withS.mat", "CP2015 base year with deficits")
    try:
        m = scipy.io.loadmat(path)
    except (ValueError, OSError) as err:
        raise DataError(f"cannot read the MATLAB file ({err})", file=str(path)) from None
    raw = cp2015_raw_arrays(data_dir)
    N, J = len(CP2015_REGIONS), len(CP2015_SECTORS)
    try:
        pi = np.asarray(m["Din"], dtype=float).reshape(J, N, N).transpose(1, 2, 0)
        tau = np.asarray(m["tau"], dtype=float).reshape(J, N, N).transpose(1, 2, 0)
        B = np.asarray(m["B"], dtype=float).T
        gamma_io = np.asarray(m["G"], dtype=float).reshape(N, J, J) * (1.0 - B)[:, None, :]
        alpha = np.asarray(m["alphas"], dtype=float).T
        unit = 1e15
        VA = np.asarray(m["VAn"], dtype=float).reshape(N) * unit
        D = -np.asarray(m["Sn"], dtype=float).reshape(N) * unit
    except (KeyError, ValueError) as err:
        raise DataError(
            f"unexpected content ({err})",
            file=str(path),
            expected="the workspace saved by the authors' script_with_surplus.m "
            "(Din, tau, G, B, alphas, VAn, Sn)",
        ) from None
    return raw | {"pi": pi, "tau": tau, "gamma_va": B, "gamma_io": gamma_io, "alpha": alpha, "VA": VA, "D": D}


def read_cp2015(data_dir: str | os.PathLike[str] | None = None, *, calibration: str = "shares") -> World:
    """The CP2015 base year (1993) as a balanced World (see the module docstring).

    ``data_dir`` is the data root (``../shared/data``, the default) or the
    ``cp2015_nafta`` folder itself. ``calibration``:

    ``"shares"`` (default)
        the raw files' shares and value added, deficits implied (the base of the
        paper's main results, Tables 2-11, which first close the deficits);
    ``"deficits"``
        the authors' calibrated base year with deficits
        (:func:`cp2015_deficit_base_year`; footnote 47 and Tables A4-A7).

    Raises
    ------
    DataError
        Missing or malformed files; an implied flow that comes out negative.

    """
    if calibration == "shares":
        raw = cp2015_raw_arrays(data_dir)
    elif calibration == "deficits":
        raw = cp2015_deficit_base_year(data_dir)
    else:
        raise DataError(
            f"unknown calibration {calibration!r}", field="calibration", expected="'shares' or 'deficits'"
        )
    pi, tau, alpha = raw["pi"], raw["tau"], raw["alpha"]
    gamma_io, n_negative = _clip_negative_inputs(raw["gamma_io"])
    usd_million = 1e-6
    VA = raw["VA"] * usd_million
    X, x, D = balanced_flows(pi, tau, gamma_io, alpha, VA)
    income = VA + ((1.0 - 1.0 / tau) * pi * X[:, None, :]).sum(axis=(1, 2)) + D
    if (-1e-9 * X.max() > X).any() or (x < -1e-9 * x.max()).any() or (income <= 0).any():
        raise DataError(
            "the balanced CP2015 flows come out negative",
            file=str(dataset_dir(data_dir, "cp2015_nafta", "original")),
            fix="use the unmodified replication files",
        )
    X = np.maximum(X, 0.0)
    x = np.maximum(x, 0.0)
    share = pi / tau  # [n, i, k]
    Z = np.einsum("nik,nkj,nj->iknj", share, gamma_io, x)
    F = np.einsum("nik,nk,n->ikn", share, alpha, income)
    va = (1.0 - gamma_io.sum(axis=1)) * x
    regions = list(CP2015_REGIONS)
    raw_deficit = raw["D"] * usd_million if "D" in raw else -raw["S"] * usd_million
    worst = int(np.argmax(np.abs(D - raw_deficit)))
    meta = WorldMeta(
        name="cp2015" if calibration == "shares" else "cp2015-deficits",
        source="Caliendo and Parro (2015), 'Estimates of the Trade and Welfare Effects of NAFTA', "
        "REStud 82(1), replication package (Data_and_Codes_CP), base year 1993",
        year=1993,
        currency="USD",
        unit="USD million",
        region_names=dict(zip(regions, CP2015_REGION_NAMES, strict=True)),
        sector_names=dict(CP2015_SECTORS),
        notes=(
            "Balanced to the authors' shares (pi, gamma, alpha) and value added; gross output, "
            "absorption and deficits are implied by them (see tradewar.world.readers.cp2015).",
            f"Implied deficits differ from the raw files' by up to "
            f"{abs(D[worst] - raw_deficit[worst]):.0f} USD million ({regions[worst]}).",
            f"{n_negative} negative input-output coefficient(s) (IO.txt: CAN, 'other' into "
            "'basic_metals', -0.00057) set to 0, the column's other inputs rescaled to keep its "
            "input share; effect on the NAFTA results below 3e-6 percentage points.",
            "theta: Table 1 (99% sample) for the 20 tradables, 8.22 for non-tradables.",
            "tariff layer '2005': 2005 applied tariffs (the NAFTA counterfactual uses them for "
            "the six ordered pairs among CAN, MEX, USA).",
        ),
    )
    return World.from_arrays(
        regions=regions,
        sectors=[c for c, _ in CP2015_SECTORS],
        intermediate=Z,
        final_demand=F,
        value_added=va,
        tariff=(tau - 1.0).transpose(1, 0, 2),
        theta=raw["theta"],
        meta=meta,
        tariff_layers={"2005": (raw["tau2005"] - 1.0).transpose(1, 0, 2)},
        source_file=str(dataset_dir(data_dir, "cp2015_nafta", "original")),
    )
