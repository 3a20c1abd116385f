"""Simulate customer histories from the generative stories of the customer-value models.

Used to test that the fitted models recover known parameters and that their predictions are
calibrated. All simulators are vectorised and take a seed or a ``numpy.random.Generator``.

The continuous-time simulators return one row per customer with ``frequency`` (repeat
purchases in ``(0, T]``), ``recency`` (time of the last repeat purchase, 0 if none), ``T``,
``alive`` (the latent state at ``T``) and ``frequency_holdout`` (purchases in ``(T, T+holdout]``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from keepwise.models.clv._validation import FloatArray

Seed = int | np.random.Generator | None


def _ages(n_customers: int, T: npt.ArrayLike) -> FloatArray:
    ages = np.broadcast_to(np.asarray(T, dtype=np.float64), (n_customers,)).copy()
    if np.any(ages <= 0):
        raise ValueError("T must be positive")
    return ages


def _purchase_times(
    rng: np.random.Generator, counts: npt.NDArray[np.int64], window: FloatArray
) -> tuple[npt.NDArray[np.intp], FloatArray, npt.NDArray[np.intp]]:
    """Sorted uniform times of ``counts[i]`` Poisson events on ``(0, window[i])``.

    Returns (customer of each event, time, rank of the event within its customer).
    """
    owner = np.repeat(np.arange(counts.size), counts)
    times = rng.uniform(size=owner.size) * window[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    starts = np.cumsum(counts) - counts
    rank = np.arange(owner.size) - starts[owner]
    return owner, times, rank


def _summarise(
    n_customers: int,
    owner: npt.NDArray[np.intp],
    times: FloatArray,
    ages: FloatArray,
    alive: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    in_cal = times <= ages[owner]
    frequency = np.bincount(owner[in_cal], minlength=n_customers)
    recency = np.zeros(n_customers)
    np.maximum.at(recency, owner[in_cal], times[in_cal])
    holdout = np.bincount(owner[~in_cal], minlength=n_customers)
    return pd.DataFrame(
        {
            "frequency": frequency.astype(np.float64),
            "recency": recency,
            "T": ages,
            "alive": alive,
            "frequency_holdout": holdout.astype(np.float64),
        }
    )


def simulate_bgnbd(
    n_customers: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: npt.ArrayLike,
    holdout: float = 0.0,
    seed: Seed = None,
) -> pd.DataFrame:
    """BG/NBD story: Poisson purchases at rate lambda ~ Gamma(r, rate alpha); after each repeat
    purchase the customer drops out with probability p ~ Beta(a, b)."""
    rng = np.random.default_rng(seed)
    ages = _ages(n_customers, T)
    lam = rng.gamma(r, 1.0 / alpha, n_customers)
    p = rng.beta(a, b, n_customers)
    window = ages + holdout
    n_events = rng.poisson(lam * window)
    drop_after = rng.geometric(p)  # she leaves right after her drop_after-th repeat purchase
    owner, times, rank = _purchase_times(rng, n_events, window)
    made = rank < drop_after[owner]
    # She is dead at T if her final purchase (the drop_after-th) happened by T.
    final = rank == drop_after[owner] - 1
    dropped = np.zeros(n_customers, dtype=bool)
    dropped[owner[final]] = times[final] <= ages[owner[final]]
    return _summarise(n_customers, owner[made], times[made], ages, ~dropped)


def simulate_pareto_nbd(
    n_customers: int,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    T: npt.ArrayLike,
    holdout: float = 0.0,
    seed: Seed = None,
) -> pd.DataFrame:
    """Pareto/NBD story: Poisson purchases at rate lambda ~ Gamma(r, rate alpha) during an
    exponential lifetime with rate mu ~ Gamma(s, rate beta)."""
    rng = np.random.default_rng(seed)
    ages = _ages(n_customers, T)
    lam = rng.gamma(r, 1.0 / alpha, n_customers)
    mu = rng.gamma(s, 1.0 / beta, n_customers)
    lifetime = rng.exponential(1.0 / mu)
    window = np.minimum(lifetime, ages + holdout)
    owner, times, _ = _purchase_times(rng, rng.poisson(lam * window), window)
    return _summarise(n_customers, owner, times, ages, lifetime > ages)


def simulate_bgbb(
    n_customers: int,
    alpha: float,
    beta: float,
    gamma: float,
    delta: float,
    n_periods: int,
    holdout: int = 0,
    seed: Seed = None,
) -> pd.DataFrame:
    """BG/BB story: at each of ``n_periods`` opportunities a live customer buys with
    probability p ~ Beta(alpha, beta); she dies at the start of an opportunity with probability
    theta ~ Beta(gamma, delta).

    Returns ``frequency``, ``recency`` (index of the last opportunity with a purchase),
    ``n_periods``, ``alive`` (alive at opportunity ``n_periods``) and ``frequency_holdout``
    (purchases at the next ``holdout`` opportunities).
    """
    rng = np.random.default_rng(seed)
    p = rng.beta(alpha, beta, n_customers)
    theta = rng.beta(gamma, delta, n_customers)
    death = rng.geometric(theta)  # first opportunity at which she is dead
    periods = np.arange(1, n_periods + holdout + 1)
    bought = (periods[None, :] < death[:, None]) & (
        rng.uniform(size=(n_customers, periods.size)) < p[:, None]
    )
    cal = bought[:, :n_periods]
    last = np.where(cal.any(axis=1), n_periods - np.argmax(cal[:, ::-1], axis=1), 0)
    return pd.DataFrame(
        {
            "frequency": cal.sum(axis=1).astype(np.float64),
            "recency": last.astype(np.float64),
            "n_periods": np.full(n_customers, float(n_periods)),
            "alive": death > n_periods,
            "frequency_holdout": bought[:, n_periods:].sum(axis=1).astype(np.float64),
        }
    )


def simulate_gamma_gamma(
    frequency: npt.ArrayLike, p: float, q: float, v: float, seed: Seed = None
) -> FloatArray:
    """Mean spend per transaction of customers with the given (positive) frequencies.

    Spend per transaction ~ Gamma(p, rate nu), nu ~ Gamma(q, rate v); the mean of x
    transactions is then Gamma(p x, rate x nu).
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=np.float64)
    if np.any(x <= 0):
        raise ValueError("frequency must be positive to draw spend")
    nu = rng.gamma(q, 1.0 / v, x.shape)
    result: FloatArray = rng.gamma(p * x, 1.0 / (x * nu))
    return result
