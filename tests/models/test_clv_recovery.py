"""Parameter recovery and calibration on data simulated from each model's own story."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from keepwise.models.clv import BGBB, BGNBD, GammaGamma, ParetoNBD, ProbabilisticModel
from keepwise.models.clv.simulate import (
    simulate_bgbb,
    simulate_bgnbd,
    simulate_gamma_gamma,
    simulate_pareto_nbd,
)

N_CUSTOMERS = 20_000


def assert_recovered(model: ProbabilisticModel, truth: dict[str, float]) -> None:
    """Every estimate within 4 standard errors and 25 % of the truth; the 95 % interval of
    most parameters covers it (a seeded draw, so this is deterministic)."""
    assert set(model.params_) == set(truth)
    covered = 0
    for name, value in truth.items():
        estimate, se = model.params_[name], model.standard_errors_[name]
        assert abs(estimate - value) <= 4 * se, (name, estimate, value, se)
        assert estimate == pytest.approx(value, rel=0.25), (name, estimate, value)
        low, high = model.confidence_intervals_[name]
        covered += low <= value <= high
    assert covered >= len(truth) - 1


def cohort_ages(seed: int, low: float, high: float) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, N_CUSTOMERS)


@pytest.fixture(scope="module")
def bgnbd_data() -> pd.DataFrame:
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    return simulate_bgnbd(N_CUSTOMERS, **truth, T=cohort_ages(1, 26, 39), holdout=39, seed=11)


@pytest.fixture(scope="module")
def pareto_data() -> pd.DataFrame:
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    return simulate_pareto_nbd(N_CUSTOMERS, **truth, T=cohort_ages(2, 26, 39), holdout=39, seed=12)


@pytest.fixture(scope="module")
def bgnbd_fit(bgnbd_data: pd.DataFrame) -> BGNBD:
    return BGNBD().fit(bgnbd_data["frequency"], bgnbd_data["recency"], bgnbd_data["T"])


@pytest.fixture(scope="module")
def pareto_fit(pareto_data: pd.DataFrame) -> ParetoNBD:
    # 20,000 distinct continuous (x, t_x, T) rows: this also exercises the two-stage fit.
    return ParetoNBD().fit(pareto_data["frequency"], pareto_data["recency"], pareto_data["T"])


def test_bgnbd_recovers_its_parameters(bgnbd_fit: BGNBD) -> None:
    assert_recovered(bgnbd_fit, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})


def test_pareto_nbd_recovers_its_parameters(pareto_fit: ParetoNBD) -> None:
    assert_recovered(pareto_fit, {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0})


def test_two_stage_fit_reaches_the_same_optimum_as_a_direct_fit(
    pareto_data: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 10,000 distinct rows are fitted directly; the same rows twice (T nudged by 1e-9 so they
    # stay distinct) make 20,000 and take the subsample-then-Newton path. Same mean objective,
    # so the same optimum.
    calls: list[int] = []
    original = ParetoNBD._two_stage

    def spy(self: ParetoNBD, *args: object) -> object:
        calls.append(1)
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ParetoNBD, "_two_stage", spy)
    small = pareto_data.iloc[:10_000]
    direct = ParetoNBD().fit(small["frequency"], small["recency"], small["T"])
    assert calls == []
    doubled = pd.concat([small, small.assign(T=small["T"] + 1e-9)])
    staged = ParetoNBD().fit(doubled["frequency"], doubled["recency"], doubled["T"])
    assert calls == [1]
    for name, value in direct.params_.items():
        assert staged.params_[name] == pytest.approx(value, rel=1e-5)
    assert staged.log_likelihood_ == pytest.approx(2 * direct.log_likelihood_, rel=1e-9)


def test_bgbb_recovers_its_parameters() -> None:
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    data = simulate_bgbb(N_CUSTOMERS, 1.2, 0.75, 0.66, 2.8, n_periods=8, seed=13)
    patterns = data.groupby(["frequency", "recency", "n_periods"]).size().reset_index()
    model = BGBB().fit(
        patterns["frequency"], patterns["recency"], patterns["n_periods"], patterns[0]
    )
    assert model.n_obs_ == N_CUSTOMERS
    assert_recovered(model, truth)


def test_gamma_gamma_recovers_its_parameters() -> None:
    truth = {"p": 6.0, "q": 3.8, "v": 15.0}
    frequency = np.random.default_rng(14).geometric(0.35, 5_000).astype(float)
    spend = simulate_gamma_gamma(frequency, **truth, seed=15)
    model = GammaGamma().fit(frequency, spend)
    assert_recovered(model, truth)


@pytest.mark.parametrize("which", ["bgnbd", "pareto"])
def test_predictions_are_calibrated_against_the_simulated_truth(
    which: str, request: pytest.FixtureRequest
) -> None:
    data: pd.DataFrame = request.getfixturevalue(f"{which}_data")
    model: BGNBD | ParetoNBD = request.getfixturevalue(f"{which}_fit")
    x, t_x, age = data["frequency"], data["recency"], data["T"]
    p_alive = model.probability_alive(x, t_x, age)
    expected = model.expected_purchases(39, x, t_x, age)
    # Mean P(alive) vs share alive: binomial standard error ~0.0035 at n = 20,000.
    assert p_alive.mean() == pytest.approx(data["alive"].mean(), abs=0.015)
    # Customers the model calls likely dead mostly are dead, and vice versa.
    assert data.loc[p_alive > 0.8, "alive"].mean() > 0.8
    assert data.loc[p_alive < 0.2, "alive"].mean() < 0.2
    actual = data["frequency_holdout"]
    se = actual.std() / np.sqrt(len(actual))
    assert abs(expected.mean() - actual.mean()) < 4 * se
    for bucket in range(4):
        rows = x == bucket
        assert expected[rows].mean() == pytest.approx(actual[rows].mean(), rel=0.1, abs=0.05)


def test_bgbb_predictions_are_calibrated_against_the_simulated_truth() -> None:
    data = simulate_bgbb(N_CUSTOMERS, 1.2, 0.75, 0.66, 2.8, n_periods=6, holdout=5, seed=16)
    model = BGBB().fit(data["frequency"], data["recency"], data["n_periods"])
    p_alive = model.probability_alive(data["frequency"], data["recency"], data["n_periods"])
    expected = model.expected_purchases(5, data["frequency"], data["recency"], data["n_periods"])
    assert p_alive.mean() == pytest.approx(data["alive"].mean(), abs=0.015)
    actual = data["frequency_holdout"]
    assert abs(expected.mean() - actual.mean()) < 4 * actual.std() / np.sqrt(len(actual))
    assert model.expected_purchases_new_customer(6) == pytest.approx(
        data["frequency"].mean(), rel=0.03
    )
