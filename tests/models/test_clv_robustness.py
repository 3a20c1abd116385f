"""Numerical robustness: analytic gradients, textbook formulas, extreme histories, bad input."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.optimize import check_grad
from scipy.special import gammaln, hyp2f1

from keepwise.models.clv import BGBB, BGNBD, GammaGamma, ParetoNBD
from keepwise.models.clv._pareto_math import log_phi, phi_gradient
from keepwise.models.clv._validation import FloatArray
from keepwise.models.clv.bgbb import bgbb_log_likelihood
from keepwise.models.clv.bgnbd import alive_purchases, bgnbd_log_likelihood
from keepwise.models.clv.gamma_gamma import gamma_gamma_log_likelihood
from keepwise.models.clv.pareto_nbd import pareto_nbd_log_likelihood
from keepwise.models.clv.simulate import simulate_pareto_nbd

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
LogLik = Callable[..., tuple[FloatArray, FloatArray]]


@pytest.fixture(scope="module")
def cdnow() -> tuple[FloatArray, FloatArray, FloatArray]:
    frame = pd.read_csv(DATA / "cdnow_customers_summary.csv")
    return tuple(frame[c].to_numpy(float) for c in ("frequency", "recency", "T"))  # type: ignore[return-value]


# Heavy buyers, a decade of daily history, one-time buyers: all in one set of rows.
EXTREME_X = np.array([0.0, 0.0, 1.0, 5.0, 301.0, 1000.0, 5000.0, 400.0])
EXTREME_TX = np.array([0.0, 0.0, 10.0, 4000.0, 4990.0, 4999.0, 5000.0, 2.0])
EXTREME_T = np.array([1.0, 5000.0, 5000.0, 5000.0, 5000.0, 5000.0, 5000.0, 3.0])


def assert_gradient(loglik: LogLik, theta: FloatArray, *data: FloatArray) -> None:
    """Analytic gradient of the mean log-likelihood vs scipy's check_grad (forward
    differences), and of every row's log-likelihood vs central differences."""

    def value(th: FloatArray) -> float:
        return float(loglik(th, *data)[0].mean())

    def grad(th: FloatArray) -> FloatArray:
        result: FloatArray = loglik(th, *data)[1].mean(axis=0)
        return result

    # Forward differences carry an O(eps * |f| / h) rounding error: loose for large |f|.
    scale = max(1.0, abs(value(theta)), float(np.linalg.norm(grad(theta))))
    error = check_grad(value, grad, theta, epsilon=1e-7 * theta)  # a step per parameter scale
    assert error <= 1e-5 * scale, (theta, error)

    ll, analytic = loglik(theta, *data)
    for j in range(theta.size):
        step = 1e-5 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        numeric = (loglik(up, *data)[0] - loglik(down, *data)[0]) / (2 * step)
        tolerance = 1e-6 * np.abs(numeric) + 1e-8 * (1 + np.abs(ll)) / theta[j]
        assert np.all(np.abs(analytic[:, j] - numeric) <= tolerance), (j, analytic[:, j], numeric)


@pytest.mark.parametrize(
    "theta",
    [
        (0.243, 4.414, 0.793, 2.426),
        (1.5, 30.0, 0.3, 0.9),
        (0.05, 0.5, 4.0, 40.0),
        (0.8, 70.0, 2e4, 7e6),  # a, b -> infinity together: a constant drop-out probability
    ],
)
def test_bgnbd_gradient(theta: tuple[float, ...], cdnow: tuple[FloatArray, ...]) -> None:
    assert_gradient(bgnbd_log_likelihood, np.array(theta), *cdnow)
    assert_gradient(bgnbd_log_likelihood, np.array(theta), EXTREME_X, EXTREME_TX, EXTREME_T)


