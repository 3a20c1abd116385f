"""Small numerical helpers shared by the customer-value models."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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
