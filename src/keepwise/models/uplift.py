"""Did it work: the difference between two proportions (treated vs hold-out), its confidence
interval and p-value, and a verdict a manager can read.

* Interval: Newcombe's hybrid score interval (Newcombe 1998, method 10), built from the Wilson
  score interval of each proportion. It stays inside [-1, 1], behaves at 0 % and 100 %, and
  keeps close to its nominal coverage with the small hold-out groups playbooks have, where the
  normal (Wald) interval does not.
* P-value: the two-sided two-proportion z-test with the pooled proportion (the same as
  Pearson's chi-square test without continuity correction); when any expected count is below 5
  the normal approximation is poor and Fisher's exact test is used instead.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy import stats

#: An effect smaller than this (a difference of proportions) is not worth having: a
#: confidence interval inside ±MIN_EFFECT says "no effect" rather than "too few to tell".
MIN_EFFECT = 0.02

VERDICTS = ("worked", "harmful", "no_effect", "too_few", "no_holdout")


@dataclass(frozen=True)
class Uplift:
    """Treated ``x1`` of ``n1`` against hold-out ``x0`` of ``n0``."""

    n1: int
    x1: int
    n0: int
    x0: int
    rate1: float | None
    rate0: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str | None
    verdict: str

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"significant": self.significant}


def wilson(x: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for the proportion ``x / n`` (n > 0)."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(x1: int, n1: int, x0: int, n0: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``x1/n1 - x0/n0`` (both n > 0)."""
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson(x1, n1, confidence)
    l0, u0 = wilson(x0, n0, confidence)
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return low, high


def two_proportion_test(x1: int, n1: int, x0: int, n0: int) -> tuple[float, str]:
    """Two-sided p-value that the proportions differ, and the test used."""
    pooled = (x1 + x0) / (n1 + n0)
    expected = (n1 * pooled, n1 * (1 - pooled), n0 * pooled, n0 * (1 - pooled))
    if min(expected) < 5:
        table = [[x1, n1 - x1], [x0, n0 - x0]]
        return float(stats.fisher_exact(table, alternative="two-sided").pvalue), "fisher_exact"
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    z = (x1 / n1 - x0 / n0) / se
    return float(2 * stats.norm.sf(abs(z))), "z_pooled"


def verdict(difference: float, low: float, high: float, min_effect: float = MIN_EFFECT) -> str:
    """``worked`` (the interval is above 0), ``harmful`` (below 0), ``no_effect`` (it holds 0
    and lies within ±``min_effect``), else ``too_few``: the interval is wider than the effect
    on either side of 0, so there are too few customers to tell."""
    if low > 0:
        return "worked"
    if high < 0:
        return "harmful"
    if -min_effect < low and high < min_effect:
        return "no_effect"
    return "too_few"


def uplift(x1: int, n1: int, x0: int, n0: int, confidence: float = 0.95) -> Uplift:
    """The difference of the treated and hold-out rates with its interval, p-value and
    verdict; ``no_holdout`` when either group is empty."""
    rate1 = x1 / n1 if n1 else None
    rate0 = x0 / n0 if n0 else None
    if not n1 or not n0:
        return Uplift(n1, x1, n0, x0, rate1, rate0, None, None, None, None, None, "no_holdout")
    low, high = newcombe(x1, n1, x0, n0, confidence)
    p, test = two_proportion_test(x1, n1, x0, n0)
    d = x1 / n1 - x0 / n0
    return Uplift(n1, x1, n0, x0, rate1, rate0, d, low, high, p, test, verdict(d, low, high))