@pytest.mark.parametrize(
    "theta",
    [
        (0.553, 10.578, 0.606, 11.669),  # beta > alpha: the 2F1 on beta
        (0.553, 11.669, 0.606, 10.578),  # alpha > beta: the 2F1 on alpha
        (0.8, 5.0, 1.7, 5.0 + 1e-9),  # alpha ~ beta: where the two branches meet
        (2.0, 50.0, 0.2, 0.5),  # z close to 1
        (2.0, 500.0, 0.5, 0.5),  # z ~ 1 with heavy buyers: the integral replaces SciPy's 2F1
        (0.83, 69.1, 1.7e-7, 6e7),  # the Online Retail optimum: s -> 0, beta -> infinity
        (0.87, 75.9, 2.5e5, 7e7),  # s, beta -> infinity together: a constant drop-out rate
    ],
)
def test_pareto_nbd_gradient(theta: tuple[float, ...], cdnow: tuple[FloatArray, ...]) -> None:
    assert_gradient(pareto_nbd_log_likelihood, np.array(theta), *cdnow)
    assert_gradient(pareto_nbd_log_likelihood, np.array(theta), EXTREME_X, EXTREME_TX, EXTREME_T)


@pytest.mark.parametrize("theta", [(1.2, 0.75, 0.66, 2.8), (0.3, 5.0, 3.0, 0.4)])
def test_bgbb_gradient(theta: tuple[float, ...]) -> None:
    frame = pd.read_csv(DATA / "donations.csv")
    x, t_x, n = (frame[c].to_numpy(float) for c in ("frequency", "recency", "periods"))
    assert_gradient(bgbb_log_likelihood, np.array(theta), x, t_x, n)
    long_x, long_tx = np.array([0.0, 3.0, 400.0]), np.array([0.0, 2000.0, 4900.0])
    assert_gradient(bgbb_log_likelihood, np.array(theta), long_x, long_tx, np.full(3, 5000.0))


@pytest.mark.parametrize("theta", [(6.25, 3.74, 15.44), (0.5, 1.2, 300.0)])
def test_gamma_gamma_gradient(theta: tuple[float, ...]) -> None:
    x = np.array([1.0, 2.0, 7.0, 350.0])
    m = np.array([12.5, 30.0, 4.2, 55.0])
    assert_gradient(gamma_gamma_log_likelihood, np.array(theta), x, m)


