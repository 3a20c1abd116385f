"""The transaction models on a real retail log (issue 10): the UCI Online Retail invoice lines,
summarised by day and by week as ``lifetimes`` does.

On these data the likelihood of both models is maximised at the edge of the parameter space:
customers show no drop-out the models can see, so Pareto/NBD's s -> 0 (beta -> infinity) and,
by week, BG/NBD's a -> 0 (b -> infinity). Both then reduce to the NBD model (Poisson purchases,
Gamma-distributed rates, no death), whose maximum likelihood is computed here independently.
Before issue 10 every Pareto/NBD fit here raised ConvergenceError (with and without a penalty),
as did BG/NBD by week, and a customer first seen on the last day (T = 0) was refused.

Reference figures from ``lifetimes`` 0.11.3, computed once by
``benchmarks/clv_online_retail_reference.py`` (lifetimes is not a test dependency).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import gammaln

from keepwise.models.clv import BGNBD, ParetoNBD
from keepwise.models.clv._validation import FloatArray

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "online_retail.parquet"

# benchmarks/clv_online_retail_reference.py, lifetimes 0.11.3 (2026-12-05). Summary checksums:
# customers, sum of frequency, recency and T, customers with T = 0.
LIFETIMES_SUMMARY = {"D": (4338, 12425.0, 567287.0, 966641.0, 1),
                     "W": (4338, 11586.0, 81064.0, 137197.0, 26)}  # fmt: skip
LIFETIMES_BGNBD_DAILY = {"r": 0.8265419120811958, "alpha": 68.90512058533588,
                         "a": 0.003437377902383039, "b": 6.745116210345342}  # fmt: skip
LIFETIMES_BGNBD_DAILY_LL = -61823.471250163726
# By week lifetimes' BG/NBD raises ConvergenceError ("The model did not converge").
# Pareto/NBD: lifetimes stops somewhere on the flat ridge (its s and beta vary from run to run;
# this run: s = 1.47e-8, beta = 2995.5 by day; s = 3.65e-8, beta = 172.7 by week), so only its
# log-likelihood is a reference.
LIFETIMES_PARETO_LL = {"D": -61823.59093558497, "W": -36894.56231121684}


@functools.cache
def lifetimes_summary(freq: str) -> pd.DataFrame:
    """frequency / recency / T in lifetimes' convention: repeat purchase *periods* (days or
    weeks with a purchase, after the first), the observation ending with the last invoice."""
    lines = pd.read_parquet(DATA, columns=["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice",
                                           "CustomerID"])  # fmt: skip
    lines = lines[lines["CustomerID"].notna() & ~lines["InvoiceNo"].str.startswith("C")]
    lines = lines[lines["Quantity"] * lines["UnitPrice"] > 0]
    period = pd.PeriodIndex(lines["InvoiceDate"], freq=freq).asi8  # ordinal day or week
    periods = pd.DataFrame({"customer": lines["CustomerID"].to_numpy(), "period": period})
    g = periods.drop_duplicates().groupby("customer")["period"]
    first, last = g.min(), g.max()
    return pd.DataFrame({"frequency": (g.count() - 1).astype(float),
                         "recency": (last - first).astype(float),
                         "T": (period.max() - first).astype(float)})  # fmt: skip


def nbd_maximum(x: FloatArray, T: FloatArray) -> tuple[float, float, float]:
    """(r, alpha, log-likelihood) of the NBD model: Poisson purchases at a Gamma(r, alpha) rate
    and no drop-out, L = Gamma(r+x)/Gamma(r) alpha^r / (alpha+T)^(r+x); Nelder-Mead."""

    def minus_ll(u: FloatArray) -> float:
        r, alpha = np.exp(u)
        ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + T)
        return -float(ll.sum())

    best = minimize(minus_ll, np.log([1.0, 10.0]), method="Nelder-Mead",
                    options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 5000})  # fmt: skip
    r, alpha = np.exp(best.x)
    return float(r), float(alpha), -float(best.fun)


@pytest.fixture(scope="module", params=["D", "W"])
def summary(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame]:
    return request.param, lifetimes_summary(request.param)


@functools.cache
def nbd_fit(freq: str) -> tuple[float, float, float]:
    frame = lifetimes_summary(freq)
    return nbd_maximum(frame["frequency"].to_numpy(), frame["T"].to_numpy())


def columns(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    return frame["frequency"], frame["recency"], frame["T"]


def test_the_summary_is_lifetimes_summary(summary: tuple[str, pd.DataFrame]) -> None:
    freq, frame = summary
    x, t_x, T = columns(frame)
    got = (len(frame), x.sum(), t_x.sum(), T.sum(), int((T == 0).sum()))
    assert got == LIFETIMES_SUMMARY[freq]


def test_bgnbd_by_day_equals_lifetimes() -> None:
    model = BGNBD().fit(*columns(lifetimes_summary("D")))
    for name, value in LIFETIMES_BGNBD_DAILY.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-4), name
    assert model.log_likelihood_ == pytest.approx(LIFETIMES_BGNBD_DAILY_LL, rel=1e-9)
    assert all(model.identified_.values())  # an interior optimum: every parameter identified


def test_pareto_nbd_converges_at_the_no_drop_out_edge(summary: tuple[str, pd.DataFrame]) -> None:
    freq, frame = summary
    x, t_x, T = columns(frame)
    model = ParetoNBD().fit(x, t_x, T)
    reference = LIFETIMES_PARETO_LL[freq]
    # At least lifetimes' maximum (the issue asks for 1e-3 relative; it is better than that).
    assert model.log_likelihood_ >= reference - 1e-9 * abs(reference)
    # ... and it is the NBD's maximum: no drop-out, s and beta not identified.
    r, alpha, nbd_ll = nbd_fit(freq)
    assert model.log_likelihood_ == pytest.approx(nbd_ll, rel=1e-9)
    assert model.params_["r"] == pytest.approx(r, rel=1e-4)
    assert model.params_["alpha"] == pytest.approx(alpha, rel=1e-4)
    assert model.identified_ == {"r": True, "alpha": True, "s": False, "beta": False}
    assert np.isinf(model.standard_errors_["s"]) and np.isfinite(model.standard_errors_["r"])
    # Predictions are the NBD's, wherever on the ridge the optimiser stopped: alive, and
    # (r+x)/(alpha+T) purchases per period.
    horizon = 52.0 if freq == "W" else 365.0
    np.testing.assert_allclose(model.probability_alive(x, t_x, T), 1.0, atol=1e-6)
    expected = (r + x) / (alpha + T) * horizon
    np.testing.assert_allclose(model.expected_purchases(horizon, x, t_x, T), expected, rtol=1e-4)


def test_bgnbd_by_week_converges_where_lifetimes_does_not() -> None:
    model = BGNBD().fit(*columns(lifetimes_summary("W")))
    r, alpha, nbd_ll = nbd_fit("W")
    assert model.log_likelihood_ == pytest.approx(nbd_ll, rel=1e-9)
    assert model.log_likelihood_ >= LIFETIMES_PARETO_LL["W"]
    assert model.params_["r"] == pytest.approx(r, rel=1e-4)
    assert model.params_["alpha"] == pytest.approx(alpha, rel=1e-4)
    assert not model.identified_["a"] and not model.identified_["b"]


@pytest.mark.parametrize("model_class", [BGNBD, ParetoNBD])
def test_penalised_fits_converge_too(
    summary: tuple[str, pd.DataFrame], model_class: type[BGNBD] | type[ParetoNBD]
) -> None:
    x, t_x, T = columns(summary[1])
    plain = model_class().fit(x, t_x, T)
    penalised = model_class(penalizer_coef=0.01).fit(x, t_x, T)
    assert penalised.converged_ and penalised.log_likelihood_ < plain.log_likelihood_
    size = sum(v**2 for v in penalised.params_.values())
    assert size < sum(v**2 for v in plain.params_.values())


def test_a_customer_first_seen_on_the_last_day_counts_for_nothing() -> None:
    frame = lifetimes_summary("W")
    newcomers = frame["T"] == 0
    assert newcomers.sum() == 26
    x, t_x, T = columns(frame)
    for model_class in (BGNBD, ParetoNBD):
        with_them = model_class().fit(x, t_x, T)
        without = model_class().fit(x[~newcomers], t_x[~newcomers], T[~newcomers])
        # Likelihood 1 each: the same optimum, the same log-likelihood.
        assert with_them.log_likelihood_ == pytest.approx(without.log_likelihood_, rel=1e-9)
        assert with_them.params_["r"] == pytest.approx(without.params_["r"], rel=1e-5)
        # They are predicted as customers just acquired.
        new = with_them.expected_purchases_new_customer(52.0)
        assert with_them.expected_purchases(52.0, 0, 0, 0) == pytest.approx(new, rel=1e-9)
        assert with_them.probability_alive(0, 0, 0) == pytest.approx(1.0)
