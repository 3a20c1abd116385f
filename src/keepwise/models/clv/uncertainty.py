"""How sure is a predicted CLV? Intervals from the estimation uncertainty of the parameters.

A customer's predicted CLV (:meth:`GammaGamma.customer_lifetime_value`) is a function of the
fitted parameters of the transaction model (BG/NBD, Pareto/NBD) and of the Gamma-Gamma spend
model. Each fit comes with the asymptotic covariance of its maximum-likelihood estimates (the
inverse observed information, ``covariance_``). The interval here propagates that uncertainty:

1. draw ``n_draws`` parameter sets from each model's asymptotic normal distribution on the log
   scale, ``log theta ~ N(log theta_hat, D^-1 Sigma D^-1)`` with ``D = diag(theta_hat)`` (the
   scale the optimiser works on; draws stay positive). The two models are fitted separately and
   are drawn independently. At a boundary optimum the covariance covers the identified
   directions only (see :class:`ProbabilisticModel`): the parameters the data do not identify
   stay where the fit left them, which leaves the predictions unchanged (they are flat there);
2. compute every customer's CLV under each draw, the same discounted monthly sum as the point
   estimate;
3. take the ``(1 - level)/2`` and ``(1 + level)/2`` percentiles of each customer's draws.

What it means: a range for the customer's *expected* CLV that reflects how precisely the data
pin down the population parameters. It does not contain the spread of what a single customer
will actually spend (a Poisson number of purchases at a random amount), which is far wider. It
narrows as the number of customers grows; it is wide where a customer's prediction leans on
weakly identified parameters (a short history, a heavy buyer with an unusual spend).

The percentile interval of a nonlinear function need not contain the plug-in estimate; where it
does not (rare), the interval is widened to include it, so ``low <= predicted <= high`` always.

Speed: per draw, the transaction model's expectations are evaluated once per distinct (x, T)
pair (BG/NBD) or from the distinct pairs of its integrals (Pareto/NBD), the spend part in
closed form; customers are processed in chunks so memory stays bounded (about 50,000 customers
x ``n_draws`` floats at a time). Seeded: the same inputs and seed give the same interval.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from keepwise.models.clv._base import ProbabilisticModel
from keepwise.models.clv._optimize import LOG_BOUND
from keepwise.models.clv._validation import FloatArray, rfm_for_predict, wrap_like

if TYPE_CHECKING:
    from keepwise.models.clv.gamma_gamma import GammaGamma, TransactionModel

_CHUNK = 50_000


def parameter_draws(
    model: ProbabilisticModel, n_draws: int, rng: np.random.Generator
) -> FloatArray:
    """``n_draws`` parameter vectors (rows, in ``params_`` order) from the fit's asymptotic
    normal distribution on the log scale."""
    theta = np.array(list(model.params_.values()))
    log_covariance = model.covariance_ / np.outer(theta, theta)
    # Symmetric and positive semi-definite (a pseudo-inverse at a boundary optimum): draw
    # through its eigen-decomposition, which tolerates zero variances.
    values, vectors = np.linalg.eigh(0.5 * (log_covariance + log_covariance.T))
    scale = np.sqrt(np.clip(values, 0.0, None))
    normal = rng.standard_normal((n_draws, theta.size))
    log_theta = np.log(theta) + (normal * scale) @ vectors.T
    result: FloatArray = np.exp(np.clip(log_theta, -LOG_BOUND, LOG_BOUND))
    return result


def discount_weights(months: int, discount_rate: float) -> FloatArray:
    """Weights ``w`` with ``sum_m (E_m - E_(m-1)) / (1+d)^m = sum_m w_m E_m`` (``E_0 = 0``)."""
    factors = (1.0 + discount_rate) ** -np.arange(1, months + 1, dtype=np.float64)
    weights: FloatArray = factors - np.append(factors[1:], 0.0)
    return weights


def clv_interval(
    transaction_model: TransactionModel,
    spend_model: GammaGamma,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    *,
    time: int = 12,
    discount_rate: float = 0.01,
    freq_unit_per_month: float = 30.0,
    level: float = 0.9,
    n_draws: int = 200,
    seed: int = 0,
    point: npt.ArrayLike | None = None,
) -> tuple[Any, Any]:
    """``(low, high)`` per customer: the ``level`` interval of the predicted CLV (see the module
    docstring); arguments as for :meth:`GammaGamma.customer_lifetime_value`. ``point``: the
    predicted CLVs when already computed (they are otherwise)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    if int(n_draws) != n_draws or n_draws < 10:
        raise ValueError(f"n_draws must be a whole number >= 10, got {n_draws!r}")
    fitted = _fitted(transaction_model)
    if point is None:
        point = spend_model.customer_lifetime_value(
            transaction_model, frequency, recency, T, monetary_value, time=time,
            discount_rate=discount_rate, freq_unit_per_month=freq_unit_per_month,
        )  # fmt: skip
    _, x, t_x, age = rfm_for_predict(0.0, frequency, recency, T)
    predicted = np.broadcast_to(np.asarray(point, dtype=np.float64), x.shape)
    m = np.broadcast_to(np.asarray(monetary_value, dtype=np.float64), x.shape)
    rng = np.random.default_rng(seed)
    tx_draws = parameter_draws(fitted, int(n_draws), rng)
    gg_draws = parameter_draws(spend_model, int(n_draws), rng)
    horizons = freq_unit_per_month * np.arange(1, time + 1, dtype=np.float64)
    weights = discount_weights(int(time), discount_rate)
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.empty_like(x), np.empty_like(x)
    for start in range(0, x.size, _CHUNK):
        rows = slice(start, start + _CHUNK)
        values = _draw_values(transaction_model, spend_model, tx_draws, gg_draws,
                              (x[rows], t_x[rows], age[rows], m[rows]), horizons, weights)  # fmt: skip
        # No interpolation between draws: a draw without a finite mean spend (inf) stays inf.
        low[rows], high[rows] = np.percentile(values, [tail, 100.0 - tail], axis=0,
                                              method="inverted_cdf")  # fmt: skip
    low, high = np.minimum(low, predicted), np.maximum(high, predicted)
    return wrap_like(low, frequency, recency, T), wrap_like(high, frequency, recency, T)