def classic_pareto_nbd(
    theta: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Textbook likelihood (Fader & Hardie 2005 note, eq. 19) and P(alive), for moderate x."""
    r, alpha, s, beta = theta
    m = r + s + x
    if alpha >= beta:
        big, b_upper, diff = alpha, s + 1, alpha - beta
    else:
        big, b_upper, diff = beta, r + x, beta - alpha
    a0 = (
        hyp2f1(m, b_upper, m + 1, diff / (big + t_x)) / (big + t_x) ** m
        - hyp2f1(m, b_upper, m + 1, diff / (big + T)) / (big + T) ** m
    )
    survive = (alpha + T) ** -(r + x) * (beta + T) ** -s
    bracket = survive + s / m * a0
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.log(bracket)
    return ll, survive / bracket


@pytest.mark.parametrize(
    "theta", [(0.553, 10.578, 0.606, 11.669), (0.553, 11.669, 0.606, 10.578), (1.0, 3.0, 2.0, 40.0)]
)
def test_pareto_nbd_stable_form_equals_the_textbook_form(
    theta: tuple[float, ...], cdnow: tuple[FloatArray, ...]
) -> None:
    th = np.array(theta)
    ll_classic, alive_classic = classic_pareto_nbd(th, *cdnow)
    np.testing.assert_allclose(pareto_nbd_log_likelihood(th, *cdnow)[0], ll_classic, rtol=1e-10)
    model = ParetoNBD()
    model.params_ = dict(zip(("r", "alpha", "s", "beta"), theta, strict=True))
    np.testing.assert_allclose(model.probability_alive(*cdnow), alive_classic, rtol=1e-9)


def test_bgnbd_conditional_expectation_equals_the_textbook_form(
    cdnow: tuple[FloatArray, ...],
) -> None:
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    model = BGNBD()
    model.params_ = {"r": r, "alpha": alpha, "a": a, "b": b}
    x, t_x, T = cdnow
    t = 39.0
    # FHL 2005, eq. 10, untransformed.
    top = (
        (a + b + x - 1)
        / (a - 1)
        * (
            1
            - ((alpha + T) / (alpha + T + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        )
    )
    bottom = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    np.testing.assert_allclose(model.expected_purchases(t, x, t_x, T), top / bottom, rtol=1e-9)


@pytest.mark.parametrize("model_class", [BGNBD, ParetoNBD])
def test_extreme_histories_stay_finite(model_class: type[BGNBD] | type[ParetoNBD]) -> None:
    model = model_class()
    names = model._param_names
    for theta in [(0.5, 10.0, 0.6, 12.0), (0.5, 1e-3, 0.6, 1e4), (20.0, 1e4, 0.01, 1e-3)]:
        model.params_ = dict(zip(names, theta, strict=True))
        loglik = bgnbd_log_likelihood if model_class is BGNBD else pareto_nbd_log_likelihood
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow, no invalid value, no division by 0
            ll, grad = loglik(np.array(theta), EXTREME_X, EXTREME_TX, EXTREME_T)
            alive = model.probability_alive(EXTREME_X, EXTREME_TX, EXTREME_T)
            expected = model.expected_purchases(365.0, EXTREME_X, EXTREME_TX, EXTREME_T)
        assert np.all(np.isfinite(ll)) and np.all(np.isfinite(grad))
        assert np.all((alive >= 0) & (alive <= 1))
        assert np.all(np.isfinite(expected)) and np.all(expected >= 0)


def test_fits_on_long_daily_histories_with_heavy_buyers() -> None:
    ages = np.random.default_rng(3).uniform(100, 5000, 3000)
    data = simulate_pareto_nbd(3000, 2.0, 20.0, 0.5, 2000.0, ages, seed=2)
    assert data["frequency"].max() > 300 and data["T"].max() > 4900
    for model_class in (BGNBD, ParetoNBD):
        model = model_class().fit(data["frequency"], data["recency"], data["T"])
        assert np.isfinite(model.log_likelihood_)
        alive = model.probability_alive(data["frequency"], data["recency"], data["T"])
        expected = model.expected_purchases(365, data["frequency"], data["recency"], data["T"])
        assert np.all((alive >= 0) & (alive <= 1)) and np.all(np.isfinite(expected))
        # A year ahead, the heaviest buyer (~0.1 purchases a day) is expected to buy dozens.
        assert expected.max() > 20


def test_bgbb_long_histories() -> None:
    theta = np.array([1.2, 0.75, 0.66, 2.8])
    ll, grad = bgbb_log_likelihood(
        theta, np.array([0.0, 400.0]), np.array([0.0, 4900.0]), np.full(2, 5000.0)
    )
    assert np.all(np.isfinite(ll)) and np.all(np.isfinite(grad))


def test_all_zero_frequency() -> None:
    zeros, ages = np.zeros(50), np.linspace(10, 50, 50)
    for model in (BGNBD(), ParetoNBD()):
        with pytest.raises(ValueError, match="no customer has a repeat purchase"):
            model.fit(zeros, zeros, ages)
    with pytest.raises(ValueError, match="no customer has a repeat purchase"):
        BGBB().fit(zeros, zeros, np.full(50, 6.0))
    with pytest.raises(ValueError, match="frequency > 0"):
        GammaGamma().fit(zeros, zeros)
    # The likelihood itself is fine there, and so are predictions for such customers.
    theta = np.array([0.243, 4.414, 0.793, 2.426])
    for loglik in (bgnbd_log_likelihood, pareto_nbd_log_likelihood):
        ll, grad = loglik(theta, zeros, zeros, ages)
        assert np.all(np.isfinite(ll)) and np.all(np.isfinite(grad))
    model = BGNBD()
    model.params_ = dict(zip(("r", "alpha", "a", "b"), theta, strict=True))
    np.testing.assert_array_equal(model.probability_alive(zeros, zeros, ages), 1.0)
    assert np.all(model.expected_purchases(10, zeros, zeros, ages) > 0)


def test_removable_singularities_are_continuous() -> None:
    """a = 1 (BG/NBD), s = 1 (Pareto/NBD) and gamma = 1 (BG/BB) are 0/0 in the closed forms."""
    x, t_x, T = np.array([0.0, 3.0]), np.array([0.0, 20.0]), np.array([30.0, 30.0])
    bg, pareto, bb = BGNBD(), ParetoNBD(), BGBB()
    values = []
    for shape in (1.0 - 1e-4, 1.0, 1.0 + 1e-4):
        bg.params_ = {"r": 0.3, "alpha": 5.0, "a": shape, "b": 2.0}
        pareto.params_ = {"r": 0.3, "alpha": 5.0, "s": shape, "beta": 8.0}
        bb.params_ = {"alpha": 1.2, "beta": 0.8, "gamma": shape, "delta": 2.5}
        values.append(
            np.concatenate(
                [
                    bg.expected_purchases(20, x, t_x, T),
                    [bg.expected_purchases_new_customer(20)],
                    pareto.expected_purchases(20, x, t_x, T),
                    [pareto.expected_purchases_new_customer(20)],
                    bb.expected_purchases(5, [0, 3], [0, 4], [6, 6]),
                    [bb.expected_purchases_new_customer(5)],
                ]
            )
        )
    below, at_one, above = values
    assert np.all(np.isfinite(at_one)) and np.all(at_one > 0)
    np.testing.assert_allclose(at_one, (below + above) / 2, rtol=1e-6)
    np.testing.assert_allclose(at_one, below, rtol=1e-3)


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([-1, 2], [0, 3], [5, 5], "frequency must be non-negative"),
        ([1.5, 2], [1, 3], [5, 5], "frequency must hold whole numbers"),
        ([1, 2], [6, 3], [5, 5], "recency must not exceed T"),
        ([1, 0], [1, 0], [5, -1], "T must be non-negative"),
        ([0, 2], [1, 3], [5, 5], "recency must be 0"),
        ([1, 2], [1, 3], [5, 5, 5], "mismatched lengths"),
        ([1, np.nan], [1, 3], [5, 5], "NaN"),
        ([], [], [], "empty"),
        (["a", "b"], [1, 3], [5, 5], "numeric"),
    ],
)
def test_invalid_inputs_raise_clear_errors(
    frequency: list[float], recency: list[float], T: list[float], message: str
) -> None:
    for model in (BGNBD(), ParetoNBD()):
        with pytest.raises(ValueError, match=message):
            model.fit(frequency, recency, T)


def test_invalid_weights_and_inputs_of_other_models() -> None:
    with pytest.raises(ValueError, match="weights has length"):
        BGNBD().fit([1, 2], [1, 2], [5, 5], weights=[1])
    with pytest.raises(ValueError, match="weights must be non-negative"):
        BGNBD().fit([1, 2], [1, 2], [5, 5], weights=[1, -1])
    with pytest.raises(ValueError, match="one-dimensional"):
        BGNBD().fit(pd.DataFrame({"a": [1]}), [1], [5])
    with pytest.raises(ValueError, match="monetary_value"):
        GammaGamma().fit([1, 2], [10.0, 0.0])
    model = BGNBD()
    model.params_ = {"r": 0.2, "alpha": 4.0, "a": 0.8, "b": 2.4}
    with pytest.raises(ValueError, match="t must be non-negative"):
        model.expected_purchases(-1, 1, 1, 5)
    with pytest.raises(ValueError, match="mismatched lengths"):
        model.probability_alive([1, 2, 3], [1, 2], [5, 5])


def _quad_psi(p: float, q: float, t: float, alpha: float, beta: float) -> FloatArray:
    """Reference for Psi(t; p, q) = int_t^inf (1 + u/alpha)^-(p+1) (1 + u/beta)^-(q+1) du (the
    scaled Phi of keepwise.models.clv._pareto_math): adaptive quadrature in
    y = log(min(alpha, beta) + u), scaled by the integrand's peak; returns log Psi and
    d log Psi / d(alpha, beta, p, q) as integrals of the integrand's partial derivatives."""
    c = min(alpha, beta)

    def log_f(y: float) -> float:
        u = np.exp(y) - c
        return float(y - (p + 1) * np.log1p(u / alpha) - (q + 1) * np.log1p(u / beta))

    y0 = np.log(c + t)
    grid = y0 + np.concatenate([np.linspace(0.0, 12.0, 241), np.linspace(12.5, 400.0, 200)])
    peak = max(log_f(y) for y in grid)

    def integral(factor: Callable[[float], float]) -> float:
        def g(y: float) -> float:
            return float(np.exp(log_f(y) - peak) * factor(np.exp(y) - c))

        return sum(
            quad(g, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]
            for lo, hi in itertools.pairwise(grid)
        )

    total = integral(lambda u: 1.0)
    return np.array(
        [
            np.log(total) + peak,
            (p + 1) / alpha * integral(lambda u: u / (alpha + u)) / total,
            (q + 1) / beta * integral(lambda u: u / (beta + u)) / total,
            -integral(lambda u: np.log1p(u / alpha)) / total,
            -integral(lambda u: np.log1p(u / beta)) / total,
        ]
    )


@pytest.mark.parametrize(
    ("p", "q", "t", "alpha", "beta"),
    [
        (0.83, -1 + 1.7e-7, 0.0, 69.1, 6e7),  # survival term at the Online Retail optimum
        (-0.17, 1.7e-7, 0.0, 69.1, 6e7),  # purchase term there (x = 0)
        (300.8, -0.4, 0.0, 2.0, 1e5),  # heavy buyer, beta >> alpha
        (300.8, -0.4, 0.0, 1e5, 2.0),  # heavy buyer, alpha >> beta: where SciPy's 2F1 broke down
        (1800.0, -0.54, 3.0, 4000.0, 0.5),
        (5.0, 3.0, 0.0, 1e4, 1e-3),
        (0.3, -0.5, 100.0, 40.0, 40.0 + 1e-9),  # alpha ~ beta
        (0.05, -0.9, 3000.0, 1e-3, 1e3),  # slowly decaying integrand (p + q + 1 = 0.15)
        (0.87, 2.56e8 - 1, 10.0, 75.9, 7.2e10),  # s, beta -> infinity (a constant drop-out rate)
        (-0.13, 2.56e8, 0.0, 75.9, 7.2e10),
    ],
)
def test_psi_quadrature_and_its_gradient_match_adaptive_quadrature(
    p: float, q: float, t: float, alpha: float, beta: float
) -> None:
    got = phi_gradient(np.array([p]), np.array([q]), np.array([t]), alpha, beta)
    values = np.array([got.log_phi[0], got.d_alpha[0], got.d_beta[0], got.d_p[0], got.d_q[0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quad's roundoff notes on the flat far tail
        expected = _quad_psi(p, q, t, alpha, beta)
    assert values[0] == pytest.approx(expected[0], abs=1e-11 * max(1.0, abs(expected[0])))
    np.testing.assert_allclose(values[1:], expected[1:], rtol=1e-9, atol=1e-300)
    assert log_phi(np.array([p]), np.array([q]), np.array([t]), alpha, beta)[0] == got.log_phi[0]


def test_bgnbd_expectation_survives_scipy_failures() -> None:
    # t >> alpha + T with an extreme b: SciPy's 2F1 is NaN here; quadrature takes over and
    # agrees with the closed form where both work.
    t, shape, rate = np.array([365.0, 39.0]), np.array([0.5, 2.243]), np.array([1.001, 43.27])
    value = alive_purchases(t, shape, rate, 0.6, np.array([1e4, 4.426]))
    assert np.all(np.isfinite(value)) and value[0] > 0
    model = BGNBD()
    model.params_ = {"r": 0.5, "alpha": 1e-3, "a": 0.6, "b": 1e4}
    # Nearly no drop-out and lambda ~ Gamma(0.5, 1.001): about shape * t / rate purchases.
    assert model.expected_purchases(365.0, 0, 0, 1.0) == pytest.approx(0.5 * 365 / 1.001, rel=0.05)
