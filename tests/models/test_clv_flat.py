"""Fits where the likelihood is flat (issue 10), and customers first seen at the end (T = 0).

Simulated Pareto/NBD customers with hardly any drop-out (s = 0.001, beta = 1e5) or with an
almost constant drop-out rate (s = 50, beta = 15,000: mu ~ Gamma barely varies) leave the models
a ridge to climb: the maximum lies where parameters run off to 0 or infinity together (BG/NBD's
a, b; Pareto/NBD's s, beta). Before issue 10 every one of these fits raised ConvergenceError
(the no-drop-out Pareto/NBD after ~8 minutes). The fits must converge, be true maxima (above
the likelihood at the true parameters), not depend on the starting point where it matters
(log-likelihood, predictions), and predict the next year as the true model does.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from keepwise.models.clv import BGBB, BGNBD, GammaGamma, ParetoNBD
from keepwise.models.clv._numerics import digamma_rising, log_rising
from keepwise.models.clv.bgbb import bgbb_log_likelihood
from keepwise.models.clv.bgnbd import bgnbd_log_likelihood
from keepwise.models.clv.pareto_nbd import pareto_nbd_log_likelihood
from keepwise.models.clv.simulate import simulate_pareto_nbd

N = 4000
AGES = np.random.default_rng(0).uniform(1, 373, N)  # days
NO_DROP_OUT = {"r": 0.8, "alpha": 70.0, "s": 1e-3, "beta": 1e5}
CONSTANT_RATE = {"r": 0.8, "alpha": 70.0, "s": 50.0, "beta": 15_000.0}


def simulated(truth: dict[str, float], seed: int) -> pd.DataFrame:
    with np.errstate(divide="ignore", over="ignore"):  # mu ~ 0 draws: an infinite lifetime
        return simulate_pareto_nbd(N, **truth, T=AGES, seed=seed)


def columns(data: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    return data["frequency"], data["recency"], data["T"]


def assert_predicts_like_the_truth(
    model: BGNBD | ParetoNBD, truth: dict[str, float], data: pd.DataFrame
) -> None:
    """The year after T: purchases predicted in total within 10 % of what the true model
    expects (the estimates of 4,000 customers' histories err by a few per cent)."""
    true_model = ParetoNBD()
    true_model.params_ = truth
    expected = np.asarray(true_model.expected_purchases(365.0, *columns(data))).sum()
    predicted = np.asarray(model.expected_purchases(365.0, *columns(data))).sum()
    assert predicted == pytest.approx(expected, rel=0.10)


@pytest.mark.parametrize(
    ("truth", "seed"), [(NO_DROP_OUT, 0), (CONSTANT_RATE, 0)], ids=["no-drop-out", "constant-rate"]
)
def test_pareto_nbd_converges_on_a_flat_likelihood(truth: dict[str, float], seed: int) -> None:
    data = simulated(truth, seed)
    model = ParetoNBD().fit(*columns(data))
    assert model.converged_
    # s and beta run off together (to 0, or to infinity with s/beta ~ the common drop-out rate,
    # where beta stops on its bound and s carries the rate): not both identified.
    assert not (model.identified_["s"] and model.identified_["beta"])
    assert model.identified_["r"] and model.identified_["alpha"]
    at_truth = pareto_nbd_log_likelihood(np.array(list(truth.values())), *columns(data))[0]
    assert model.log_likelihood_ >= at_truth.sum()
    assert_predicts_like_the_truth(model, truth, data)
    # Another start ends elsewhere on the ridge, at the same height, with the same predictions.
    start = {"r": 2.0, "alpha": 20.0, "s": 5.0, "beta": 50.0}
    other = ParetoNBD(initial_params=start).fit(*columns(data))
    assert other.log_likelihood_ == pytest.approx(model.log_likelihood_, rel=1e-9)
    for method in (model.probability_alive, other.probability_alive):
        assert np.all(np.isfinite(method(*columns(data))))
    np.testing.assert_allclose(other.probability_alive(*columns(data)),
                               model.probability_alive(*columns(data)), atol=1e-4)  # fmt: skip
    np.testing.assert_allclose(other.expected_purchases(365.0, *columns(data)),
                               model.expected_purchases(365.0, *columns(data)), rtol=1e-3)  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bgnbd_converges_on_pareto_data_without_drop_out(seed: int) -> None:
    data = simulated(NO_DROP_OUT, seed)
    model = BGNBD().fit(*columns(data))
    assert model.converged_
    # Its drop-out parameters run to the edge (a -> 0, or a and b together): not both
    # identified (one on its bound leaves the other to carry what the data do pin down).
    assert not (model.identified_["a"] and model.identified_["b"])
    ll = bgnbd_log_likelihood(np.array(list(model.params_.values())), *columns(data))[0].sum()
    assert model.log_likelihood_ == pytest.approx(ll, rel=1e-12)
    assert_predicts_like_the_truth(model, NO_DROP_OUT, data)


# --- T = 0 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loglik", "theta"),
    [
        (bgnbd_log_likelihood, (0.243, 4.414, 0.793, 2.426)),
        (pareto_nbd_log_likelihood, (0.553, 10.578, 0.606, 11.669)),
        (pareto_nbd_log_likelihood, (0.83, 69.1, 1.7e-7, 6e7)),
    ],
)
def test_a_customer_with_t_zero_has_likelihood_one(loglik, theta) -> None:  # type: ignore[no-untyped-def]
    """By hand: with x = 0 the BG/NBD likelihood is (alpha/(alpha+T))^r and the Pareto/NBD's
    (alpha/(alpha+T))^r (beta/(beta+T))^s + the probability of having died unseen in (0, T];
    both are 1 at T = 0: the customer tells nothing. The gradient is 0, and the likelihood is
    continuous there (a customer first seen a moment before the end is nearly the same)."""
    th = np.array(theta)
    zero = np.zeros(1)
    ll, grad = loglik(th, zero, zero, zero)
    assert ll[0] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(grad, 0.0, atol=1e-9)
    r, alpha = th[0], th[1]
    tiny = np.array([1e-9])
    ll_tiny = loglik(th, zero, zero, tiny)[0][0]
    assert ll_tiny <= 1e-12 and ll_tiny >= r * math.log(alpha / (alpha + 1e-9)) * 2 - 1e-12