def _fitted(model: Any) -> ProbabilisticModel:
    if not isinstance(model, ProbabilisticModel) or not hasattr(model, "covariance_"):
        raise TypeError("clv_interval needs a fitted transaction model of keepwise.models.clv")
    return model


def _draw_values(
    transaction_model: Any,
    spend_model: GammaGamma,
    tx_draws: FloatArray,
    gg_draws: FloatArray,
    rows: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    horizons: FloatArray,
    weights: FloatArray,
) -> FloatArray:
    """CLV of each customer of ``rows`` under each draw: shape (n_draws, n_rows)."""
    x, t_x, age, m = rows
    fast = hasattr(transaction_model, "_discounted_purchases")
    prepared = transaction_model._discount_prepare(x, t_x, age) if fast else None
    values = np.empty((tx_draws.shape[0], x.size))
    for i, (theta, spend_theta) in enumerate(zip(tx_draws, gg_draws, strict=True)):
        if fast:
            purchases = transaction_model._discounted_purchases(theta, prepared, horizons, weights)
        else:
            purchases = _generic_purchases(transaction_model, theta, (x, t_x, age), horizons,
                                           weights)  # fmt: skip
        values[i] = _spend(spend_theta, x, m) * purchases
    return values


def _generic_purchases(
    model: ProbabilisticModel,
    theta: FloatArray,
    columns: tuple[FloatArray, FloatArray, FloatArray],
    horizons: FloatArray,
    weights: FloatArray,
) -> FloatArray:
    """Any model with ``expected_purchases`` (e.g. BG/BB): a copy at the drawn parameters."""
    twin = copy.copy(model)
    twin.params_ = dict(zip(model.params_, theta, strict=True))
    total = np.zeros_like(columns[0])
    for horizon, weight in zip(horizons, weights, strict=True):
        total += weight * np.asarray(twin.expected_purchases(horizon, *columns), dtype=float)  # type: ignore[attr-defined]
    return total


def _spend(theta: FloatArray, x: FloatArray, m: FloatArray) -> FloatArray:
    """E[spend per transaction | x, m] at Gamma-Gamma parameters (p, q, v) (FHL 2005, eq. 3);
    infinite where the population mean does not exist (p x + q <= 1)."""
    p, q, v = theta
    denominator = p * x + q - 1.0
    with np.errstate(divide="ignore"):
        result: FloatArray = np.where(denominator > 0, (v + x * m) * p / denominator, np.inf)
    return result
