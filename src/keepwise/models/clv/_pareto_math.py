"""The building block of the Pareto/NBD likelihood, by quadrature, with its exact gradient.

Every Pareto/NBD quantity is made of the integral

    Phi(t; p, q) = int_t^inf (alpha+u)^-(p+1) (beta+u)^-(q+1) du,    p+1 > 0, q+1 > 0,

here always in the scaled form ``Psi = alpha^(p+1) beta^(q+1) Phi``, the integral of
``(1 + u/alpha)^-(p+1) (1 + u/beta)^-(q+1)``. The scaling matters on the ridges of real data:
with s and beta both huge (a nearly constant drop-out rate s/beta) ``s log(beta)`` and
``-s log(beta + u)`` are each ~1e6 while their sum is O(1), and computing them apart left
rounding noise of ~1e-9 in the log-likelihood, enough to stall the optimiser; ``log1p(u/beta)``
has no such cancellation.

Its closed form is a Gaussian hypergeometric function, but the derivatives with respect to p and
q (which carry r and s) are not: finite differences of 2F1 in its parameters were the weak spot
of an earlier version (with a step scaled to s, the gradient in r became noise when s -> 0, the
corner where real retail data put the optimum, and L-BFGS-B's line search failed). Here Psi and
all four partial derivatives come from one quadrature, so the gradient is the exact derivative
of the computed value up to the quadrature error (~1e-13 relative, checked against adaptive
quadrature in the tests):

    d log Psi/dp = -E[log(1 + u/alpha)],     d log Psi/dalpha = (p+1)/alpha E[u/(alpha+u)],
    d log Psi/dq = -E[log(1 + u/beta)],      d log Psi/dbeta  = (q+1)/beta E[u/(beta+u)],

E the mean under the integrand.

Nodes. With ``c = min(alpha, beta)``, ``d = |alpha - beta|`` and ``y = log(c + u)``, one factor
of the integrand is ``e^y`` and the other ``d + e^y``, so it is ``exp(phi(y))`` up to a constant
with

    phi(y) = (1 - P) y - Q log(d + e^y),

``P`` the exponent of the factor without offset and ``Q`` of the other (``P = p+1, Q = q+1`` when
alpha <= beta). ``phi`` is concave (one peak, found in closed form) and analytic in the strip
|Im y| < pi, so composite 16-point Gauss-Legendre converges geometrically on panels no wider
than 4 and than 16 / |phi'| (an error below 1e-15 of the panel's mass). The range is cut where
``phi`` falls e^-38 below its peak (bisection on each monotone side). At the nodes the integrand
itself is evaluated from ``u = t + (c+t) expm1(y - y0)`` with ``log1p``, to full precision.

Tail. Beyond ``Y`` with ``d e^-Y <= 1e-3 / max(Q, 1)`` the integral of the unscaled integrand
is, with ``v = e^-y``, ``int_0^V v^(n-1) (1 + d v)^-Q dv`` (``n = p+q+1``, ``V = e^-Y``), summed
term by term from the binomial series (8 terms: exact to ~1e-24); its derivatives are the
series' derivatives in n and Q. Everything is in log space: no overflow for any purchase count
or time scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from keepwise.models.clv._validation import FloatArray

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)
_DROP = 38.0  # e^-38 ~ 3e-17: the integrand beyond the cut is below that share of its peak
_MAX_WIDTH = 4.0  # panels within the strip of analyticity (|Im y| < pi)
_SLOPE_WIDTH = 16.0  # |phi'| * width <= 16: Gauss-Legendre error below 1e-15 for exp(phi)
_TAIL_RATIO = 1e-3
_TAIL_TERMS = 8
_BISECTIONS = 20  # the cut only needs to be about right: it is rounded outwards


@dataclass(frozen=True)
class PhiGradient:
    """``log Psi`` (the scaled Phi) and its partial derivatives w.r.t. alpha, beta, p and q."""

    log_phi: FloatArray
    d_alpha: FloatArray
    d_beta: FloatArray
    d_p: FloatArray
    d_q: FloatArray


@dataclass(frozen=True)
class _Shape:
    """``phi(y) = one_minus_p * y - q_exp * logaddexp(log_d, y)`` on ``[y0, inf)``."""

    one_minus_p: FloatArray
    q_exp: FloatArray
    log_d: float
    y0: FloatArray

    def phi(self, y: FloatArray) -> FloatArray:
        result: FloatArray = self.one_minus_p * y - self.q_exp * np.logaddexp(self.log_d, y)
        return result

    def slope(self, y: FloatArray) -> FloatArray:
        result: FloatArray = self.one_minus_p - self.q_exp * expit(y - self.log_d)
        return result

    def rows(self, index: np.ndarray) -> _Shape:
        return _Shape(self.one_minus_p[index], self.q_exp[index], self.log_d, self.y0[index])


@dataclass
class _Moments:
    """Per row: log Psi and the integrand-weighted means of log(1 + u/alpha), log(1 + u/beta),
    u/(alpha+u) and u/(beta+u)."""

    log_value: FloatArray
    log_a: FloatArray
    log_b: FloatArray
    inv_a: FloatArray
    inv_b: FloatArray


def log_phi(p: FloatArray, q: FloatArray, t: FloatArray, alpha: float, beta: float) -> FloatArray:
    """``log Psi(t; p, q) = log Phi + (p+1) log alpha + (q+1) log beta``; p, q, t arrays,
    alpha and beta scalars."""
    return _integrate(p, q, t, alpha, beta, moments=False).log_value


def phi_gradient(
    p: FloatArray, q: FloatArray, t: FloatArray, alpha: float, beta: float
) -> PhiGradient:
    """``log Psi`` with its derivatives (see the module docstring)."""
    m = _integrate(p, q, t, alpha, beta, moments=True)
    return PhiGradient(
        m.log_value,
        (p + 1.0) / alpha * m.inv_a,
        (q + 1.0) / beta * m.inv_b,
        -m.log_a,
        -m.log_b,
    )


def _integrate(
    p: FloatArray, q: FloatArray, t: FloatArray, alpha: float, beta: float, *, moments: bool
) -> _Moments:
    p, q, t = (np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(p, q, t))
    alpha_is_c = alpha <= beta
    c, d = min(alpha, beta), abs(alpha - beta)
    p_exp, q_exp = (p + 1.0, q + 1.0) if alpha_is_c else (q + 1.0, p + 1.0)
    with np.errstate(divide="ignore"):
        log_d = float(np.log(d))  # -inf when alpha == beta: then phi(y) = -n y exactly
    shape = _Shape(1.0 - p_exp, q_exp, log_d, np.log(c + t))
    tail_start = np.maximum(shape.y0, log_d + np.log(np.maximum(q_exp, 1.0) / _TAIL_RATIO))
    body = _body(shape, tail_start, _Scaled(p + 1.0, q + 1.0, t, c + t, alpha, beta), moments)
    log_scale = (p + 1.0) * np.log(alpha) + (q + 1.0) * np.log(beta)
    tail = _tail(p + q + 1.0, q_exp, d, tail_start, alpha_is_c, moments)
    tail.log_value += log_scale
    log_value = np.logaddexp(body.log_value, tail.log_value)
    if not moments:
        return _Moments(log_value, *(np.zeros_like(log_value) for _ in range(4)))
    # The series gives the tail's means of log(alpha+u) and 1/(alpha+u): scale them.
    tail.log_a -= np.log(alpha)
    tail.log_b -= np.log(beta)
    tail.inv_a = 1.0 - alpha * tail.inv_a
    tail.inv_b = 1.0 - beta * tail.inv_b
    w_body, w_tail = np.exp(body.log_value - log_value), np.exp(tail.log_value - log_value)
    return _Moments(
        log_value,
        w_body * body.log_a + w_tail * tail.log_a,
        w_body * body.log_b + w_tail * tail.log_b,
        w_body * body.inv_a + w_tail * tail.inv_a,
        w_body * body.inv_b + w_tail * tail.inv_b,
    )


@dataclass(frozen=True)
class _Scaled:
    """What the scaled integrand needs: its exponents, the lower limit t and c + t."""

    a_exp: FloatArray  # exponent of (1 + u/alpha)
    b_exp: FloatArray  # exponent of (1 + u/beta)
    t: FloatArray
    c_t: FloatArray
    alpha: float
    beta: float

    def rows(self, index: np.ndarray) -> _Scaled:
        return _Scaled(self.a_exp[index], self.b_exp[index], self.t[index], self.c_t[index],
                       self.alpha, self.beta)  # fmt: skip


def _body(shape: _Shape, upper: FloatArray, scaled: _Scaled, moments: bool) -> _Moments:
    """Gauss-Legendre part on ``[y0, upper]`` (rows with an empty range get log 0)."""
    size = shape.y0.size
    out = _Moments(np.full(size, -np.inf), *(np.zeros(size) for _ in range(4)))
    todo = np.flatnonzero(upper > shape.y0)
    if todo.size == 0:
        return out
    sub, hi_bound = shape.rows(todo), upper[todo]
    low, high = _support(sub, hi_bound)
    steepest = np.maximum(np.abs(sub.slope(low)), np.abs(sub.slope(high)))  # phi' is monotone
    width = np.minimum(_MAX_WIDTH, _SLOPE_WIDTH / np.maximum(steepest, 1e-300))
    needed = np.maximum(np.ceil((high - low) / width), 1.0)
    # Rows grouped by panel count (rounded up to 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, ...: at
    # most 25 % extra) so one sharp row does not make every row pay for its resolution.
    octave = 2.0 ** np.floor(np.log2(needed))
    buckets = np.where(octave < 4, needed, octave * np.ceil(needed / octave * 4) / 4).astype(int)
    # Nodes are placed in z = y - y0 >= 0, where u - t = (c+t) expm1(z) keeps full precision.
    z_low, z_high = low - sub.y0, high - sub.y0
    rows_scaled = scaled.rows(todo)
    for n_panels in np.unique(buckets):
        rows = np.flatnonzero(buckets == n_panels)
        _gauss_legendre(rows_scaled.rows(rows), z_low[rows], z_high[rows], int(n_panels),
                        moments, out, todo[rows])  # fmt: skip
    return out


def _support(shape: _Shape, upper: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Where on ``[y0, upper]`` the integrand is within e^-_DROP of its peak."""
    y0 = shape.y0
    ratio = -shape.one_minus_p / shape.q_exp  # sigmoid(y - log d) at the peak: (1-P)/Q
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = (ratio < 0) & (ratio > -1)
        sigma = np.where(inside, -ratio, 0.5)
        stationary = np.where(inside, shape.log_d + np.log(sigma) - np.log1p(-sigma), -np.inf)
    peak = np.clip(stationary, y0, upper)
    floor = shape.phi(peak) - _DROP
    low, high = y0.copy(), upper.copy()
    right = shape.phi(upper) < floor
    if np.any(right):
        high[right] = _bisect(shape.rows(right), peak[right], upper[right], floor[right], True)
    left = shape.phi(y0) < floor
    if np.any(left):
        low[left] = _bisect(shape.rows(left), y0[left], peak[left], floor[left], False)
    return low, high


