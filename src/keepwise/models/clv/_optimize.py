"""Optimisation helpers: the log-parameter objective, L-BFGS-B runs and numeric Hessians."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
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