def test_bgbb_with_no_opportunity_has_likelihood_one() -> None:
    ll, grad = bgbb_log_likelihood(np.array([1.2, 0.75, 0.66, 2.8]), *(np.zeros(1),) * 3)
    assert ll[0] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(grad, 0.0, atol=1e-12)


@pytest.mark.parametrize("model_class", [BGNBD, ParetoNBD])
def test_predictions_at_t_zero_are_those_of_a_new_customer(
    model_class: type[BGNBD] | type[ParetoNBD],
) -> None:
    model = model_class()
    names = model._param_names
    model.params_ = dict(zip(names, (0.553, 10.578, 0.606, 11.669), strict=True))
    new = model.expected_purchases_new_customer(np.array([1.0, 39.0]))
    np.testing.assert_allclose(model.expected_purchases(np.array([1.0, 39.0]), 0, 0, 0), new,
                               rtol=1e-9)  # fmt: skip
    assert model.probability_alive(0, 0, 0) == pytest.approx(1.0)
    # ... and a Gamma-Gamma CLV: the population's mean spend times those purchases.
    spend = GammaGamma()
    spend.params_ = {"p": 6.25, "q": 3.74, "v": 15.44}
    clv = spend.customer_lifetime_value(model, 0, 0, 0, 0.0, time=1, discount_rate=0.0,
                                        freq_unit_per_month=4.0)  # fmt: skip
    mean_spend = 6.25 * 15.44 / (3.74 - 1.0)
    assert clv == pytest.approx(mean_spend * model.expected_purchases_new_customer(4.0))


def test_t_zero_is_accepted_by_every_fit_and_negative_t_is_not() -> None:
    frame = pd.read_csv(
        __import__("pathlib").Path(__file__).resolve().parents[2].parent
        / "shared" / "data" / "cdnow_customers_summary.csv"
    )  # fmt: skip
    x, t_x, T = (frame[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    for model_class in (BGNBD, ParetoNBD):
        base = model_class().fit(x, t_x, T)
        # Ten newcomers (x = t_x = T = 0) change nothing: likelihood 1 each.
        more = model_class().fit(np.r_[x, np.zeros(10)], np.r_[t_x, np.zeros(10)],
                                 np.r_[T, np.zeros(10)])  # fmt: skip
        assert more.log_likelihood_ == pytest.approx(base.log_likelihood_, rel=1e-10)
        for name, value in base.params_.items():
            assert more.params_[name] == pytest.approx(value, rel=1e-5)
        with pytest.raises(ValueError, match="T must be non-negative"):
            model_class().fit([1, 0], [1, 0], [5, -1])
    assert BGBB().fit([1, 0, 2], [1, 0, 3], [4, 0, 5]).converged_


# --- numerics of the flat ridges -----------------------------------------------------------------


@pytest.mark.parametrize("z", [0.3, 5.0, 14.99, 15.0, 15.01, 40.0, 1e3, 2e6, 1e9])
def test_rising_factorial_and_its_derivative_are_accurate_for_huge_arguments(z: float) -> None:
    """log Gamma(z+x) - log Gamma(z) = sum_{j<x} log(z+j) and digamma(z+x) - digamma(z) =
    sum_{j<x} 1/(z+j) for whole x, summed exactly (math.fsum) as the reference."""
    for x in (0, 1, 3, 50, 5000):
        log_sum = math.fsum(math.log(z + j) for j in range(x))
        inverse_sum = math.fsum(1.0 / (z + j) for j in range(x))
        got = log_rising(np.array([z]), np.array([float(x)]))[0]
        assert got == pytest.approx(log_sum, rel=2e-15, abs=2e-15)
        assert digamma_rising(np.array([z]), np.array([float(x)]))[0] == pytest.approx(
            inverse_sum, rel=1e-14, abs=1e-300
        )
