"""Gamma-Gamma spend predictions and customer lifetime value on CDNOW."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keepwise.models.clv import BGBB, BGNBD, GammaGamma, ParetoNBD

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
WEEKS_PER_MONTH = 4.345


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv").set_index("ID")


@pytest.fixture(scope="module")
def spend(cdnow: pd.DataFrame) -> GammaGamma:
    return GammaGamma().fit(cdnow["x"], cdnow["zbar"])


@pytest.fixture(scope="module")
def purchases(cdnow: pd.DataFrame) -> BGNBD:
    return BGNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_expected_spend_shrinks_towards_the_population_mean(
    spend: GammaGamma, cdnow: pd.DataFrame
) -> None:
    p, q, v = spend.params_["p"], spend.params_["q"], spend.params_["v"]
    population = p * v / (q - 1)
    assert spend.conditional_expected_average_profit(0, 0.0) == pytest.approx(population)
    repeat = cdnow[cdnow["x"] > 0]
    expected = spend.conditional_expected_average_profit(repeat["x"], repeat["zbar"])
    assert isinstance(expected, pd.Series) and expected.index.equals(repeat.index)
    # A weighted average: between the customer's own mean and the population mean ...
    low = np.minimum(repeat["zbar"], population)
    high = np.maximum(repeat["zbar"], population)
    assert ((expected >= low - 1e-9) & (expected <= high + 1e-9)).all()
    # ... with more weight on the customer's mean the more transactions she made.
    heavy = spend.conditional_expected_average_profit(20, 50.0)
    light = spend.conditional_expected_average_profit(1, 50.0)
    assert abs(heavy - 50.0) < abs(light - 50.0)
    # FHL 2005 compare the mean of these expectations with the observed mean spend.
    assert expected.mean() == pytest.approx(repeat["zbar"].mean(), rel=0.05)


def test_clv_is_the_discounted_monthly_sum(
    spend: GammaGamma, purchases: BGNBD, cdnow: pd.DataFrame
) -> None:
    x, t_x, age, zbar = cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"]
    clv = spend.customer_lifetime_value(
        purchases, x, t_x, age, zbar, time=12, discount_rate=0.01,
        freq_unit_per_month=WEEKS_PER_MONTH,
    )  # fmt: skip
    assert isinstance(clv, pd.Series) and clv.index.equals(cdnow.index)
    margin = spend.conditional_expected_average_profit(x, zbar)
    expected = sum(
        margin
        * (
            purchases.expected_purchases(m * WEEKS_PER_MONTH, x, t_x, age)
            - purchases.expected_purchases((m - 1) * WEEKS_PER_MONTH, x, t_x, age)
        )
        / 1.01**m
        for m in range(1, 13)
    )
    np.testing.assert_allclose(clv, expected, rtol=1e-12)
    assert (clv >= 0).all() and np.isfinite(clv).all()


def test_clv_responds_to_discounting_and_horizon(
    spend: GammaGamma, purchases: BGNBD, cdnow: pd.DataFrame
) -> None:
    args = (purchases, cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"])
    unit = WEEKS_PER_MONTH
    base = spend.customer_lifetime_value(*args, 12, 0.01, freq_unit_per_month=unit)
    undiscounted = spend.customer_lifetime_value(*args, 12, 0.0, freq_unit_per_month=unit)
    longer = spend.customer_lifetime_value(*args, 24, 0.01, freq_unit_per_month=unit)
    assert (undiscounted >= base).all() and (longer >= base).all()
    # Undiscounted CLV is expected spend times expected purchases over the whole year.
    year = purchases.expected_purchases(12 * WEEKS_PER_MONTH, cdnow["x"], cdnow["t_x"], cdnow["T"])
    margin = spend.conditional_expected_average_profit(cdnow["x"], cdnow["zbar"])
    np.testing.assert_allclose(undiscounted, margin * year, rtol=1e-10)
    # Customer 1 (x = 2, t_x = 30.43, T = 38.86): a scalar in, a float out.
    one = spend.customer_lifetime_value(
        purchases, 2, 30.43, 38.86, 22.35, time=12, discount_rate=0.01, freq_unit_per_month=unit
    )
    assert isinstance(one, float) and one == pytest.approx(base.loc[1])


def test_clv_works_with_every_transaction_model(spend: GammaGamma, cdnow: pd.DataFrame) -> None:
    pareto = ParetoNBD().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    x, t_x, age, zbar = cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"]
    bgnbd = BGNBD().fit(x, t_x, age)
    with_pareto = spend.customer_lifetime_value(
        pareto, x, t_x, age, zbar, freq_unit_per_month=4.345
    )
    with_bgnbd = spend.customer_lifetime_value(bgnbd, x, t_x, age, zbar, freq_unit_per_month=4.345)
    # Two models of the same purchases agree on the total value of the base within 10 %.
    assert with_pareto.sum() == pytest.approx(with_bgnbd.sum(), rel=0.1)
    # BG/BB counts opportunities: with one opportunity a month, t months are t periods.
    donors = BGBB().fit([0, 1, 3, 6], [0, 2, 6, 6], [6, 6, 6, 6], [40, 30, 20, 10])
    value = spend.customer_lifetime_value(
        donors, [0, 1, 3, 6], [0, 2, 6, 6], [6, 6, 6, 6], [0.0, 20.0, 25.0, 30.0],
        time=6, freq_unit_per_month=1.0,
    )  # fmt: skip
    assert np.all(np.isfinite(value)) and np.all(np.diff(value) > 0)


def test_clv_arguments_are_checked(spend: GammaGamma, purchases: BGNBD) -> None:
    with pytest.raises(ValueError, match="time"):
        spend.customer_lifetime_value(purchases, 1, 1, 5, 10.0, time=0)
    with pytest.raises(ValueError, match="discount_rate"):
        spend.customer_lifetime_value(purchases, 1, 1, 5, 10.0, discount_rate=-1.5)
    with pytest.raises(ValueError, match="freq_unit_per_month"):
        spend.customer_lifetime_value(purchases, 1, 1, 5, 10.0, freq_unit_per_month=0)