def _bisect(
    shape: _Shape, lo: FloatArray, hi: FloatArray, level: FloatArray, decreasing: bool
) -> FloatArray:
    """The crossing of ``phi = level`` in [lo, hi], rounded outwards (phi monotone there)."""
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        above = shape.phi(mid) >= level
        if decreasing:
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        else:
            lo, hi = np.where(above, lo, mid), np.where(above, mid, hi)
    return hi if decreasing else lo


def _gauss_legendre(
    scaled: _Scaled,
    low: FloatArray,
    high: FloatArray,
    n_panels: int,
    moments: bool,
    out: _Moments,
    target: np.ndarray,
) -> None:
    width = ((high - low) / n_panels)[:, None]
    starts = low[:, None] + width * np.arange(n_panels)[None, :]
    nodes = (starts[:, :, None] + width[:, :, None] * (_NODES + 1.0) / 2.0).reshape(low.size, -1)
    log_weights = np.log(np.tile(_WEIGHTS, n_panels) * 0.5)[None, :] + np.log(width)
    c_t = scaled.c_t[:, None]
    u = scaled.t[:, None] + c_t * np.expm1(nodes)
    log_a, log_b = np.log1p(u / scaled.alpha), np.log1p(u / scaled.beta)
    # du = (c+t) e^z dz
    log_terms = np.log(c_t) + nodes - scaled.a_exp[:, None] * log_a - scaled.b_exp[:, None] * log_b
    log_terms += log_weights
    peak = log_terms.max(axis=1)
    share = np.exp(log_terms - peak[:, None])
    mass = share.sum(axis=1)
    out.log_value[target] = peak + np.log(mass)
    if not moments:
        return
    share /= mass[:, None]
    out.log_a[target] = np.einsum("ij,ij->i", share, log_a)
    out.log_b[target] = np.einsum("ij,ij->i", share, log_b)
    out.inv_a[target] = np.einsum("ij,ij->i", share, u / (scaled.alpha + u))
    out.inv_b[target] = np.einsum("ij,ij->i", share, u / (scaled.beta + u))


