"""Shared machinery of the probabilistic customer-value models.

Each model supplies a vectorised log-likelihood with its analytic gradient (per customer row,
with respect to the natural parameters). This base class does the rest, the same way for all:

* collapses identical rows into weights (CDNOW-style data shrink ~10x, which makes the special
  functions of the Pareto/NBD cheap);
* maximises the likelihood over ``u = log(theta)`` with L-BFGS-B and ``jac=True``, so the
  positivity constraints disappear and the gradient is ``dLL/du = theta * dLL/dtheta``;
* optionally adds the ``lifetimes``-style L2 penalty ``penalizer_coef * sum(theta**2)`` to the
  *mean* negative log-likelihood (so the penalty strength does not depend on the sample size);
* accepts an optimum only with a gradient below ``tol`` or, when rounding of a large
  objective makes that unreachable or the likelihood is flat in some directions, a Newton step
  (numeric Hessian, restricted to the directions the data identify) below 1e-6 in every
  log-parameter with no slope left along the flat directions (:func:`flat_newton`); restarts
  L-BFGS-B when a wild line search spoils its memory, then tries other starting points;
* accepts a *boundary* optimum: on real data the maximum can lie where a parameter goes to 0 or
  infinity along a ridge (Pareto/NBD on a retail log that shows no drop-out: s -> 0 and
  beta -> infinity), as ``lifetimes`` does. The fit then reports those parameters in
  ``identified_`` as False, with infinite standard errors; the likelihood and the predictions
  are those of the limit, whatever point of the ridge the optimiser stopped at;
* refuses to return a fit that did not converge or stopped at a saddle point
  (:class:`ConvergenceError`);
* derives standard errors from the inverse of the observed information matrix (the Hessian of
  the total penalised negative log-likelihood), computed by forward finite differences of the
  analytic gradient (the pseudo-inverse on the identified directions at a boundary optimum);
* on large data (>= 20,000 distinct rows) fits a systematic subsample first and polishes on all
  rows with Newton steps using the subsample's Hessian, which roughly halves the fit time.

Estimators follow scikit-learn conventions: hyper-parameters are stored untouched by
``__init__``, ``fit`` returns ``self``, learned attributes end in ``_``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import OptimizeResult
from scipy.stats import norm
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from threadpoolctl import threadpool_limits

from keepwise.models.clv._optimize import (
    BARRIER,
    LOG_BOUND,
    Curvature,
    Objective,
    central_hessian,
    cholesky_or_none,
    converged,
    flat_newton,
    mean_objective,
    newton_polish,
    numeric_hessian,
    run_lbfgsb,
)
from keepwise.models.clv._validation import FloatArray

LogLikGrad = tuple[FloatArray, FloatArray]
"""Per-row log-likelihood ``(n,)`` and its gradient w.r.t. the natural parameters ``(n, k)``."""

_HESSIAN_STEP = 1e-5  # relative forward step: O(h) = 1e-5 relative error on standard errors
# Above this many distinct rows, fit a systematic subsample first (see _two_stage).
_WARM_START_ROWS = 10_000
_NEWTON_STEPS = 20  # at most this many Newton steps certify or polish an optimum
# A parameter whose log has at least this share of its length in a flat direction of the
# likelihood is reported as not identified (infinite standard error).
_FLAT_SHARE = 1e-2


class ConvergenceError(RuntimeError):
    """The maximum-likelihood fit did not reach a trustworthy optimum."""


class ProbabilisticModel(BaseEstimator):  # type: ignore[misc]
    """Base class of the BG/NBD, Pareto/NBD, BG/BB and Gamma-Gamma models.

    Parameters
    ----------
    penalizer_coef:
        L2 penalty ``c * sum(theta**2)`` added to the mean negative log-likelihood (as in the
        ``lifetimes`` package). 0 gives the plain maximum-likelihood estimate.
    tol:
        Convergence tolerance: L-BFGS-B's ``gtol`` on the largest component of the gradient of
        the mean negative log-likelihood with respect to the log-parameters (see above for the
        Newton-step alternative).
    max_iter:
        Maximum number of L-BFGS-B iterations.
    initial_params:
        Optional starting values, keyed like ``params_``; missing keys use the model default.
    """

    _param_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        penalizer_coef: float = 0.0,
        tol: float = 1e-10,
        max_iter: int = 1000,
        initial_params: Mapping[str, float] | None = None,
    ) -> None:
        self.penalizer_coef = penalizer_coef
        self.tol = tol
        self.max_iter = max_iter
        self.initial_params = initial_params

    # ---- hooks for the concrete models -------------------------------------------------------
    def _prepare(self, columns: tuple[FloatArray, ...]) -> Any:
        """Precompute anything that does not depend on the parameters (default: nothing)."""
        return columns

    def _loglik_grad(self, theta: FloatArray, prepared: Any) -> LogLikGrad:
        raise NotImplementedError

    def _start_values(self, columns: tuple[FloatArray, ...], weights: FloatArray) -> FloatArray:
        return np.ones(len(self._param_names))

    # ---- fitting -------------------------------------------------------------------------------
    def _fit_columns(self, columns: tuple[FloatArray, ...], weights: FloatArray) -> Self:
        # L-BFGS-B calls LAPACK on tiny (k x k) matrices at every iteration; a multi-threaded
        # OpenBLAS makes each call wait on its thread pool (7 ms instead of 0.1 ms on a busy
        # 2-core machine, which made small fits 10x slower). One thread is always enough here.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit_single_threaded(columns, weights)

    def _fit_single_threaded(self, columns: tuple[FloatArray, ...], weights: FloatArray) -> Self:
        self._check_hyperparameters()
        columns, weights = _collapse_duplicates(columns, weights)
        prepared = self._prepare(columns)
        res = self._optimise(columns, weights, prepared)
        self._check_result(res)
        theta = np.exp(res.x)
        total = float(weights.sum())

        def total_gradient(th: FloatArray) -> FloatArray:
            grad = self._loglik_grad(th, prepared)[1]
            result: FloatArray = -(weights @ grad) + 2.0 * self.penalizer_coef * total * th
            return result

        ll, grad = self._loglik_grad(theta, prepared)
        at_theta = -(weights @ grad) + 2.0 * self.penalizer_coef * total * theta
        hessian = numeric_hessian(total_gradient, theta, _HESSIAN_STEP * theta, at_theta)
        objective = self._objective(prepared, weights)
        covariance, identified = self._covariance(hessian, theta, total, objective, res.x)
        self._store(theta, float(weights @ ll), covariance, identified, total, int(res.nit))
        return self

    def _covariance(
        self,
        hessian: FloatArray,
        theta: FloatArray,
        total: float,
        objective: Objective,
        u: FloatArray,
    ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """Inverse of the observed information, and which parameters it identifies.

        The usual case: the Hessian of the natural parameters is positive definite and its
        inverse is the covariance. When the optimum is flat in some directions of the
        log-parameters (a boundary optimum, see :func:`flat_newton`), the covariance is the
        pseudo-inverse on the identified directions (in log-parameters, mapped back by the
        delta method), and a parameter with a share of a flat direction is not identified:
        its standard error is infinite. A clearly negative curvature is not an optimum.
        """
        # A parameter on a bound of the log-parameters: the likelihood is maximised at 0 or
        # infinity there, nothing to invert.
        free = np.abs(u) < LOG_BOUND - 1e-6
        if free.all():
            log_hessian = theta[:, None] * hessian * theta[None, :] / total  # mean objective
            curvature = Curvature.of(log_hessian, total)
            regular = curvature is not None and not curvature.flat.any()
            if regular and cholesky_or_none(hessian) is not None:
                return np.asarray(np.linalg.inv(hessian), dtype=np.float64), free
        # Forward differences blur small curvatures: decide on central ones.
        central = central_hessian(lambda w: objective(w)[1], u, free)[np.ix_(free, free)]
        curvature = Curvature.of(central, total)
        if curvature is None:
            raise ConvergenceError(
                f"{type(self).__name__}: the observed information matrix at the optimum is not "
                "positive definite, so the optimum is not a proper maximum (model not identified)."
            )
        log_covariance = np.zeros((theta.size, theta.size))
        log_covariance[np.ix_(free, free)] = curvature.pseudo_inverse() / total
        identified = np.zeros(theta.size, dtype=bool)
        identified[free] = curvature.flat_loadings() < _FLAT_SHARE
        covariance: FloatArray = theta[:, None] * log_covariance * theta[None, :]
        return covariance, identified

    def _objective(self, prepared: Any, weights: FloatArray) -> Objective:
        return mean_objective(self._loglik_grad, prepared, weights, self.penalizer_coef)

    def _optimise(
        self, columns: tuple[FloatArray, ...], weights: FloatArray, prepared: Any
    ) -> OptimizeResult:
        x0 = np.log(self._initial_theta(columns, weights))
        objective = self._objective(prepared, weights)
        if weights.size >= 2 * _WARM_START_ROWS:
            res = self._two_stage(columns, weights, objective, x0)
            if res is not None:
                return res
        self._check_start(objective, x0)
        res = run_lbfgsb(objective, x0, self.tol, self.max_iter)
        if converged(res, self.tol) or res.status == 1:
            return res
        return self._rescue(objective, res, columns, weights)

    def _rescue(
        self,
        objective: Objective,
        res: OptimizeResult,
        columns: tuple[FloatArray, ...],
        weights: FloatArray,
    ) -> OptimizeResult:
        """L-BFGS-B stopped without a small gradient: certify the point where it stopped as a
        (possibly flat) optimum; failing that, fit from the model's other starting points and
        keep the best certified optimum (or, with none, the lowest objective, which
        :meth:`_check_result` then rejects)."""
        total = float(weights.sum())
        certified = self._certify(objective, res, total, self.max_iter - res.nit)
        if certified is not None:
            return certified
        used, best, tried = res.nit, None, [res]
        for theta in self._other_starts(columns, weights):
            if used >= self.max_iter:
                break
            start = np.log(np.clip(theta, np.exp(-LOG_BOUND + 1), np.exp(LOG_BOUND - 1)))
            other = run_lbfgsb(objective, start, self.tol, self.max_iter - used)
            used += other.nit
            if not converged(other, self.tol):
                other = self._certify(objective, other, total, self.max_iter - used) or other
            other.nit = used
            tried.append(other)
            if converged(other, self.tol) and (best is None or other.fun < best.fun):
                best = other
        return best if best is not None else min(tried, key=lambda r: float(r.fun))

    def _certify(
        self, objective: Objective, res: OptimizeResult, n_obs: float, budget: int
    ) -> OptimizeResult | None:
        """Newton steps on the identified directions decide whether L-BFGS-B stopped at the
        optimum (see :func:`flat_newton`); ``budget``: the iterations left of ``max_iter``."""
        if budget <= 0 or not np.all(np.isfinite(res.x)):
            return None
        polished = flat_newton(objective, res.x, n_obs, min(_NEWTON_STEPS, budget))
        if polished is None:
            return None
        polished.nit += res.nit
        return polished

    def _other_starts(
        self, columns: tuple[FloatArray, ...], weights: FloatArray
    ) -> list[FloatArray]:
        """Starting points to try when the default start does not lead to a certified optimum
        (default: the default start with each parameter 10x smaller and 10x larger in turn)."""
        base = self._initial_theta(columns, weights)
        starts = []
        for i in range(base.size):
            for factor in (0.1, 10.0):
                theta = base.copy()
                theta[i] *= factor
                starts.append(theta)
        return starts

    def _check_start(self, objective: Objective, x0: FloatArray) -> None:
        value, _ = objective(x0)
        if value >= BARRIER:
            start = {p: float(v) for p, v in zip(self._param_names, np.exp(x0), strict=True)}
            raise ConvergenceError(
                f"{type(self).__name__}: the log-likelihood is not finite at the starting "
                f"values {start}; pass initial_params on the scale of the data."
            )

    def _two_stage(
        self,
        columns: tuple[FloatArray, ...],
        weights: FloatArray,
        objective: Objective,
        x0: FloatArray,
    ) -> OptimizeResult | None:
        """Fit a systematic subsample, then polish on all rows with Newton steps using its Hessian.

        Rows are sorted (np.unique), so every k-th row keeps the mix of frequencies. The final
        optimum and the convergence test are those of the full data; the subsample only buys a
        start and a curvature estimate (about 3x fewer full-data evaluations). Returns None
        (caller falls back to a plain fit) if any step misbehaves.
        """
        rows = np.arange(0, weights.size, weights.size // _WARM_START_ROWS)
        sub_objective = self._objective(
            self._prepare(tuple(c[rows] for c in columns)), weights[rows]
        )
        self._check_start(sub_objective, x0)
        # The subsample's optimum is itself ~1/sqrt(10,000) away from the full one: polishing
        # it beyond a gradient of 1e-6 would buy nothing.
        sub_tol = max(self.tol, 1e-6)
        sub = run_lbfgsb(sub_objective, x0, sub_tol, self.max_iter)
        if not (converged(sub, sub_tol) and np.all(np.abs(sub.x) < LOG_BOUND - 1)):
            return None
        steps = np.full(x0.size, _HESSIAN_STEP)
        chol = cholesky_or_none(numeric_hessian(lambda u: sub_objective(u)[1], sub.x, steps))
        if chol is None:
            return None
        res = newton_polish(objective, sub.x, chol, self.tol)
        if res is None:
            res = run_lbfgsb(objective, sub.x, self.tol, self.max_iter)
            if not converged(res, self.tol) and res.status != 1:
                res = (
                    self._certify(objective, res, float(weights.sum()), self.max_iter - res.nit)
                    or res
                )
        return res if converged(res, self.tol) else None

    def _check_hyperparameters(self) -> None:
        if not (np.isfinite(self.penalizer_coef) and self.penalizer_coef >= 0):
            raise ValueError(f"penalizer_coef must be >= 0, got {self.penalizer_coef!r}")
        if not (np.isfinite(self.tol) and self.tol > 0):
            raise ValueError(f"tol must be > 0, got {self.tol!r}")
        if int(self.max_iter) != self.max_iter or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")

    def _initial_theta(self, columns: tuple[FloatArray, ...], weights: FloatArray) -> FloatArray:
        theta = np.asarray(self._start_values(columns, weights), dtype=np.float64).copy()
        overrides = dict(self.initial_params or {})
        unknown = set(overrides) - set(self._param_names)
        if unknown:
            raise ValueError(f"initial_params has unknown keys {sorted(unknown)}")
        for i, name in enumerate(self._param_names):
            if name in overrides:
                value = float(overrides[name])
                if not (np.isfinite(value) and value > 0):
                    raise ValueError(f"initial_params[{name!r}] must be > 0, got {value!r}")
                theta[i] = value
        return np.clip(theta, np.exp(-LOG_BOUND + 1), np.exp(LOG_BOUND - 1))

    def _check_result(self, res: Any) -> None:
        name = type(self).__name__
        if not converged(res, self.tol):
            raise ConvergenceError(
                f"{name} fit did not converge after {res.nit} iterations ({res.message}). "
                "Increase max_iter, set penalizer_coef > 0, or check the time unit of the data."
            )
        if not (np.isfinite(res.fun) and np.all(np.isfinite(res.x))):
            raise ConvergenceError(f"{name} fit produced non-finite values: {res.x}")

    def _store(
        self,
        theta: FloatArray,
        ll: float,
        covariance: FloatArray,
        identified: npt.NDArray[np.bool_],
        n_obs: float,
        n_iter: int,
    ) -> None:
        names = self._param_names
        se = np.where(identified, np.sqrt(np.maximum(np.diag(covariance), 0.0)), np.inf)
        # Intervals on the log scale (delta method: se(log theta) = se/theta) keep them positive,
        # matching the parametrisation the optimiser works in.
        z = float(norm.ppf(0.975))
        half = z * se / theta
        self.params_ = {n: float(v) for n, v in zip(names, theta, strict=True)}
        self.log_likelihood_ = ll
        self.covariance_ = covariance
        self.identified_ = {n: bool(v) for n, v in zip(names, identified, strict=True)}
        self.standard_errors_ = {n: float(v) for n, v in zip(names, se, strict=True)}
        self.confidence_intervals_ = {
            n: (float(t * np.exp(-h)), float(t * np.exp(h)))
            for n, t, h in zip(names, theta, half, strict=True)
        }
        self.n_obs_ = n_obs
        self.n_iter_ = n_iter
        self.converged_ = True

    # ---- helpers for predictions ---------------------------------------------------------------
    def _check_fitted(self) -> FloatArray:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first.")
        return np.array([self.params_[n] for n in self._param_names])

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors and 95 % intervals, one row per parameter."""
        theta = self._check_fitted()
        ci = self.confidence_intervals_
        return pd.DataFrame(
            {
                "coef": theta,
                "se(coef)": [self.standard_errors_[n] for n in self._param_names],
                "lower 95%": [ci[n][0] for n in self._param_names],
                "upper 95%": [ci[n][1] for n in self._param_names],
            },
            index=pd.Index(self._param_names, name="param"),
        )


def _collapse_duplicates(
    columns: tuple[FloatArray, ...], weights: FloatArray
) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """Merge identical rows, summing their weights; rows of weight 0 are dropped."""
    keep = weights > 0
    stacked = np.column_stack([c[keep] for c in columns])
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    merged = np.bincount(inverse.reshape(-1), weights=weights[keep], minlength=unique.shape[0])
    columns = tuple(np.ascontiguousarray(unique[:, j]) for j in range(unique.shape[1]))
    return columns, merged.astype(np.float64)
