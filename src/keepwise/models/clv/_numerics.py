"""Small numerical helpers shared by the customer-value models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import digamma, gammaln

from keepwise.models.clv._validation import FloatArray

_SINGULAR_EPS = 1e-6


def removable_at_one(func: Callable[[float], FloatArray], value: float) -> FloatArray:
    """Evaluate ``func(value)`` where ``func`` has a removable singularity at ``value == 1``.

    Closed forms such as ``(a+b+x-1)/(a-1) * [1 - ...]`` (BG/NBD) are 0/0 at ``a = 1``. Within
    ``1e-6`` of the singularity we interpolate linearly between ``func(1 -+ 1e-6)``: the
    truncation error is O(1e-12) and the cancellation error O(1e-16 / 1e-6) = O(1e-10).
    """
    if abs(value - 1.0) >= _SINGULAR_EPS:
        return func(value)
    lo, hi = 1.0 - _SINGULAR_EPS, 1.0 + _SINGULAR_EPS
    f_lo, f_hi = func(lo), func(hi)
    result: FloatArray = f_lo + (value - lo) / (hi - lo) * (f_hi - f_lo)
    return result


def one_minus_ratio_power_over(u: FloatArray, e: float) -> FloatArray:
    """``(1 - exp(-e*u)) / e`` with its limit ``u`` at ``e = 0``, accurate for every ``e``."""
    if e == 0.0:
        return u.copy()
    result: FloatArray = -np.expm1(-e * u) / e
    return result


# Stirling series of log Gamma(z) - [(z - 1/2) log z - z + log(2 pi)/2]: 1/(12 z) - 1/(360 z^3)
# + ...; from z = 15 on, five terms leave an error below 2.2e-16 (the next is 691/(360360 z^11)).
_STIRLING = (1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0, 1.0 / 1188.0)
_STIRLING_FROM = 15.0


def _stirling_rest(z: FloatArray) -> FloatArray:
    inv = 1.0 / z
    sq = inv * inv
    series: FloatArray = np.full_like(z, _STIRLING[-1])
    for coefficient in _STIRLING[-2::-1]:
        series = coefficient + sq * series
    result: FloatArray = inv * series
    return result


def log_rising(z: FloatArray, x: FloatArray) -> FloatArray:
    """``log Gamma(z + x) - log Gamma(z)`` (the log of the rising factorial), accurate when z is
    huge.

    On the flat ridges of the likelihoods (BG/NBD's a, b -> infinity with a/b fixed: a constant
    drop-out probability) the two log Gammas are ~1e7 each and their difference O(1): taken
    apart, rounding leaves noise of ~1e-9, enough to stall a line search. For z >= 15 the
    difference is assembled from ``(z - 1/2) log1p(x/z) + x log(z + x) - x`` and the difference
    of the Stirling remainders, with no cancellation.
    """
    z, x = np.broadcast_arrays(np.asarray(z, dtype=np.float64), np.asarray(x, dtype=np.float64))
    big = z >= _STIRLING_FROM
    z_big, x_big = np.where(big, z, _STIRLING_FROM), np.where(big, x, 0.0)
    stirling = (
        (z_big - 0.5) * np.log1p(x_big / z_big)
        + x_big * np.log(z_big + x_big)
        - x_big
        + (_stirling_rest(z_big + x_big) - _stirling_rest(z_big))
    )
    result: FloatArray = np.where(big, stirling, gammaln(z + x) - gammaln(z))
    return result


# Asymptotic series of digamma(z) - log z + 1/(2z): -1/(12 z^2) + 1/(120 z^4) - ...; from
# z = 15 on, five terms leave an error below 1.6e-16 (the next is 691/(32760 z^12)).
_DIGAMMA = (-1.0 / 12.0, 1.0 / 120.0, -1.0 / 252.0, 1.0 / 240.0, -1.0 / 132.0)


def _digamma_rest(z: FloatArray) -> FloatArray:
    sq = 1.0 / (z * z)
    series: FloatArray = np.full_like(z, _DIGAMMA[-1])
    for coefficient in _DIGAMMA[-2::-1]:
        series = coefficient + sq * series
    result: FloatArray = sq * series
    return result


def digamma_rising(z: FloatArray, x: FloatArray) -> FloatArray:
    """``digamma(z + x) - digamma(z)``, the derivative of :func:`log_rising` in z, accurate
    when z is huge (the two digammas are ~log z; their difference ~x/z would otherwise keep
    only an absolute accuracy of ~1e-15, which numeric Hessians amplify)."""
    z, x = np.broadcast_arrays(np.asarray(z, dtype=np.float64), np.asarray(x, dtype=np.float64))
    big = z >= _STIRLING_FROM
    z_big, x_big = np.where(big, z, _STIRLING_FROM), np.where(big, x, 0.0)
    asymptotic = (
        np.log1p(x_big / z_big)
        + x_big / (2.0 * z_big * (z_big + x_big))
        + (_digamma_rest(z_big + x_big) - _digamma_rest(z_big))
    )
    result: FloatArray = np.where(big, asymptotic, digamma(z + x) - digamma(z))
    return result
