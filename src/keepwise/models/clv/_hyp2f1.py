"""``log 2F1(1, B; B+D; z)`` for 0 <= z < 1, B > 0, D > 0, robust where SciPy's is not.

``scipy.special.hyp2f1`` is fast and accurate for most arguments, but for a large ``B`` (> ~50)
with ``1 - z`` small it returns NaN or loses accuracy (its transformation to ``1 - z`` mixes
Gamma functions of huge arguments). In the Pareto/NBD that is a heavy buyer (``B ~ x``) under
parameters with alpha >> beta -- a corner the optimiser can walk into. There we use Euler's
integral instead: with ``W = 1 - t ~ Beta(D, B)`` and ``V = W / (1 - W)``,

    2F1(1, B; B+D; z) = E[1 / (1 - z t)]
                      = 1/B(D, B) * int_0^inf V^(D-1) (1+V)^(1-D-B) / (eps + V) dV,  eps = 1-z.

In ``y = log V`` the integrand is analytic in the strip |Im y| < pi and decays like e^(-B y) on
the right, so composite 16-point Gauss-Legendre on panels narrower than the peak converges
geometrically; the slowly decaying left tail (``V^(D-1) / eps`` as V -> 0) is integrated term
by term from the binomial series of ``(1+V)^(-(B+D-1)) / (1 + V/eps)``, exact to ~1e-18 below
``V_L = 1e-3 min(eps, 1/(B+D))``. The result agrees with adaptive quadrature to ~1e-13 and
with SciPy, where SciPy is reliable, to ~1e-11 (tests/models/test_clv_robustness.py).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, hyp2f1, logsumexp

from keepwise.models.clv._validation import FloatArray

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)
_TAIL_TERMS = 8
_DROP = 45.0  # the integrand beyond the right bound is below e^-45 of its peak


def log_hyp2f1_1b(b_upper: FloatArray, d: FloatArray, z: FloatArray, eps: FloatArray) -> FloatArray:
    """``log 2F1(1, B; B+D; z)`` with ``eps = 1 - z`` given separately (it is known to full
    precision when z ~ 1): SciPy where reliable, the integral elsewhere."""
    b_upper, d, z, eps = np.broadcast_arrays(b_upper, d, z, eps)
    with np.errstate(all="ignore"):
        value = hyp2f1(1.0, b_upper, b_upper + d, z)
    # SciPy's trouble zone (mapped over B, D in [0.01, 2e4], eps in [1e-12, 1]): NaN for
    # B > 50, D < 100, eps < 0.1; errors up to 1e-5 from B ~ 10 when eps < 1e-8. We switch
    # wider than that, staying where the integral is valid (B > 10: fast right tail).
    risky = (b_upper > 10.0) & (d < 200.0) & (eps < 0.2)
    # The integral needs B, D > 0 (the Pareto/NBD's are; finite differences stay inside).
    use_integral = (risky | ~np.isfinite(value)) & (b_upper > 0) & (d > 0)
    result = np.log(np.where(use_integral, 1.0, value))
    if np.any(use_integral):
        result[use_integral] = _log_integral(
            b_upper[use_integral], d[use_integral], eps[use_integral]
        )
    return result


def _log_integrand(
    y: FloatArray, b_upper: FloatArray, d: FloatArray, eps: FloatArray
) -> FloatArray:
    result: FloatArray = (
        d * y + (1.0 - d - b_upper) * np.logaddexp(0.0, y) - np.logaddexp(np.log(eps), y)
    )
    return result


def _log_integral(b_upper: FloatArray, d: FloatArray, eps: FloatArray) -> FloatArray:
    b_upper, d, eps = (np.asarray(a, dtype=np.float64)[:, None] for a in (b_upper, d, eps))
    v_left = 1e-3 * np.minimum(eps, 1.0 / (b_upper + d))
    y_low, y_high = _support(np.log(v_left), b_upper, d, eps)
    # Near its peak the integrand is ~Gaussian in y with sd sqrt((B+D)/(B D)) (the log of a
    # beta-prime variable): panels of 1.5 sd (at most 2) keep 16 nodes ample for 1e-13.
    width = np.minimum(2.0, 1.5 * np.sqrt((b_upper + d) / (b_upper * d)))
    # Rows are grouped by panel count (powers of two) so one sharp row does not make every
    # row pay for its resolution.
    needed = np.ceil((y_high - y_low) / width)[:, 0]
    buckets = 2 ** np.ceil(np.log2(np.maximum(needed, 1))).astype(int)
    log_main = np.empty(needed.shape)
    for n_panels in np.unique(buckets):
        rows = buckets == n_panels
        log_main[rows] = _gauss_legendre(
            y_low[rows], y_high[rows], int(n_panels), b_upper[rows], d[rows], eps[rows]
        )
    log_tail = _log_left_tail(v_left[:, 0], b_upper[:, 0], d[:, 0], eps[:, 0])
    result: FloatArray = np.logaddexp(log_main, log_tail) - betaln(d[:, 0], b_upper[:, 0])
    return result


def _gauss_legendre(
    y_low: FloatArray,
    y_high: FloatArray,
    n_panels: int,
    b_upper: FloatArray,
    d: FloatArray,
    eps: FloatArray,
) -> FloatArray:
    """``log`` of the composite 16-point Gauss-Legendre integral over [y_low, y_high]."""
    width = (y_high - y_low) / n_panels
    starts = y_low + width * np.arange(n_panels)[None, :]
    nodes = starts[:, :, None] + width[:, :, None] * (_NODES + 1.0) / 2.0
    nodes = nodes.reshape(y_low.shape[0], -1)
    log_weights = np.log(np.tile(_WEIGHTS, n_panels) * 0.5)[None, :] + np.log(width)
    result: FloatArray = logsumexp(log_weights + _log_integrand(nodes, b_upper, d, eps), axis=1)
    return result


def _support(
    y_left: FloatArray, b_upper: FloatArray, d: FloatArray, eps: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Where, right of ``y_left``, the integrand is within e^-45 of its peak (coarse scan)."""
    grid = y_left + np.linspace(0.0, 1.0, 256)[None, :] * (np.log(1e4) - y_left)
    log_f = _log_integrand(grid, b_upper, d, eps)
    above = log_f >= log_f.max(axis=1, keepdims=True) - _DROP
    rows = np.arange(grid.shape[0])
    first = np.maximum(np.argmax(above, axis=1) - 1, 0)
    last = np.minimum(grid.shape[1] - 1 - np.argmax(above[:, ::-1], axis=1) + 1, grid.shape[1] - 1)
    return grid[rows, first][:, None], grid[rows, last][:, None]


def _log_left_tail(
    v_left: FloatArray, b_upper: FloatArray, d: FloatArray, eps: FloatArray
) -> FloatArray:
    """``log int_0^V_L V^(D-1) (1+V)^(-a) / (eps+V) dV``, a = B+D-1, term by term."""
    a = b_upper + d - 1.0
    binom = [np.ones_like(a)]  # binom(-a, i) V_L^i
    geometric = [np.ones_like(a)]  # (-V_L/eps)^j
    for i in range(1, _TAIL_TERMS):
        binom.append(binom[-1] * (-(a + i - 1.0) / i) * v_left)
        geometric.append(geometric[-1] * (-v_left / eps))
    series = np.zeros_like(a)
    for k in range(_TAIL_TERMS):
        coefficient = sum(binom[i] * geometric[k - i] for i in range(k + 1))
        series = series + coefficient / (d + k)
    result: FloatArray = d * np.log(v_left) - np.log(eps) + np.log(series)
    return result
