"""Shared machinery of the probabilistic customer-value models.

Each model supplies a vectorised log-likelihood with its analytic gradient (per customer row,
with respect to the natural parameters). This base class does the rest, the same way for all:

* collapses identical rows into weights (CDNOW-style data shrink ~10x, which makes the special
  functions of the Pareto/NBD cheap);
* maximises the likelihood over ``u = log(theta)`` with L-BFGS-B and ``jac=True``, so the
  positivity constraints disappear and the gradient is ``dLL/du = theta * dLL/dtheta``;
* optionally adds the ``lifetimes``-style L2 penalty ``penalizer_coef * sum(theta**2)`` to the
  *mean* negative log-likelihood (so the penalty strength does not depend on the sample size);
* refuses to return a fit that did not converge, ran a parameter off to 0 or infinity, or whose
  observed information matrix is not positive definite (:class:`ConvergenceError`);
* derives standard errors from the inverse of the observed information matrix (the Hessian of
  the total penalised negative log-likelihood), computed by central finite differences of the
  analytic gradient.

Estimators follow scikit-learn conventions: hyper-parameters are stored untouched by
``__init__``, ``fit`` returns ``self``, learned attributes end in ``_``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import norm
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from keepwise.models.clv._validation import FloatArray

LogLikGrad = tuple[FloatArray, FloatArray]
"""Per-row log-likelihood ``(n,)`` and its gradient w.r.t. the natural parameters ``(n, k)``."""

# Bounds on log-parameters: exp(+-25) spans 1e-11 .. 7e10, far beyond any sensible time unit.
# An optimum on this edge means the likelihood is maximised at 0 or infinity (not identified).
_LOG_BOUND = 25.0
_HESSIAN_STEP = 1e-4  # relative step; the gradient is analytic, so O(h^2) ~ 1e-8 error


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
        Convergence tolerance: L-BFGS-B's ``gtol`` on the log-parameter gradient of the mean
        negative log-likelihood, and ``ftol`` on its relative decrease.
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
        self._check_hyperparameters()
        columns, weights = _collapse_duplicates(columns, weights)
        prepared = self._prepare(columns)
        total = float(weights.sum())
        x0 = np.log(self._initial_theta(columns, weights))

        def objective(u: FloatArray) -> tuple[float, FloatArray]:
            theta = np.exp(u)
            ll, grad = self._loglik_grad(theta, prepared)
            value = -float(weights @ ll) / total + self.penalizer_coef * float(theta @ theta)
            g_theta = -(weights @ grad) / total + 2.0 * self.penalizer_coef * theta
            return value, g_theta * theta

        start_value, start_grad = objective(x0)
        if not (np.isfinite(start_value) and np.all(np.isfinite(start_grad))):
            raise ConvergenceError(
                f"{type(self).__name__}: the log-likelihood is not finite at the starting values "
                f"{dict(zip(self._param_names, np.exp(x0), strict=True))}"
            )
        res = minimize(
            objective,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * x0.size,
            options={"maxiter": int(self.max_iter), "gtol": self.tol, "ftol": self.tol},
        )
        self._check_result(res)
        theta = np.exp(res.x)

        def total_gradient(th: FloatArray) -> FloatArray:
            grad = self._loglik_grad(th, prepared)[1]
            result: FloatArray = -(weights @ grad) + 2.0 * self.penalizer_coef * total * th
            return result

        covariance = self._covariance(total_gradient, theta)
        ll = self._loglik_grad(theta, prepared)[0]
        self._store(theta, float(weights @ ll), covariance, total, int(res.nit))
        return self

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
        return np.clip(theta, np.exp(-_LOG_BOUND + 1), np.exp(_LOG_BOUND - 1))

    def _check_result(self, res: Any) -> None:
        name = type(self).__name__
        if not res.success:
            raise ConvergenceError(
                f"{name} fit did not converge after {res.nit} iterations ({res.message}). "
                "Increase max_iter, set penalizer_coef > 0, or check the time unit of the data."
            )
        if not (np.isfinite(res.fun) and np.all(np.isfinite(res.x))):
            raise ConvergenceError(f"{name} fit produced non-finite values: {res.x}")
        at_edge = np.abs(res.x) >= _LOG_BOUND - 1e-6
        if np.any(at_edge):
            edges = {p: float(np.exp(u)) for p, u, e in zip(self._param_names, res.x, at_edge, strict=True) if e}
            raise ConvergenceError(
                f"{name}: the likelihood is maximised with parameters at 0 or infinity {edges}; "
                "the data do not identify the model. Set penalizer_coef > 0 to regularise."
            )

    def _covariance(self, gradient: Any, theta: FloatArray) -> FloatArray:
        hessian = _numeric_hessian(gradient, theta)
        try:
            np.linalg.cholesky(hessian)
        except np.linalg.LinAlgError:
            raise ConvergenceError(
                f"{type(self).__name__}: the observed information matrix at the optimum is not "
                "positive definite, so the optimum is not a proper maximum (model not identified)."
            ) from None
        covariance: FloatArray = np.linalg.inv(hessian)
        return covariance

    def _store(
        self, theta: FloatArray, ll: float, covariance: FloatArray, n_obs: float, n_iter: int
    ) -> None:
        names = self._param_names
        se = np.sqrt(np.diag(covariance))
        # Intervals on the log scale (delta method: se(log theta) = se/theta) keep them positive,
        # matching the parametrisation the optimiser works in.
        z = float(norm.ppf(0.975))
        half = z * se / theta
        self.params_ = {n: float(v) for n, v in zip(names, theta, strict=True)}
        self.log_likelihood_ = ll
        self.covariance_ = covariance
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
    return tuple(np.ascontiguousarray(unique[:, j]) for j in range(unique.shape[1])), merged


def _numeric_hessian(gradient: Any, theta: FloatArray) -> FloatArray:
    """Central differences of an analytic gradient, symmetrised."""
    k = theta.size
    hessian = np.empty((k, k))
    for j in range(k):
        step = _HESSIAN_STEP * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        hessian[:, j] = (gradient(up) - gradient(down)) / (2.0 * step)
    result: FloatArray = 0.5 * (hessian + hessian.T)
    return result
