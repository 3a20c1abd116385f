"""The statistics of "did it work", against values computed by hand and published ones."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from keepwise.models.uplift import newcombe, two_proportion_test, uplift, verdict, wilson

# Newcombe (1998), "Interval estimation for the difference between independent proportions",
# Statistics in Medicine 17: 873-890, the examples of Table II under method 10 (the hybrid
# score interval): x1/n1 − x0/n0 and the interval to four decimals.
NEWCOMBE = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE)
def test_newcombe_interval_matches_the_published_examples(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    low, high = newcombe(*counts)
    assert (round(low, 4), round(high, 4)) == expected


def test_newcombe_interval_by_hand() -> None:
    """6/7 − 2/7, step by step (z = 1.959964): Wilson 6/7 = [0.486872, 0.974320], Wilson 2/7 =
    [0.082219, 0.641066]; low = 4/7 − √((6/7 − 0.486872)² + (0.641066 − 2/7)²) = 0.058228,
    high = 4/7 + √((0.974320 − 6/7)² + (2/7 − 0.082219)²) = 0.806250."""
    assert wilson(6, 7) == pytest.approx((0.486872, 0.974320), abs=2e-6)
    assert wilson(2, 7) == pytest.approx((0.082219, 0.641066), abs=2e-6)
    assert newcombe(6, 7, 2, 7) == pytest.approx((0.058228, 0.806250), abs=2e-6)


def test_two_proportion_z_test_by_hand() -> None:
    """56/70 against 48/80: pooled p = 104/150, SE = √(p(1−p)(1/70 + 1/80)) = 0.0754664,
    z = 0.2 / SE = 2.65018, two-sided p = 2(1 − Φ(z)) = 0.008045 — the chi-square test of the
    2×2 table without continuity correction gives the same."""
    p, test = two_proportion_test(56, 70, 48, 80)
    pooled = 104 / 150
    z = 0.2 / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    assert z == pytest.approx(2.65018, abs=1e-5)
    assert test == "z_pooled" and p == pytest.approx(0.008045, abs=1e-6)
    chi2 = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert p == pytest.approx(chi2.pvalue, rel=1e-9)


def test_small_groups_use_fishers_exact_test() -> None:
    """8/10 against 2/5: an expected count of 5 × 1/3 < 5. The hypergeometric probabilities of
    8 successes among the 10 treated (10 successes, 15 targets) are 252, 1050, 1200, 450, 50
    and 1 in 3003 for 5…10; two-sided p = (252 + 450 + 50 + 1) / 3003."""
    p, test = two_proportion_test(8, 10, 2, 5)
    assert test == "fisher_exact"
    assert p == pytest.approx(753 / 3003, abs=1e-12)


@pytest.mark.parametrize(
    ("d", "low", "high", "code"),
    [
        (0.2, 0.05, 0.33, "worked"),
        (-0.2, -0.33, -0.05, "harmful"),
        (0.002, -0.015, 0.019, "no_effect"),
        (0.05, -0.02, 0.12, "too_few"),
        (0.0, -0.03, 0.03, "too_few"),
    ],
)
def test_verdicts(d: float, low: float, high: float, code: str) -> None:
    assert verdict(d, low, high) == code


def test_uplift_with_an_empty_group_cannot_tell() -> None:
    u = uplift(3, 10, 0, 0)
    assert u.verdict == "no_holdout" and u.difference is None and u.rate1 == 0.3
    assert not u.significant
