"""Numerically stable building block of the Pareto/NBD likelihood.

Every Pareto/NBD quantity is made of the integral

    Phi(t; p, q) = int_t^inf (alpha+u)^-(p+1) (beta+u)^-(q+1) du,    p, q > -1, p+q+1 > 0.

With ``kappa = max(alpha, beta)``, ``zeta = |alpha-beta| / (kappa+t)`` and ``n = p+q+1`` the
substitution ``z = |alpha-beta|/(kappa+u)`` gives ``(kappa+t)^-n / n * 2F1(n, b; n+1; zeta)``
(``b = q+1`` if alpha >= beta else ``p+1``) -- the A0 terms of Fader & Hardie's note "A note on
deriving the Pareto/NBD model and related expressions" (2005), which take the 2F1 with the
larger of alpha and beta so that ``0 <= zeta < 1``. Euler's transformation
``2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)`` then gives

    Phi = (alpha+t)^-p (beta+t)^-q / (kappa+t) / n * F,   F = 2F1(1, B; n+1; zeta),

with ``B = p+1`` if alpha >= beta else ``q+1``. Because ``B < n+1``, ``1 <= F <= 1/(1-zeta)``:
F never overflows, however large the purchase count (the textbook form needs
``(alpha+t)^(r+s+x)``, which overflows near x = 300 on a daily time scale), and every power is
taken in log space. F is evaluated by :func:`._hyp2f1.log_hyp2f1_1b`: ``scipy.special.hyp2f1``
except for a large B with ``zeta`` near 1 (heavy buyers when alpha >> beta), where SciPy returns
NaN and an Euler-integral quadrature takes over.

Gradient. ``dPhi/dalpha = -(p+1) Phi(t; p+1, q)`` and ``dPhi/dbeta = -(q+1) Phi(t; p, q+1)``
are exact (two more 2F1 evaluations). The derivatives with respect to p and q need
``d log F / dB`` and ``d log F / dC`` -- derivatives of 2F1 with respect to its parameters, which
have no closed form (they are Kampe de Feriet functions). We take them by central differences
of ``log F`` with a step of 1e-5 times min(B, C-B): F is analytic in B and C and computed to
~1e-14, so the error is ~1e-9 or less, far below what the optimiser resolves (checked against
finite differences of the full likelihood in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keepwise.models.clv._hyp2f1 import log_hyp2f1_1b
from keepwise.models.clv._validation import FloatArray

_FD_STEP = 1e-5


@dataclass(frozen=True)
class PhiGradient:
    """``log Phi`` and its partial derivatives with respect to alpha, beta, p and q."""

    log_phi: FloatArray
    d_alpha: FloatArray
    d_beta: FloatArray
    d_p: FloatArray
    d_q: FloatArray


@dataclass(frozen=True)
class _Geometry:
    """``kappa + t``, ``zeta = |alpha - beta| / (kappa + t)`` and ``1 - zeta`` (computed as
    ``(min(alpha, beta) + t) / (kappa + t)``, which keeps its precision when zeta ~ 1)."""

    kappa_t: FloatArray
    zeta: FloatArray
    eps: FloatArray

    @classmethod
    def of(cls, t: FloatArray, alpha: float, beta: float) -> _Geometry:
        kappa_t = max(alpha, beta) + t
        return cls(kappa_t, abs(alpha - beta) / kappa_t, (min(alpha, beta) + t) / kappa_t)


def _upper(p: FloatArray, q: FloatArray, alpha_ge: bool) -> tuple[FloatArray, FloatArray]:
    """``B`` and ``D = C - B`` of ``F = 2F1(1, B; B+D; zeta)`` for Phi(t; p, q)."""
    return (p + 1.0, q + 1.0) if alpha_ge else (q + 1.0, p + 1.0)


def _log_f(b_upper: FloatArray, d: FloatArray, geo: _Geometry) -> FloatArray:
    return log_hyp2f1_1b(b_upper, d, geo.zeta, geo.eps)


def log_phi(p: FloatArray, q: FloatArray, t: FloatArray, alpha: float, beta: float) -> FloatArray:
    """``log Phi(t; p, q)`` (see the module docstring)."""
    geo = _Geometry.of(t, alpha, beta)
    b_upper, d = _upper(p, q, alpha >= beta)
    result: FloatArray = (
        -p * np.log(alpha + t)
        - q * np.log(beta + t)
        - np.log(geo.kappa_t)
        - np.log(p + q + 1.0)
        + _log_f(b_upper, d, geo)
    )
    return result


def phi_gradient(
    p: FloatArray, q: FloatArray, t: FloatArray, alpha: float, beta: float
) -> PhiGradient:
    """``log Phi`` with its derivatives; p, q, t are arrays, alpha and beta scalars."""
    alpha_ge = alpha >= beta
    geo = _Geometry.of(t, alpha, beta)
    log_alpha_t, log_beta_t = np.log(alpha + t), np.log(beta + t)
    n = p + q + 1.0
    b_upper, d = _upper(p, q, alpha_ge)
    log_f = _log_f(b_upper, d, geo)
    value = -p * log_alpha_t - q * log_beta_t - np.log(geo.kappa_t) - np.log(n) + log_f

    # Phi(p+1, q) / Phi(p, q) and Phi(p, q+1) / Phi(p, q): n -> n+1, and of (B, D) the one
    # that holds p (alpha >= beta: B) or q grows by one.
    shift = np.log(n / (n + 1.0)) - log_f
    f_p1 = _log_f(*_upper(p + 1.0, q, alpha_ge), geo)
    f_q1 = _log_f(*_upper(p, q + 1.0, alpha_ge), geo)
    d_alpha = -(p + 1.0) * np.exp(shift - log_alpha_t + f_p1)
    d_beta = -(q + 1.0) * np.exp(shift - log_beta_t + f_q1)

    # d/dC at fixed B moves D; d/dB at fixed C moves B and D in opposite directions. The step
    # is relative to the smaller of B and D, so both stay positive (log F scales with them).
    h = _FD_STEP * np.minimum(b_upper, d)
    d_c = (_log_f(b_upper, d + h, geo) - _log_f(b_upper, d - h, geo)) / (2.0 * h)
    d_b = (_log_f(b_upper + h, d - h, geo) - _log_f(b_upper - h, d + h, geo)) / (2.0 * h)
    common = d_c - 1.0 / n
    d_p = -log_alpha_t + common + (d_b if alpha_ge else 0.0)
    d_q = -log_beta_t + common + (0.0 if alpha_ge else d_b)
    return PhiGradient(value, d_alpha, d_beta, d_p, d_q)
