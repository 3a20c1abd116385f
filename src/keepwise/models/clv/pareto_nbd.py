"""Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

While alive a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``; her
lifetime is exponential with rate ``mu ~ Gamma(s, beta)``. The likelihood of (x, t_x, T) is
(Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related expressions", eq. 19)

    L = Gamma(r+x) alpha^r beta^s / Gamma(r)
        * [ (alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0 ],

with A0 a difference of two Gaussian hypergeometric terms. Writing the bracket as
``S(T) + s [Phi(t_x; r+x-1, s) - Phi(T; r+x-1, s)]`` (see :mod:`._pareto_math` for Phi) and
integrating by parts (``S(T) - s Phi(T; r+x-1, s) = (r+x) Phi(T; r+x, s-1)``) removes the
difference of nearly equal terms:

    bracket = (r+x) Phi(T; r+x, s-1) + s Phi(t_x; r+x-1, s),

a sum of two positive terms, combined with ``logaddexp``. Both Phi terms, and their derivatives
in all four parameters, come from one quadrature (see :mod:`._pareto_math`): the gradient is the
exact derivative of the computed likelihood, which the optimiser needs near the flat optima of
real data (s -> 0, beta -> infinity).

A customer with ``T = 0`` (first seen at the end of the observation) has likelihood 1: the
bracket is then ``alpha^-r beta^-s`` exactly.

Speed: each likelihood evaluation integrates once per distinct (x, t_x) and per distinct
(x, T); customers without repeat purchases all share one (x, t_x) = (0, 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from keepwise.models.clv._base import LogLikGrad, ProbabilisticModel
from keepwise.models.clv._numerics import (
    digamma_rising,
    log_rising,
    one_minus_ratio_power_over,
)
from keepwise.models.clv._pareto_math import log_phi, phi_gradient
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


@dataclass(frozen=True)
class _ParetoData:
    """Customer rows plus the distinct points at which the two Phi terms are needed."""

    x: FloatArray
    x_tx: FloatArray  # x of the distinct (x, t_x) pairs
    tx: FloatArray
    tx_index: npt.NDArray[np.intp]  # row -> distinct (x, t_x) pair
    x_T: FloatArray
    T: FloatArray
    T_index: npt.NDArray[np.intp]

    @classmethod
    def build(cls, x: FloatArray, t_x: FloatArray, T: FloatArray) -> _ParetoData:
        pairs_tx, idx_tx = np.unique(np.column_stack([x, t_x]), axis=0, return_inverse=True)
        pairs_T, idx_T = np.unique(np.column_stack([x, T]), axis=0, return_inverse=True)
        return cls(
            x=x,
            x_tx=pairs_tx[:, 0],
            tx=pairs_tx[:, 1],
            tx_index=idx_tx.reshape(-1),
            x_T=pairs_T[:, 0],
            T=pairs_T[:, 1],
            T_index=idx_T.reshape(-1),
        )


def pareto_nbd_log_likelihood(
    theta: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> LogLikGrad:
    """Per-customer log-likelihood and gradient w.r.t. ``(r, alpha, s, beta)``."""
    return _log_likelihood(theta, _ParetoData.build(x, t_x, T))


def _log_likelihood(theta: FloatArray, data: _ParetoData) -> LogLikGrad:
    r, alpha, s, beta = theta
    x = data.x
    # Purchase part: Phi(t_x; r+x-1, s) at distinct (x, t_x); survival part: Phi(T; r+x, s-1),
    # both scaled (Psi = alpha^(p+1) beta^(q+1) Phi): alpha^r beta^s times the bracket is
    # alpha^-x [(r+x)/alpha Psi(T; r+x, s-1) + s/beta Psi(t_x; r+x-1, s)].
    gi = phi_gradient(r + data.x_tx - 1.0, np.full_like(data.tx, s), data.tx, alpha, beta)
    gk = phi_gradient(r + data.x_T, np.full_like(data.T, s - 1.0), data.T, alpha, beta)
    i, k = data.tx_index, data.T_index
    u_k = np.log(r + x) - np.log(alpha) + gk.log_phi[k]
    u_i = np.log(s) - np.log(beta) + gi.log_phi[i]
    bracket = np.logaddexp(u_k, u_i)
    w_k = np.exp(u_k - bracket)
    w_i = 1.0 - w_k
    ll = log_rising(r, x) - x * np.log(alpha) + bracket
    grad = np.empty((x.size, 4))
    grad[:, 0] = digamma_rising(r, x) + w_k * (1.0 / (r + x) + gk.d_p[k]) + w_i * gi.d_p[i]
    grad[:, 1] = -x / alpha + w_k * (gk.d_alpha[k] - 1.0 / alpha) + w_i * gi.d_alpha[i]
    grad[:, 2] = w_k * gk.d_q[k] + w_i * (1.0 / s + gi.d_q[i])
    grad[:, 3] = w_k * gk.d_beta[k] + w_i * (gi.d_beta[i] - 1.0 / beta)
    return ll, grad


class ParetoNBD(ProbabilisticModel):
    """Pareto/NBD model of repeat purchasing (continuous time).

    After ``fit``: ``params_`` holds ``r, alpha, s, beta``; ``alpha`` and ``beta`` are in the
    time unit of ``recency`` and ``T``.
    """

    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")

    def fit(
        self,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood (arguments as for :meth:`BGNBD.fit`)."""
        x, t_x, age = rfm_for_fit(frequency, recency, T)
        w = fit_weights(weights, x.size)
        require_repeat_buyers(x, w)
        return self._fit_columns((x, t_x, age), w)

    def _prepare(self, columns: tuple[FloatArray, ...]) -> Any:
        return _ParetoData.build(*columns)

    def _loglik_grad(self, theta: FloatArray, prepared: Any) -> LogLikGrad:
        return _log_likelihood(theta, prepared)

    def _start_values(self, columns: tuple[FloatArray, ...], weights: FloatArray) -> FloatArray:
        x, _, age = columns
        # Scale alpha and beta to the time unit of the data (see BGNBD._start_values).
        mean_x = max(float(weights @ x) / float(weights.sum()), 0.05)
        mean_t = float(weights @ age) / float(weights.sum())
        return np.array([1.0, max(mean_t / mean_x, 1e-3), 1.0, max(mean_t, 1e-3)])

    def probability_alive(
        self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
    ) -> Any:
        """P(alive at T | x, t_x, T) = (alpha+T)^-(r+x) (beta+T)^-s / bracket.

        This is the ratio of the "still alive" part of the likelihood to the whole (Fader &
        Hardie 2005 note, eq. 18), computed in log space.
        """
        theta = self._check_fitted()
        _, x, t_x, age = rfm_for_predict(0.0, frequency, recency, T)
        return wrap_like(_p_alive(theta, _ParetoData.build(x, t_x, age)), frequency, recency, T)

    def expected_purchases(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
    ) -> Any:
        """E[Y(t) | x, t_x, T] (Fader & Hardie 2005 note, eq. 22):

            (r+x)(beta+T) / ((alpha+T)(s-1)) * [1 - ((beta+T)/(beta+T+t))^(s-1)] * P(alive),

        with the ``s -> 1`` limit ``(r+x)/(alpha+T) (beta+T) log(1 + t/(beta+T))``.
        """
        theta = self._check_fitted()
        horizon, x, t_x, age = rfm_for_predict(t, frequency, recency, T)
        r, alpha, s, beta = theta
        u = np.log1p(horizon / (beta + age))
        rate_times_life = (
            (r + x) / (alpha + age) * (beta + age) * one_minus_ratio_power_over(u, s - 1.0)
        )
        expected = rate_times_life * _p_alive(theta, _ParetoData.build(x, t_x, age))
        return wrap_like(expected, t, frequency, recency, T)

    def _discount_prepare(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> Any:
        return _ParetoData.build(x, t_x, T)

    def _discounted_purchases(
        self, theta: FloatArray, data: Any, horizons: FloatArray, weights: FloatArray
    ) -> FloatArray:
        """``sum_m weights[m] E[Y(horizons[m])]`` per customer at parameters ``theta`` (for
        :mod:`.uncertainty`): the horizon part of eq. 22 depends on T alone, P(alive) on the
        distinct pairs."""
        r, alpha, s, beta = theta
        x, age = data.x, data.T[data.T_index]
        life = np.zeros_like(x)
        for horizon, weight in zip(horizons, weights, strict=True):
            life += weight * one_minus_ratio_power_over(np.log1p(horizon / (beta + age)), s - 1.0)
        result: FloatArray = (r + x) / (alpha + age) * (beta + age) * life * _p_alive(theta, data)
        return result

    def expected_purchases_new_customer(self, t: npt.ArrayLike) -> Any:
        """Unconditional E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]."""
        theta = self._check_fitted()
        horizon = as_float_array("t", t)
        check_non_negative("t", horizon)
        r, alpha, s, beta = theta
        expected = r / alpha * beta * one_minus_ratio_power_over(np.log1p(horizon / beta), s - 1.0)
        return wrap_like(expected, t)


def _p_alive(theta: FloatArray, data: _ParetoData) -> FloatArray:
    """P(alive) per customer row; the integrals at the distinct (x, t_x) and (x, T) pairs."""
    r, alpha, s, beta = theta
    x, T = data.x, data.T[data.T_index]
    # The "alive at T" part over the whole bracket, both scaled by alpha^(r+x) beta^s.
    log_survive = -(r + x) * np.log1p(T / alpha) - s * np.log1p(T / beta)
    k_phi = log_phi(r + data.x_T, np.full_like(data.T, s - 1.0), data.T, alpha, beta)
    i_phi = log_phi(r + data.x_tx - 1.0, np.full_like(data.tx, s), data.tx, alpha, beta)
    u_k = np.log(r + x) - np.log(alpha) + k_phi[data.T_index]
    u_i = np.log(s) - np.log(beta) + i_phi[data.tx_index]
    result: FloatArray = np.minimum(np.exp(log_survive - np.logaddexp(u_k, u_i)), 1.0)
    return result
