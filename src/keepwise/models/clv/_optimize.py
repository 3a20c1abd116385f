"""Optimisation helpers: the log-parameter objective, L-BFGS-B runs and numeric Hessians."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.linalg import cho_solve
from scipy.optimize import OptimizeResult, minimize

from keepwise.models.clv._validation import FloatArray

Objective = Callable[[FloatArray], tuple[float, FloatArray]]
LogLikFunction = Callable[[FloatArray, Any], tuple[FloatArray, FloatArray]]

# Bounds on log-parameters: exp(+-25) spans 1e-11 .. 7e10, far beyond any sensible time unit.
# An optimum on this edge means the likelihood is maximised at 0 or infinity (not identified).
LOG_BOUND = 25.0
BARRIER = 1e30  # objective value reported where the likelihood is not finite
STEP_TOL = 1e-6  # see newton_polish()
_RESTARTS = 5
# A direction of the log-parameters is *flat* when the curvature of the mean objective along it
# is, in absolute value, below FLAT_CURVATURE times the largest curvature (at least 1), or below
# FLAT_INFORMATION / n_obs: a standard error of more than 10 in the log-parameters (a factor
# e^10 ~ 22,000), i.e. a direction the data do not pin down. See flat_newton().
FLAT_CURVATURE = 1e-8
FLAT_INFORMATION = 1e-2
# Largest slope allowed along a flat direction (or out of the bounds): FLAT_GRADIENT times
# max(1, |f|), or a change of FLAT_LOGLIK in the total log-likelihood per unit of log-parameter.
FLAT_GRADIENT = 1e-10
FLAT_LOGLIK = 1e-4
DECREASE_TOL = 1e-12  # a Newton step promising less than this (times max(1, |f|)) is done
_HESSIAN_STEP = 1e-5


def mean_objective(
    loglik: LogLikFunction, prepared: Any, weights: FloatArray, penalizer: float
) -> Objective:
    """Mean penalised negative log-likelihood of ``u = log(theta)`` and its gradient.

    The mean (not the sum) keeps gradients O(1) whatever the sample size, so one tolerance
    fits all data sets; ``d/du = theta * d/dtheta`` by the chain rule.
    """
    total = float(weights.sum())

    def objective(u: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(u)
        with np.errstate(all="ignore"):  # non-finite results are handled just below
            ll, grad = loglik(theta, prepared)
            value = -float(weights @ ll) / total + penalizer * float(theta @ theta)
            g_u = (-(weights @ grad) / total + 2.0 * penalizer * theta) * theta
        if not (np.isfinite(value) and np.all(np.isfinite(g_u))):
            # A trial point where the likelihood cannot be evaluated (a line search reaching
            # absurd parameters such as 1e10). A huge finite value makes the line search
            # backtrack; inf would make L-BFGS-B stop and report success, NaN would abort it.
            return BARRIER, np.zeros_like(u)
        return value, g_u

    return objective


def converged(res: OptimizeResult, tol: float) -> bool:
    """Whether a result is a trustworthy optimum, whatever the optimiser's own verdict.

    L-BFGS-B also reports success when the objective stops decreasing (``ftol``), e.g. after a
    line search met the barrier, so only a small gradient (or a certificate from
    :func:`newton_polish`) counts.
    """
    finite = bool(np.isfinite(res.fun) and np.all(np.isfinite(res.jac)))
    if not finite or res.fun >= BARRIER or res.status == 1:  # status 1: iteration limit
        return False
    return bool(np.max(np.abs(res.jac)) <= tol or res.get("certified", False))


def run_lbfgsb(objective: Objective, x0: FloatArray, tol: float, max_iter: int) -> OptimizeResult:
    """L-BFGS-B on the log-parameters with the analytic gradient, restarted if it stops early.

    ``ftol`` is tiny on purpose: stopping on a small relative decrease of the objective would
    leave weakly identified parameters (e.g. the Pareto/NBD beta) short of the optimum; the
    gradient test (``gtol``) decides. A run that stops without a small gradient (its memory
    spoilt by a wild step) is restarted from where it stopped, while that still makes progress.
    """
    bounds = [(-LOG_BOUND, LOG_BOUND)] * x0.size
    res: OptimizeResult | None = None
    used = 0
    for _ in range(_RESTARTS + 1):
        start = x0 if res is None else res.x
        options = {"maxiter": max_iter - used, "gtol": tol, "ftol": 1e-15}
        again = minimize(
            objective, start, jac=True, method="L-BFGS-B", bounds=bounds, options=options
        )
        used += int(again.nit)
        progress = res is None or again.fun < res.fun
        res = again
        if converged(res, tol) or res.status == 1 or used >= max_iter or not progress:
            break
    assert res is not None
    res.nit = used
    return res


def newton_polish(
    objective: Objective, x0: FloatArray, chol: FloatArray, tol: float, max_steps: int = 12
) -> OptimizeResult | None:
    """Newton steps with a fixed Hessian approximation ``L L^T`` (lower Cholesky ``chol``).

    Two uses: polishing a subsample's optimum on the full data, where it converges linearly at
    a fast rate (one evaluation per step) while L-BFGS-B would re-learn the curvature; and
    certifying an L-BFGS-B run that stopped on a flat objective with the gradient above
    ``tol``. When the mean negative log-likelihood is large (heavy buyers), its rounding error
    hides decreases below ~1e-14 |f|, so the reachable gradient scales with |f| and the
    curvature. The scale-free test is the Newton step itself: done when the largest component
    of the gradient is <= tol or the step would move no log-parameter by more than
    ``STEP_TOL`` (a relative change of 1e-6 in every parameter). Returns None when a step fails
    to decrease the objective or the budget runs out.
    """
    u = x0.copy()
    value, grad = objective(u)
    for step_count in range(max_steps + 1):
        step = cho_solve((chol, True), grad)
        if np.max(np.abs(grad)) <= tol or np.max(np.abs(step)) <= STEP_TOL:
            return OptimizeResult(
                x=u, fun=value, jac=grad, success=True, status=0, nit=step_count,
                message="Newton step below tolerance", certified=True,
            )  # fmt: skip
        trial = u - step
        new_value, new_grad = objective(trial)
        # allow rounding-level increases: near the optimum f is flat to ~1e-16 relative
        if not (new_value < BARRIER and new_value <= value + 1e-12 * abs(value)):
            return None
        u, value, grad = trial, new_value, new_grad
    return None


@dataclass(frozen=True)
class Curvature:
    """Eigen-decomposition of a Hessian split into identified and flat directions."""

    values: FloatArray
    vectors: FloatArray
    flat: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, hessian: FloatArray, n_obs: float) -> Curvature | None:
        """Split the Hessian of the *mean* objective (``n_obs`` observations); None when it is
        not finite or has a clearly negative curvature (a saddle)."""
        if not np.all(np.isfinite(hessian)):
            return None
        values, vectors = np.linalg.eigh(0.5 * (hessian + hessian.T))
        floor = max(FLAT_CURVATURE * max(float(values.max()), 1.0), FLAT_INFORMATION / n_obs)
        if values.min() < -floor:
            return None
        return cls(values, vectors, values <= floor)

    def newton_step(self, grad: FloatArray) -> FloatArray:
        """The Newton step restricted to the identified directions."""
        keep = ~self.flat
        v = self.vectors[:, keep]
        result: FloatArray = v @ ((v.T @ grad) / self.values[keep])
        return result

    def flat_slope(self, grad: FloatArray) -> float:
        """The largest slope of the objective along a flat direction (0 without any)."""
        if not self.flat.any():
            return 0.0
        return float(np.max(np.abs(self.vectors[:, self.flat].T @ grad)))

    def pseudo_inverse(self) -> FloatArray:
        """Inverse on the identified directions, zero on the flat ones."""
        keep = ~self.flat
        v = self.vectors[:, keep]
        result: FloatArray = (v / self.values[keep]) @ v.T
        return result

    def flat_loadings(self) -> FloatArray:
        """Per coordinate: the squared length of its projection on the flat directions."""
        result: FloatArray = np.sum(self.vectors[:, self.flat] ** 2, axis=1)
        return result


def flat_newton(
    objective: Objective, x0: FloatArray, n_obs: float, max_steps: int
) -> OptimizeResult | None:
    """Certify (and polish) an optimum whose objective may be flat in some directions.

    On real data the maximum of a BTYD likelihood can lie at the edge of the parameter space
    (Pareto/NBD on a retail log: no visible drop-out, s -> 0 and beta -> infinity along a
    ridge where the likelihood no longer changes). L-BFGS-B then stops on the plateau without a
    small gradient, and a plain Newton step is undefined (singular Hessian). Here the Hessian
    of the log-parameters (central differences of the analytic gradient) is split into
    identified and flat directions (:class:`Curvature`). Newton steps in the identified
    directions (with backtracking, parameters kept inside the bounds; those on a bound and
    pulling outward held there) continue until the step is below ``STEP_TOL`` or promises less
    than f can resolve; the point is certified when, in addition, the slope along every flat
    direction and out of the bounds is negligible (``FLAT_GRADIENT``, ``FLAT_LOGLIK``: nothing
    to gain there however far one moves). Returns None when the Hessian shows a saddle, a step
    cannot decrease the objective, or the budget runs out.
    """
    u = np.clip(x0, -LOG_BOUND, LOG_BOUND)
    value, grad = objective(u)
    curvature: Curvature | None = None
    free = np.ones(u.size, dtype=bool)
    for step_count in range(max_steps + 1):
        flat_tol = max(FLAT_GRADIENT * max(1.0, abs(value)), FLAT_LOGLIK / n_obs)
        pinned = _pinned(u, grad)
        if curvature is None or step_count % 4 == 0 or not np.array_equal(~pinned, free):
            free = ~pinned  # refreshed every 4 steps: on a ridge the curvature moves
            curvature = Curvature.of(
                central_hessian(lambda w: objective(w)[1], u, free)[np.ix_(free, free)], n_obs
            )
            if curvature is None:
                return None
        step = np.zeros_like(u)
        step[free] = curvature.newton_step(grad[free])
        # Converged in the identified directions: a Newton step below STEP_TOL, or one whose
        # predicted gain is below what f can resolve (a weakly curved direction at the
        # rounding floor of f, where backtracking cannot verify any progress).
        small = np.max(np.abs(step)) <= STEP_TOL or 0.5 * float(grad @ step) <= DECREASE_TOL * max(
            1.0, abs(value)
        )
        # A parameter pinned on a bound must not pull further out (once the others have
        # adjusted): otherwise keep stepping, and fail if that stops helping.
        outward = np.any(pinned & (np.abs(grad) > flat_tol))
        if small and not outward and curvature.flat_slope(grad[free]) <= flat_tol:
            flat = int(curvature.flat.sum() + pinned.sum())
            return OptimizeResult(
                x=u, fun=value, jac=grad, success=True, status=0, nit=step_count,
                message=f"Newton step below tolerance ({flat} flat directions)", certified=True,
            )  # fmt: skip
        if step_count == max_steps:
            return None
        moved = _backtrack(objective, u, value, step)
        if moved is None:
            return None
        u, value, grad = moved
    return None


def _pinned(u: FloatArray, grad: FloatArray) -> npt.NDArray[np.bool_]:
    """Log-parameters on a bound whose gradient points out of the box (a KKT point there)."""
    result: npt.NDArray[np.bool_] = ((u <= -LOG_BOUND + 1e-9) & (grad > 0)) | (
        (u >= LOG_BOUND - 1e-9) & (grad < 0)
    )
    return result


def _backtrack(
    objective: Objective, u: FloatArray, value: float, step: FloatArray
) -> tuple[FloatArray, float, FloatArray] | None:
    """The first of u - step, u - step/2, ... (within the bounds) that does not increase f."""
    scale = 1.0
    for _ in range(30):
        trial = np.clip(u - scale * step, -LOG_BOUND, LOG_BOUND)
        new_value, new_grad = objective(trial)
        # allow rounding-level increases: near the optimum f is flat to ~1e-16 relative
        if new_value < BARRIER and new_value <= value + 1e-12 * abs(value):
            return trial, new_value, new_grad
        scale *= 0.5
    return None


def central_hessian(
    gradient: Callable[[FloatArray], FloatArray],
    point: FloatArray,
    columns: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Central differences of an analytic gradient in the log-parameters (2 evaluations per
    column; error O(h^2) ~ 1e-10: fine enough to tell a flat direction from a curved one).
    Only the ``columns`` asked for are computed (the others are NaN); default all."""
    k = point.size
    hessian = np.full((k, k), np.nan)
    for j in np.flatnonzero(np.ones(k, dtype=bool) if columns is None else columns):
        up, down = point.copy(), point.copy()
        up[j] += _HESSIAN_STEP
        down[j] -= _HESSIAN_STEP
        hessian[:, j] = (gradient(up) - gradient(down)) / (2.0 * _HESSIAN_STEP)
    result: FloatArray = 0.5 * (hessian + hessian.T)
    return result


def numeric_hessian(
    gradient: Callable[[FloatArray], FloatArray],
    point: FloatArray,
    steps: FloatArray,
    at_point: FloatArray | None = None,
) -> FloatArray:
    """Forward differences of an analytic gradient (k evaluations, plus one unless the
    gradient at ``point`` is given), symmetrised."""
    k = point.size
    hessian = np.empty((k, k))
    if at_point is None:
        at_point = gradient(point)
    for j in range(k):
        moved = point.copy()
        moved[j] += steps[j]
        hessian[:, j] = (gradient(moved) - at_point) / steps[j]
    result: FloatArray = 0.5 * (hessian + hessian.T)
    return result


def cholesky_or_none(matrix: FloatArray) -> FloatArray | None:
    """Lower Cholesky factor, or None when the matrix is not (numerically) positive definite."""
    if not np.all(np.isfinite(matrix)):
        return None
    try:
        factor = np.asarray(np.linalg.cholesky(matrix), dtype=np.float64)
    except np.linalg.LinAlgError:
        return None
    return factor
