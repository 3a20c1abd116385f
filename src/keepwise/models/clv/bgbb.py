"""BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010,
"Customer-base analysis in a discrete-time noncontractual setting", Marketing Science 29(6)).

At each of ``n`` opportunities a live customer transacts with probability ``p ~ Beta(alpha,
beta)``; she dies at the start of an opportunity with probability ``theta ~ Beta(gamma, delta)``.
With ``x`` transactions, the last at opportunity ``t_x`` (FHS 2010, eq. 5):

    L = B(alpha+x, beta+n-x)/B(alpha,beta) * B(gamma, delta+n)/B(gamma,delta)
        + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha,beta)
                              * B(gamma+1, delta+t_x+i)/B(gamma,delta).

All ``1 + n - t_x`` terms of a customer are laid out in one flat array and combined with a
segmented log-sum-exp (``np.maximum.reduceat`` / ``np.add.reduceat``), so long histories
(thousands of opportunities) cost memory linear in the number of terms and never overflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, gammaln

from keepwise.models.clv._base import LogLikGrad, ProbabilisticModel
from keepwise.models.clv._numerics import removable_at_one
from keepwise.models.clv._validation import (
    FloatArray,
    as_float_array,
    broadcast,
    check_integer,
    check_non_negative,
    fit_weights,
    require_repeat_buyers,
    same_length,
    wrap_like,
)


@dataclass(frozen=True)
class _Terms:
    """Offsets of every likelihood term: B(alpha+x, beta+k1) B(gamma+e, delta+k2)."""

    x: FloatArray
    k1: FloatArray
    e: FloatArray
    k2: FloatArray
    owner: npt.NDArray[np.intp]
    starts: npt.NDArray[np.intp]

    @classmethod
    def build(cls, x: FloatArray, t_x: FloatArray, n: FloatArray) -> _Terms:
        counts = 1 + (n - t_x).astype(np.intp)  # the "alive at n" term, then i = 0..n-t_x-1
        owner = np.repeat(np.arange(x.size), counts)
        starts = np.cumsum(counts) - counts
        i = np.arange(owner.size) - starts[owner] - 1.0  # -1 marks the "alive" term
        alive = i < 0
        k_death = t_x[owner] + i
        return cls(
            x=x[owner],
            k1=np.where(alive, n[owner], k_death) - x[owner],
            e=np.where(alive, 0.0, 1.0),
            k2=np.where(alive, n[owner], k_death),
            owner=owner,
            starts=starts,
        )


def _log_likelihood(theta: FloatArray, terms: _Terms) -> LogLikGrad:
    alpha, beta, gamma, delta = theta
    a1, b1 = alpha + terms.x, beta + terms.k1
    a2, b2 = gamma + terms.e, delta + terms.k2
    log_term = betaln(a1, b1) + betaln(a2, b2) - betaln(alpha, beta) - betaln(gamma, delta)
    peak = np.maximum.reduceat(log_term, terms.starts)
    ll = peak + np.log(np.add.reduceat(np.exp(log_term - peak[terms.owner]), terms.starts))
    share = np.exp(log_term - ll[terms.owner])  # posterior weight of each term, sums to 1
    psi1, psi2 = digamma(a1 + b1), digamma(a2 + b2)
    parts = np.column_stack(
        [digamma(a1) - psi1, digamma(b1) - psi1, digamma(a2) - psi2, digamma(b2) - psi2]
    )
    base = np.array(
        [
            digamma(alpha) - digamma(alpha + beta),
            digamma(beta) - digamma(alpha + beta),
            digamma(gamma) - digamma(gamma + delta),
            digamma(delta) - digamma(gamma + delta),
        ]
    )
    grad = np.add.reduceat(share[:, None] * parts, terms.starts, axis=0) - base
    return ll, grad


def bgbb_log_likelihood(
    theta: FloatArray, x: FloatArray, t_x: FloatArray, n: FloatArray
) -> LogLikGrad:
    """Per-customer log-likelihood and gradient w.r.t. ``(alpha, beta, gamma, delta)``."""
    return _log_likelihood(theta, _Terms.build(x, t_x, n))


def _check_discrete(x: FloatArray, t_x: FloatArray, n: FloatArray) -> None:
    for name, arr in (("frequency", x), ("recency", t_x), ("n_periods", n)):
        check_non_negative(name, arr)
        check_integer(name, arr)
    if np.any(t_x > n):
        raise ValueError("recency must not exceed n_periods")
    if np.any(x > t_x):
        raise ValueError("frequency must not exceed recency (the last opportunity with a purchase)")
    if np.any((x == 0) & (t_x > 0)):
        raise ValueError("recency must be 0 for customers with frequency 0")


class BGBB(ProbabilisticModel):
    """Beta-geometric/beta-Bernoulli model; ``params_`` holds ``alpha, beta, gamma, delta``."""

    _param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma", "delta")

    def fit(
        self,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        n_periods: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood. ``frequency``: transactions x; ``recency``: opportunity
        of the last one (0 if none); ``n_periods``: opportunities observed; ``weights``: number
        of customers with that pattern (e.g. the ``weights`` column of ``donations.csv``)."""
        x = as_float_array("frequency", frequency)
        t_x = as_float_array("recency", recency)
        n = as_float_array("n_periods", n_periods)
        same_length(frequency=x, recency=t_x, n_periods=n)
        _check_discrete(x, t_x, n)
        w = fit_weights(weights, x.size)
        require_repeat_buyers(x, w)
        return self._fit_columns((x, t_x, n), w)

    def _prepare(self, columns: tuple[FloatArray, ...]) -> Any:
        return _Terms.build(*columns)

    def _loglik_grad(self, theta: FloatArray, prepared: Any) -> LogLikGrad:
        return _log_likelihood(theta, prepared)

    def _inputs(
        self, frequency: npt.ArrayLike, recency: npt.ArrayLike, n_periods: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Validated, broadcast inputs and each customer's log-likelihood."""
        x, t_x, n = broadcast(
            frequency=as_float_array("frequency", frequency),
            recency=as_float_array("recency", recency),
            n_periods=as_float_array("n_periods", n_periods),
        )
        _check_discrete(x, t_x, n)
        return x, t_x, n, bgbb_log_likelihood(self._check_fitted(), x, t_x, n)[0]

    def probability_alive(
        self,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        n_periods: npt.ArrayLike,
        periods_ahead: int = 0,
    ) -> Any:
        """P(alive at opportunity n + periods_ahead | x, t_x, n) (FHS 2010, eq. 11 with
        ``periods_ahead = 1``); the default 0 is "alive at the end of the observation"."""
        if int(periods_ahead) != periods_ahead or periods_ahead < 0:
            raise ValueError(f"periods_ahead must be a whole number >= 0, got {periods_ahead!r}")
        alpha, beta, gamma, delta = self._check_fitted()
        x, _, n, ll = self._inputs(frequency, recency, n_periods)
        log_alive = (
            betaln(alpha + x, beta + n - x)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n + periods_ahead)
            - betaln(gamma, delta)
        )
        return wrap_like(np.minimum(np.exp(log_alive - ll), 1.0), frequency, recency, n_periods)

    def expected_purchases(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        n_periods: npt.ArrayLike,
    ) -> Any:
        """E[X(n, n+t) | x, t_x, n]: expected transactions at the next ``t`` opportunities
        (FHS 2010, eq. 13):

            B(alpha+x+1, beta+n-x)/B(alpha,beta) * sum_{i=1..t} B(gamma, delta+n+i)/B(gamma,delta)
            / L(x, t_x, n).
        """
        horizon = as_float_array("t", t)
        check_non_negative("t", horizon)
        alpha, beta, gamma, delta = self._check_fitted()
        x, _, n, ll = self._inputs(frequency, recency, n_periods)
        horizon, x, n, ll = broadcast(t=horizon, frequency=x, n_periods=n, ll=ll)
        log_buy = betaln(alpha + x + 1.0, beta + n - x) - betaln(alpha, beta)
        survival = _survival_sum(gamma, delta, n, horizon)
        result = np.exp(log_buy - ll) * survival
        return wrap_like(result, t, frequency, recency, n_periods)

    def expected_purchases_new_customer(self, t: npt.ArrayLike) -> Any:
        """Unconditional E[X(t)] = alpha/(alpha+beta) * sum_{i=1..t} B(gamma, delta+i)/B(gamma, delta)."""
        horizon = as_float_array("t", t)
        check_non_negative("t", horizon)
        alpha, beta, gamma, delta = self._check_fitted()
        survival = _survival_sum(gamma, delta, np.zeros_like(horizon), horizon)
        return wrap_like(alpha / (alpha + beta) * survival, t)


def _survival_sum(gamma: float, delta: float, n: FloatArray, t: FloatArray) -> FloatArray:
    """``sum_{i=1..t} B(gamma, delta+n+i) / B(gamma, delta)``: expected live opportunities.

    Telescoping with ``h(k) = Gamma(delta+k) / Gamma(gamma+delta+k-1)``, for which
    ``h(k) - h(k+1) = (gamma-1) Gamma(delta+k)/Gamma(gamma+delta+k)``, gives the closed form
    ``Gamma(gamma+delta)/Gamma(delta) * [h(n+1) - h(n+t+1)] / (gamma-1)``, whose removable
    singularity at gamma = 1 is handled by :func:`removable_at_one`.
    """

    def log_h(g: float, k: FloatArray) -> FloatArray:
        result: FloatArray = gammaln(delta + k) - gammaln(g + delta + k - 1.0)
        return result

    def scaled(g: float) -> FloatArray:
        first = log_h(g, n + 1.0)
        ratio = -np.expm1(log_h(g, n + t + 1.0) - first)
        result: FloatArray = np.exp(gammaln(g + delta) - gammaln(delta) + first) * ratio / (g - 1.0)
        return result

    return removable_at_one(scaled, gamma)
