"""The interval beside each predicted CLV (keepwise.models.clv.uncertainty): it contains the
point estimate, is reproducible, is computed from the same CLV as the point estimate, covers
the true expected CLV about as often as it says on data simulated from known parameters, and
narrows like 1/sqrt(n) as the data grow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keepwise.models.clv import BGBB, BGNBD, GammaGamma, ParetoNBD, clv_interval
from keepwise.models.clv.simulate import simulate_bgnbd, simulate_gamma_gamma
from keepwise.models.clv.uncertainty import discount_weights, parameter_draws

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
WEEKS_PER_MONTH = 4.345
OPTIONS = {"time": 12, "discount_rate": 0.01, "freq_unit_per_month": WEEKS_PER_MONTH}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv").set_index("ID")


@pytest.fixture(scope="module")
def spend(cdnow: pd.DataFrame) -> GammaGamma:
    return GammaGamma().fit(cdnow["x"], cdnow["zbar"])


def columns(frame: pd.DataFrame) -> tuple[pd.Series, ...]:
    return frame["x"], frame["t_x"], frame["T"], frame["zbar"]


@pytest.mark.parametrize("model_class", [BGNBD, ParetoNBD])
def test_interval_contains_the_point_estimate_and_is_reproducible(
    model_class: type[BGNBD] | type[ParetoNBD], cdnow: pd.DataFrame, spend: GammaGamma
) -> None:
    purchases = model_class().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    point = spend.customer_lifetime_value(purchases, *columns(cdnow), time=12,
                                          discount_rate=0.01, freq_unit_per_month=WEEKS_PER_MONTH)  # fmt: skip
    low, high = spend.customer_lifetime_value_interval(
        purchases, *columns(cdnow), seed=3, **OPTIONS
    )  # type: ignore[arg-type]
    assert isinstance(low, pd.Series) and low.index.equals(cdnow.index)
    assert ((low <= point) & (point <= high)).all()
    assert (low < high).all() and (low >= 0).all()
    # Widening to the point estimate is the exception, not the rule.
    assert ((low < point) & (point < high)).mean() > 0.95
    again = clv_interval(purchases, spend, *columns(cdnow), seed=3, **OPTIONS)  # type: ignore[arg-type]
    pd.testing.assert_series_equal(again[0], low)
    other = clv_interval(purchases, spend, *columns(cdnow), seed=4, **OPTIONS)  # type: ignore[arg-type]
    assert not np.array_equal(other[1], high)
    # Monte Carlo noise only: another set of 200 draws moves the 95th percentile by ~5-15 % of
    # the interval's width (one set of draws serves every customer, so the moves are alike).
    noise = np.abs(np.asarray(other[1]) - np.asarray(high)) / np.asarray(high - low)
    assert np.median(noise) < 0.3


@pytest.mark.parametrize("model_class", [BGNBD, ParetoNBD])
def test_the_draws_use_the_same_clv_as_the_point_estimate(
    model_class: type[BGNBD] | type[ParetoNBD], cdnow: pd.DataFrame, spend: GammaGamma
) -> None:
    """At the fitted parameters the fast per-draw path gives the point estimate exactly."""
    purchases = model_class().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    x, t_x, age, zbar = (c.to_numpy(float) for c in columns(cdnow))
    point = spend.customer_lifetime_value(purchases, x, t_x, age, zbar, **OPTIONS)  # type: ignore[arg-type]
    horizons = WEEKS_PER_MONTH * np.arange(1, 13)
    theta = np.array(list(purchases.params_.values()))
    prepared = purchases._discount_prepare(x, t_x, age)
    discounted = purchases._discounted_purchases(theta, prepared, horizons,
                                                 discount_weights(12, 0.01))  # fmt: skip
    margin = spend.conditional_expected_average_profit(x, zbar)
    np.testing.assert_allclose(margin * discounted, point, rtol=1e-10)


def test_parameter_draws_follow_the_fitted_covariance(cdnow: pd.DataFrame) -> None:
    model = BGNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    theta = np.array(list(model.params_.values()))
    draws = parameter_draws(model, 40_000, np.random.default_rng(0))
    log_draws = np.log(draws)
    np.testing.assert_allclose(log_draws.mean(axis=0), np.log(theta), atol=0.01)
    expected = model.covariance_ / np.outer(theta, theta)
    scale = np.sqrt(np.outer(np.diag(expected), np.diag(expected)))
    # each entry within 0.03 on the scale of a correlation (sampling error ~ 1/sqrt(40,000))
    np.testing.assert_allclose(np.cov(log_draws.T) / scale, expected / scale, atol=0.03)


def test_any_transaction_model_with_expected_purchases_works(spend: GammaGamma) -> None:
    """BG/BB has no per-draw shortcut: the generic path (a copy at each drawn parameter set)."""
    donations = pd.read_csv(DATA / "donations.csv")
    bb = BGBB().fit(donations["frequency"], donations["recency"], donations["periods"],
                    weights=donations["weights"])  # fmt: skip
    x, t_x, n = (donations[c] for c in ("frequency", "recency", "periods"))
    money = pd.Series(np.where(x > 0, 25.0, 0.0), index=x.index)
    point = spend.customer_lifetime_value(bb, x, t_x, n, money, time=5, discount_rate=0.1,
                                          freq_unit_per_month=1.0)  # fmt: skip
    low, high = clv_interval(bb, spend, x, t_x, n, money, time=5, discount_rate=0.1,
                             freq_unit_per_month=1.0, n_draws=50)  # fmt: skip
    assert ((low <= point) & (point <= high) & (low < high)).all()


TRUTH = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
SPEND = {"p": 6.0, "q": 4.0, "v": 15.0}
# A panel of customers (x, t_x, T in weeks, mean spend) whose true expected CLV is known.
PANEL = (np.array([0.0, 1, 2, 5, 10, 3, 1, 20]), np.array([0.0, 5, 30, 35, 38, 10, 38, 37]),
         np.full(8, 39.0), np.array([0.0, 20, 35, 10, 50, 80, 5, 30]))  # fmt: skip


def simulated_fit(n: int, seed: int) -> tuple[BGNBD, GammaGamma]:
    rng = np.random.default_rng(100 + seed)
    data = simulate_bgnbd(n, **TRUTH, T=rng.uniform(26, 39, n), seed=seed)
    x = data["frequency"].to_numpy()
    money = np.zeros(n)
    money[x > 0] = simulate_gamma_gamma(x[x > 0], **SPEND, seed=seed)
    return BGNBD().fit(x, data["recency"], data["T"]), GammaGamma().fit(x, money)


def test_coverage_of_the_true_expected_clv_is_about_the_level() -> None:
    """40 data sets of 2,000 customers from known parameters: the 90 % intervals of a panel of
    customers contain their true expected CLV in about 90 % of the fits (measured: 93 %)."""
    true_purchases, true_spend = BGNBD(), GammaGamma()
    true_purchases.params_, true_spend.params_ = TRUTH, SPEND
    truth = true_spend.customer_lifetime_value(true_purchases, *PANEL, **OPTIONS)  # type: ignore[arg-type]
    covered = []
    for seed in range(40):
        purchases, spend = simulated_fit(2000, seed)
        low, high = clv_interval(purchases, spend, *PANEL, seed=seed, **OPTIONS)  # type: ignore[arg-type]
        covered.append((low <= truth) & (truth <= high))
    coverage = np.mean(covered)
    assert 0.82 <= coverage <= 0.98
    assert np.mean(covered, axis=0).min() >= 0.7  # no customer profile is left out


def test_intervals_narrow_like_one_over_root_n() -> None:
    widths = []
    for n in (2000, 8000):
        purchases, spend = simulated_fit(n, 7)
        point = spend.customer_lifetime_value(purchases, *PANEL, **OPTIONS)  # type: ignore[arg-type]
        low, high = clv_interval(purchases, spend, *PANEL, **OPTIONS)  # type: ignore[arg-type]
        widths.append(np.median((high - low) / point))
    assert 0.35 < widths[1] / widths[0] < 0.7  # 1/sqrt(4) = 0.5


def test_bad_arguments_are_refused(cdnow: pd.DataFrame, spend: GammaGamma) -> None:
    purchases = BGNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    with pytest.raises(ValueError, match="level"):
        clv_interval(purchases, spend, *columns(cdnow), level=1.0)
    with pytest.raises(ValueError, match="n_draws"):
        clv_interval(purchases, spend, *columns(cdnow), n_draws=3)
    with pytest.raises(TypeError, match="fitted transaction model"):
        clv_interval(BGNBD(), spend, *columns(cdnow))