def _tail(
    n: FloatArray, q_exp: FloatArray, d: float, start: FloatArray, alpha_is_c: bool, moments: bool
) -> _Moments:
    """``G(n, Q) = int_0^V v^(n-1) (1 + d v)^-Q dv``, ``V = e^-start``, and its moments.

    ``G = V^n S(n, Q)`` with ``S = sum_k binom(-Q, k) (dV)^k / (n+k)``; ``dG/dn`` and ``dG/dQ``
    give the log-moments, ``G(n+1, .)`` the inverse moments (see the module docstring).
    """
    rho = d * np.exp(-start)
    coef, d_coef, coef_up = np.ones_like(n), np.zeros_like(n), np.ones_like(n)
    s0, s_n, s_q, s1, s1_up = (np.zeros_like(n) for _ in range(5))
    power = np.ones_like(n)
    for k in range(_TAIL_TERMS):
        s0 += coef * power / (n + k)
        if moments:
            s_n -= coef * power / (n + k) ** 2
            s_q += d_coef * power / (n + k)
            s1 += coef * power / (n + 1.0 + k)
            s1_up += coef_up * power / (n + 1.0 + k)
        factor = -(q_exp + k) / (k + 1.0)  # binom(-Q, k+1) / binom(-Q, k)
        d_coef = d_coef * factor - coef / (k + 1.0)
        coef = coef * factor
        coef_up = coef_up * (-(q_exp + 1.0 + k) / (k + 1.0))
        power = power * rho
    log_value = -n * start + np.log(s0)
    if not moments:
        return _Moments(log_value, *(np.zeros_like(n) for _ in range(4)))
    d_log_n = -start + s_n / s0  # d log G / dn: the mean of log v = -log(c + u)
    d_log_q = s_q / s0  # d log G / dQ: minus the mean of log(1 + d v)
    plain, shifted = np.exp(-start) * s1 / s0, np.exp(-start) * s1_up / s0
    # log(c+u) = -log v; log(offset factor) = log(1 + d v) - log v; 1/(c+u) = v (G(n+1, Q));
    # 1/(offset factor) = v / (1 + d v) (G(n+1, Q+1)).
    log_c, log_offset = -d_log_n, -d_log_q - d_log_n
    if alpha_is_c:
        return _Moments(log_value, log_c, log_offset, plain, shifted)
    return _Moments(log_value, log_offset, log_c, shifted, plain)
