"""Gamma-Gamma model of spend per transaction, and customer lifetime value.

Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base analysis",
JMR 42(4); Fader & Hardie (2013), "The Gamma-Gamma model of monetary value". A customer's
transaction values are Gamma(p, nu) with a customer-specific rate ``nu ~ Gamma(q, v)`` (the
note calls ``v`` gamma). The mean ``m`` of her ``x`` transactions then has the density

    f(m | x) = Gamma(px+q) / (Gamma(px) Gamma(q)) * v^q m^(px-1) x^(px) / (v + x m)^(px+q).

The model assumes spend is independent of the purchase process, so it is fitted to repeat
buyers only and combined with a transaction model (BG/NBD, Pareto/NBD, ...) for CLV.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, Self

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from keepwise.models.clv._base import LogLikGrad, ProbabilisticModel
from keepwise.models.clv._validation import (
    FloatArray,
    as_float_array,
    broadcast,
    check_integer,
    check_non_negative,
    check_positive,
    fit_weights,
    same_length,
    wrap_like,
)
from keepwise.models.clv.uncertainty import clv_interval


class TransactionModel(Protocol):
    """Anything with ``expected_purchases(t, frequency, recency, T)`` (BG/NBD, Pareto/NBD, BG/BB)."""

    def expected_purchases(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
        /,
    ) -> Any: ...


def gamma_gamma_log_likelihood(theta: FloatArray, x: FloatArray, m: FloatArray) -> LogLikGrad:
    """Per-customer log-likelihood and gradient w.r.t. ``(p, q, v)``; needs x > 0 and m > 0."""
    p, q, v = theta
    px = p * x
    log_vxm = np.log(v + x * m)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_vxm
    )
    psi_pxq = digamma(px + q)
    grad = np.empty((x.size, 3))
    grad[:, 0] = x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_vxm)
    grad[:, 1] = psi_pxq - digamma(q) + np.log(v) - log_vxm
    grad[:, 2] = q / v - (px + q) / (v + x * m)
    return ll, grad


class GammaGamma(ProbabilisticModel):
    """Gamma-Gamma spend model; ``params_`` holds ``p, q, v`` (v is the paper's gamma)."""

    _param_names: ClassVar[tuple[str, ...]] = ("p", "q", "v")

    def fit(
        self,
        frequency: npt.ArrayLike,
        monetary_value: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit on repeat buyers: rows with ``frequency == 0`` are ignored (they carry no spend
        information under the model); the rest need ``monetary_value > 0``, the mean value of
        their repeat transactions."""
        x = as_float_array("frequency", frequency)
        m = as_float_array("monetary_value", monetary_value)
        same_length(frequency=x, monetary_value=m)
        check_non_negative("frequency", x)
        check_integer("frequency", x)
        w = fit_weights(weights, x.size)
        repeat = x > 0
        if not np.any(repeat & (w > 0)):
            raise ValueError("GammaGamma needs at least one customer with frequency > 0")
        check_positive("monetary_value (where frequency > 0)", m[repeat])
        return self._fit_columns((x[repeat], m[repeat]), w[repeat])

    def _loglik_grad(self, theta: FloatArray, prepared: Any) -> LogLikGrad:
        return gamma_gamma_log_likelihood(theta, *prepared)

    def _start_values(self, columns: tuple[FloatArray, ...], weights: FloatArray) -> FloatArray:
        # p = q = 2 and v matched to the mean spend: E[m] = p v / (q - 1) = 2 v.
        mean_spend = float(weights @ columns[1]) / float(weights.sum())
        return np.array([2.0, 2.0, max(mean_spend / 2.0, 1e-3)])

    def conditional_expected_average_profit(
        self, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
    ) -> Any:
        """E[spend per transaction | x, m] = (v + x m) p / (p x + q - 1) (FHL 2005, eq. 3).

        A weighted average of the population mean ``p v / (q - 1)`` and the customer's own mean
        ``m``. Infinite where ``p x + q <= 1`` (a population mean that does not exist).
        """
        p, q, v = self._check_fitted()
        x = as_float_array("frequency", frequency)
        m = as_float_array("monetary_value", monetary_value)
        x, m = broadcast(frequency=x, monetary_value=m)
        check_non_negative("frequency", x)
        check_non_negative("monetary_value", m)
        denominator = p * x + q - 1.0
        safe = np.where(denominator > 0, denominator, 1.0)
        result = np.where(denominator > 0, (v + x * m) * p / safe, np.inf)
        return wrap_like(result, frequency, monetary_value)

    def customer_lifetime_value(
        self,
        transaction_model: TransactionModel,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
        monetary_value: npt.ArrayLike,
        time: int = 12,
        discount_rate: float = 0.01,
        freq_unit_per_month: float = 30.0,
    ) -> Any:
        """Discounted expected value of each customer over the next ``time`` months.

            CLV = sum_{i=1..time} E[spend] * (E[Y(i k)] - E[Y((i-1) k)]) / (1 + d)^i,

        with ``k = freq_unit_per_month`` model time units per month (30 for data in days, as the
        ``lifetimes`` default; 4.345 for weeks; 1 for months), ``d = discount_rate`` per month,
        ``E[Y(t)]`` the transaction model's conditional expected purchases and ``E[spend]``
        :meth:`conditional_expected_average_profit`. Money is in the unit of
        ``monetary_value``. This is the discrete monthly sum of the ``lifetimes`` package.
        """
        if int(time) != time or time < 1:
            raise ValueError(f"time must be a positive whole number of months, got {time!r}")
        if not (np.isfinite(discount_rate) and discount_rate > -1):
            raise ValueError(f"discount_rate must be > -1, got {discount_rate!r}")
        if not (np.isfinite(freq_unit_per_month) and freq_unit_per_month > 0):
            raise ValueError(f"freq_unit_per_month must be > 0, got {freq_unit_per_month!r}")
        spend = np.asarray(self.conditional_expected_average_profit(frequency, monetary_value))
        value = np.zeros(np.broadcast_shapes(spend.shape, np.shape(recency), np.shape(T)))
        previous = np.zeros(1)
        for month in range(1, int(time) + 1):
            cumulative = np.asarray(
                transaction_model.expected_purchases(
                    month * freq_unit_per_month, frequency, recency, T
                ),
                dtype=np.float64,
            )
            value = value + spend * (cumulative - previous) / (1.0 + discount_rate) ** month
            previous = cumulative
        return wrap_like(np.atleast_1d(value).astype(np.float64), frequency, recency, T)

    def customer_lifetime_value_interval(
        self,
        transaction_model: TransactionModel,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
        monetary_value: npt.ArrayLike,
        time: int = 12,
        discount_rate: float = 0.01,
        freq_unit_per_month: float = 30.0,
        level: float = 0.9,
        n_draws: int = 200,
        seed: int = 0,
    ) -> tuple[Any, Any]:
        """``(low, high)``: the ``level`` interval of each customer's predicted CLV from the
        estimation uncertainty of both models' parameters (see
        :mod:`keepwise.models.clv.uncertainty`); arguments as for
        :meth:`customer_lifetime_value`."""
        return clv_interval(
            transaction_model, self, frequency, recency, T, monetary_value, time=time,
            discount_rate=discount_rate, freq_unit_per_month=freq_unit_per_month, level=level,
            n_draws=n_draws, seed=seed,
        )  # fmt: skip
