"""Fixtures of the strategy tests: small balanced worlds for Ossa's model."""

from collections.abc import Callable

import numpy as np
import pytest

from tradewar.model.ossa import OssaModel


def _small_ossa(n: int = 3, s: int = 2, seed: int = 0, tariff: float = 0.05) -> OssaModel:
    """A random world with balanced trade: big domestic sales, symmetric bilateral flows."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 3.0, size=(n, n, s))
    X = X + X.transpose(1, 0, 2)  # aggregate trade balanced
    X[np.arange(n), np.arange(n), :] = rng.uniform(10.0, 20.0, size=(n, s))
    t = np.full((n, n, s), tariff)
    sigma = np.linspace(3.0, 6.0, s)
    lam = rng.uniform(0.8, 1.2, size=(n, s))
    return OssaModel(trade=X, tariff=t, sigma=sigma, lambda_=lam, regions=tuple("ABCDEFG"[:n]))


@pytest.fixture(scope="session")
def small_ossa() -> Callable[..., OssaModel]:
    """Builder ``small_ossa(n=3, s=2, seed=0, tariff=0.05)`` of small balanced Ossa worlds."""
    return _small_ossa
