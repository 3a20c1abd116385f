"""BG/BB on the donations data of Fader, Hardie & Shang (2010), and its closed forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln

from keepwise.models.clv import BGBB
from keepwise.models.clv.bgbb import bgbb_log_likelihood

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return pd.read_csv(DATA / "donations.csv")


@pytest.fixture(scope="module")
def fitted(donations: pd.DataFrame) -> BGBB:
    return BGBB().fit(
        donations["frequency"], donations["recency"], donations["periods"], donations["weights"]
    )


def test_reproduces_fader_hardie_shang_2010(fitted: BGBB, donations: pd.DataFrame) -> None:
    published = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    for name, value in published.items():
        assert round(fitted.params_[name], 3) == pytest.approx(value, abs=1e-12), name
    assert fitted.n_obs_ == donations["weights"].sum() == 11104
    # FHS 2010 report LL = -33,225.6 for this fit.
    assert round(fitted.log_likelihood_, 1) == pytest.approx(-33225.6, abs=1e-9)


def test_weights_equal_expanded_rows(fitted: BGBB, donations: pd.DataFrame) -> None:
    rows = donations.loc[donations.index.repeat(donations["weights"])]
    expanded = BGBB().fit(rows["frequency"], rows["recency"], rows["periods"])
    for name, value in fitted.params_.items():
        assert expanded.params_[name] == pytest.approx(value, rel=1e-6)
    assert expanded.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-10)


def _brute_force_likelihood(theta: np.ndarray, x: float, t_x: float, n: float) -> float:
    """Sum over every possible death opportunity, term by term (FHS 2010, eq. 5)."""
    alpha, beta, gamma, delta = theta
    total = np.exp(
        betaln(alpha + x, beta + n - x)
        - betaln(alpha, beta)
        + betaln(gamma, delta + n)
        - betaln(gamma, delta)
    )
    for i in range(int(n - t_x)):
        total += np.exp(
            betaln(alpha + x, beta + t_x - x + i)
            - betaln(alpha, beta)
            + betaln(gamma + 1, delta + t_x + i)
            - betaln(gamma, delta)
        )
    return float(np.log(total))


def test_likelihood_matches_the_term_by_term_sum(donations: pd.DataFrame) -> None:
    theta = np.array([1.2, 0.75, 0.66, 2.8])
    x, t_x, n = (donations[c].to_numpy(float) for c in ("frequency", "recency", "periods"))
    ll, _ = bgbb_log_likelihood(theta, x, t_x, n)
    expected = [_brute_force_likelihood(theta, *row) for row in zip(x, t_x, n, strict=True)]
    np.testing.assert_allclose(ll, expected, rtol=1e-12)


def test_predictions_match_their_definitions(fitted: BGBB, donations: pd.DataFrame) -> None:
    alpha, beta, gamma, delta = (fitted.params_[k] for k in ("alpha", "beta", "gamma", "delta"))
    x, t_x, n = (donations[c].to_numpy(float) for c in ("frequency", "recency", "periods"))
    ll = bgbb_log_likelihood(np.array([alpha, beta, gamma, delta]), x, t_x, n)[0]
    buy = np.exp(betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta) - ll)
    alive_at = [np.exp(betaln(gamma, delta + n + i) - betaln(gamma, delta)) for i in range(6)]
    expected_5 = buy * sum(alive_at[1:6])
    got = fitted.expected_purchases(5, x, t_x, n)
    np.testing.assert_allclose(got, expected_5, rtol=1e-10)
    p_alive = np.exp(betaln(alpha + x, beta + n - x) - betaln(alpha, beta) - ll) * alive_at[0]
    np.testing.assert_allclose(fitted.probability_alive(x, t_x, n), p_alive, rtol=1e-10)
    # Somebody who gave at all six opportunities is certainly alive at the sixth.
    assert fitted.probability_alive(6, 6, 6) == pytest.approx(1.0)
    assert fitted.probability_alive(6, 6, 6, periods_ahead=1) < 1.0
    # The longer the silence after the last donation, the lower P(alive).
    silence = fitted.probability_alive([1, 1, 1, 1, 1, 1], [6, 5, 4, 3, 2, 1], 6)
    assert np.all(np.diff(silence) < 0)


def test_expected_purchases_new_customer_is_the_unconditional_mean(fitted: BGBB) -> None:
    alpha, beta, gamma, delta = (fitted.params_[k] for k in ("alpha", "beta", "gamma", "delta"))
    expected = (
        alpha
        / (alpha + beta)
        * sum(np.exp(betaln(gamma, delta + i) - betaln(gamma, delta)) for i in range(1, 7))
    )
    assert fitted.expected_purchases_new_customer(6) == pytest.approx(expected, rel=1e-10)
    assert fitted.expected_purchases_new_customer(0) == 0.0


def test_model_reproduces_the_mean_number_of_donations(
    fitted: BGBB, donations: pd.DataFrame
) -> None:
    observed = np.average(donations["frequency"], weights=donations["weights"])
    assert fitted.expected_purchases_new_customer(6) == pytest.approx(observed, rel=0.02)


def test_invalid_discrete_inputs_are_rejected() -> None:
    model = BGBB()
    with pytest.raises(ValueError, match="frequency must not exceed recency"):
        model.fit([3, 1], [2, 1], [6, 6])
    with pytest.raises(ValueError, match="recency must not exceed n_periods"):
        model.fit([1, 1], [7, 1], [6, 6])
    with pytest.raises(ValueError, match="whole numbers"):
        model.fit([1.5, 1], [2, 1], [6, 6])
    with pytest.raises(ValueError, match="recency must be 0"):
        model.fit([0, 1], [2, 1], [6, 6])
