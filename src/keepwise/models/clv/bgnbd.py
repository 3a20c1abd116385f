"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While active, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``;
after every *repeat* purchase she becomes inactive with probability ``p ~ Beta(a, b)``.
For a customer with ``x`` repeat purchases, the last at ``t_x``, observed for ``T`` periods:

    L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / Gamma(r)
        * [ (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) ]

(FHL 2005, eq. 6). Everything is evaluated in log space; the bracket with ``logaddexp``, so
``x`` in the thousands and ``T`` in the thousands of days stay finite.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy.integrate import IntegrationWarning, quad
from scipy.special import betaincinv, expit, hyp2f1

from keepwise.models.clv._base import LogLikGrad, ProbabilisticModel
from keepwise.models.clv._numerics import digamma_rising, log_rising, removable_at_one
from keepwise.models.clv._validation import (
    FloatArray,
    as_float_array,
    check_non_negative,
    fit_weights,
    require_repeat_buyers,
    rfm_for_fit,
    rfm_for_predict,
    wrap_like,
)


def bgnbd_log_likelihood(
    theta: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> LogLikGrad:
    """Per-customer log-likelihood and its gradient w.r.t. ``(r, alpha, a, b)``.

    Written without differences of large terms: ``r log(alpha) - (r+x) log(alpha+T)`` as
    ``-r log1p(T/alpha) - x log(alpha+T)``, the bracket relative to its first term, and the
    Beta and Gamma ratios by :func:`log_rising`. On the flat ridges of real data (a, b or
    r, alpha -> infinity together) the textbook form has rounding noise of ~1e-9 per customer,
    which stalls the optimiser.
    """
    r, alpha, a, b = theta
    has_repeat = x > 0
    b_x1 = np.where(has_repeat, b + x - 1.0, 1.0)  # b+x-1 only appears when x > 0
    gap = np.log1p((T - t_x) / (alpha + t_x))  # log((alpha+T) / (alpha+t_x))
    # log of [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x): the "dropped out at t_x" term
    # over the "still active at T" term
    log_odds = np.where(has_repeat, np.log(a) - np.log(b_x1) + (r + x) * gap, -np.inf)
    w4 = expit(log_odds)  # share of the drop-out term in the bracket
    ll = (
        log_rising(r, x)
        - r * np.log1p(T / alpha)
        - x * np.log(alpha + T)
        + log_rising(b, x)
        - log_rising(a + b, x)
        + np.logaddexp(0.0, log_odds)
    )
    psi_ab = digamma_rising(a + b, x)
    grad = np.empty((x.size, 4))
    grad[:, 0] = digamma_rising(r, x) - np.log1p(T / alpha) + w4 * gap
    grad[:, 1] = (
        r * T / (alpha * (alpha + T))
        - x / (alpha + T)
        - (r + x) * w4 * (T - t_x) / ((alpha + t_x) * (alpha + T))
    )
    grad[:, 2] = w4 / a - psi_ab
    grad[:, 3] = digamma_rising(b, x) - psi_ab - w4 / b_x1
    return ll, grad


class BGNBD(ProbabilisticModel):
    """Beta-geometric/NBD model of repeat purchasing (continuous time).

    After ``fit``: ``params_`` holds ``r, alpha, a, b``. Time is in the unit of ``recency`` and
    ``T`` (e.g. weeks for CDNOW); ``alpha`` scales with that unit, ``r, a, b`` do not.
    """

    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")

    def fit(
        self,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood.

        ``frequency``: number of repeat purchases x; ``recency``: time of the last purchase t_x
        (0 when x = 0); ``T``: time since the first purchase; ``weights``: optional count of
        customers sharing each row.
        """
        x, t_x, age = rfm_for_fit(frequency, recency, T)
        w = fit_weights(weights, x.size)
        require_repeat_buyers(x, w)
        return self._fit_columns((x, t_x, age), w)

    def _loglik_grad(self, theta: FloatArray, prepared: Any) -> LogLikGrad:
        return bgnbd_log_likelihood(theta, *prepared)

    def _start_values(self, columns: tuple[FloatArray, ...], weights: FloatArray) -> FloatArray:
        x, _, age = columns
        # With r = 1, E[X(T)] ~ T/alpha: matching the mean purchase count puts alpha on the
        # scale of the data's time unit (weeks vs days), which a fixed start would not.
        mean_x = max(float(weights @ x) / float(weights.sum()), 0.05)
        mean_t = float(weights @ age) / float(weights.sum())
        return np.array([1.0, max(mean_t / mean_x, 1e-3), 1.0, 1.0])

    def probability_alive(
        self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
    ) -> Any:
        """P(active at T | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).

        FHL 2005 ("Computing P(alive) using the BG/NBD model", eq. 2); a customer with no repeat
        purchase cannot have dropped out under the BG/NBD assumptions, so P(alive) = 1.
        """
        theta = self._check_fitted()
        _, x, t_x, age = rfm_for_predict(0.0, frequency, recency, T)
        return wrap_like(_p_alive(theta, x, t_x, age), frequency, recency, T)

    def expected_purchases(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
    ) -> Any:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` periods (FHL 2005, eq. 10).

            (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
            * P(alive),  z = t/(alpha+T+t).

        Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) turns the
        bracket into ``1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``, whose upper parameters
        no longer grow with x: no overflow of 2F1 for heavy buyers.
        """
        theta = self._check_fitted()
        horizon, x, t_x, age = rfm_for_predict(t, frequency, recency, T)
        r, alpha, a, b = theta
        # Alive, her posterior is lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x).
        expected = alive_purchases(horizon, r + x, alpha + age, a, b + x)
        expected = expected * _p_alive(theta, x, t_x, age)
        return wrap_like(expected, t, frequency, recency, T)

    def _discount_prepare(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> Any:
        pairs, index = np.unique(np.column_stack([x, T]), axis=0, return_inverse=True)
        return x, t_x, T, pairs[:, 0], pairs[:, 1], index.reshape(-1)

    def _discounted_purchases(
        self, theta: FloatArray, data: Any, horizons: FloatArray, weights: FloatArray
    ) -> FloatArray:
        """``sum_m weights[m] E[Y(horizons[m])]`` per customer at parameters ``theta`` (for
        :mod:`.uncertainty`): the alive customer's expectation depends on (x, T) alone, so it
        is computed once per distinct pair."""
        r, alpha, a, b = theta
        x, t_x, age, pair_x, pair_T, index = data
        alive = np.zeros_like(pair_x)
        for horizon, weight in zip(horizons, weights, strict=True):
            t = np.full_like(pair_x, horizon)
            alive += weight * alive_purchases(t, r + pair_x, alpha + pair_T, a, b + pair_x)
        result: FloatArray = alive[index] * _p_alive(theta, x, t_x, age)
        return result

    def expected_purchases_new_customer(self, t: npt.ArrayLike) -> Any:
        """Unconditional E[X(t)] for a customer just acquired (FHL 2005, eq. 9).

        ``(a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]``, with the same
        Euler transformation as :meth:`expected_purchases`.
        """
        theta = self._check_fitted()
        horizon = as_float_array("t", t)
        check_non_negative("t", horizon)
        r, alpha, a, b = theta
        shape, rate = np.full_like(horizon, r), np.full_like(horizon, alpha)
        return wrap_like(alive_purchases(horizon, shape, rate, a, np.full_like(horizon, b)), t)


def alive_purchases(
    t: FloatArray, shape: FloatArray, rate: FloatArray, a: float, b: FloatArray
) -> FloatArray:
    """Expected purchases in the next ``t`` of a customer alive now, with purchase rate
    ``lambda ~ Gamma(shape, rate)`` and drop-out probability ``p ~ Beta(a, b)``:

        E[(1 - exp(-lambda p t)) / p] = (a+b-1)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-shape, a-1;
                                                                  a+b-1; z)],  z = t/(rate+t),

    FHL 2005 eq. 9 (eq. 10 with the posterior parameters) after Euler's transformation. Where
    ``scipy.special.hyp2f1`` fails (t >> rate with an extreme b), the expectation is integrated
    numerically instead.
    """
    z = t / (rate + t)
    log1mz = np.log(rate) - np.log(rate + t)

    def scaled(a_: float) -> FloatArray:
        with np.errstate(all="ignore"):
            f = hyp2f1(a_ + b - 1 - shape, a_ - 1, a_ + b - 1, z)
            result: FloatArray = (
                (a_ + b - 1.0) / (a_ - 1.0) * (1.0 - np.exp((a_ - 1.0) * log1mz) * f)
            )
        return result

    value = removable_at_one(scaled, a)
    for i in np.flatnonzero(~np.isfinite(value)):
        value[i] = _alive_purchases_quad(t[i], shape[i], rate[i], a, b[i])
    return np.maximum(value, 0.0)


def _alive_purchases_quad(t: float, shape: float, rate: float, a: float, b: float) -> float:
    """The same expectation by quadrature over the quantiles u of p ~ Beta(a, b); the
    integrand ``E_lambda[1 - exp(-lambda p t)] / p = -expm1(-shape log1p(p t / rate)) / p`` is
    bounded (by shape t / rate) and monotone in u."""

    def integrand(u: float) -> float:
        p = float(betaincinv(a, b, u))
        if p <= 0.0:
            return shape * t / rate
        return float(-np.expm1(-shape * np.log1p(p * t / rate)) / p)

    with warnings.catch_warnings():
        # In the far corners that need this fallback quad may stop short of 1e-9 (roundoff);
        # its best estimate is still far better than the NaN it replaces.
        warnings.simplefilter("ignore", IntegrationWarning)
        value, _ = quad(integrand, 0.0, 1.0, epsabs=0.0, epsrel=1e-9, limit=200)
    return float(value)


def _p_alive(theta: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    r, alpha, a, b = theta
    has_repeat = x > 0
    b_x1 = np.where(has_repeat, b + x - 1.0, 1.0)
    gap = np.log1p((T - t_x) / (alpha + t_x))
    log_odds_dead = np.log(a) - np.log(b_x1) + (r + x) * gap
    result: FloatArray = np.where(has_repeat, expit(-log_odds_dead), 1.0)
    return result
