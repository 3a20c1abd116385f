"""Input checks shared by the customer-value models.

Every public method accepts NumPy arrays, pandas Series, lists or scalars. The checks turn
them into float64 arrays and raise a ``ValueError`` that names the offending argument, so a
caller never sees a NaN log-likelihood caused by a typo in the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


def as_float_array(name: str, values: npt.ArrayLike) -> FloatArray:
    """Return ``values`` as a finite 1-D float64 array (scalars become length one)."""
    if isinstance(values, pd.DataFrame):
        raise ValueError(f"{name} must be one-dimensional, got a DataFrame")
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_non_negative(name: str, arr: FloatArray) -> None:
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative (minimum found: {arr.min():g})")


def check_positive(name: str, arr: FloatArray) -> None:
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be strictly positive (minimum found: {arr.min():g})")


def check_integer(name: str, arr: FloatArray) -> None:
    if np.any(arr != np.round(arr)):
        bad = arr[arr != np.round(arr)][0]
        raise ValueError(f"{name} must hold whole numbers (found {bad:g})")


def broadcast(**arrays: FloatArray) -> tuple[FloatArray, ...]:
    """Broadcast arrays to a common length, naming the arguments when that is impossible."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k}={v.shape[0]}" for k, v in arrays.items())
        raise ValueError(f"inputs have mismatched lengths: {shapes}") from None


def same_length(**arrays: FloatArray) -> None:
    """Fit inputs must have exactly one value per customer (no silent broadcasting)."""
    lengths = {k: v.shape[0] for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        shapes = ", ".join(f"{k}={n}" for k, n in lengths.items())
        raise ValueError(f"inputs have mismatched lengths: {shapes}")


def fit_weights(weights: npt.ArrayLike | None, n: int) -> FloatArray:
    """Validate optional row weights (counts of identical customers); default all ones."""
    if weights is None:
        return np.ones(n)
    w = as_float_array("weights", weights)
    if w.shape[0] != n:
        raise ValueError(f"weights has length {w.shape[0]}, expected {n}")
    check_non_negative("weights", w)
    if not np.any(w > 0):
        raise ValueError("weights must contain at least one positive value")
    return w


def check_frequency_recency_T(frequency: FloatArray, recency: FloatArray, T: FloatArray) -> None:
    """Continuous-time RFM summaries: x whole, 0 <= t_x <= T, t_x = 0 when x = 0.

    ``T = 0`` (a customer first seen at the end of the observation, as ``lifetimes``' summary
    gives for a first purchase on the last day) is allowed: the models give such a customer a
    likelihood of 1 (no information) and the predictions of a customer just acquired.
    """
    check_non_negative("frequency", frequency)
    check_integer("frequency", frequency)
    check_non_negative("recency", recency)
    check_non_negative("T", T)
    # A small tolerance because summaries are often rounded to two decimals independently.
    if np.any(recency > T * (1 + 1e-9) + 1e-12):
        raise ValueError("recency must not exceed T (the customer's age)")
    if np.any((frequency == 0) & (recency > 0)):
        raise ValueError("recency must be 0 for customers with frequency 0 (no repeat purchase)")


def wrap_like(result: FloatArray, *inputs: Any) -> Any:
    """Return a pandas Series if an input was one, a float if all inputs were scalars."""
    for value in inputs:
        if isinstance(value, pd.Series) and len(value) == result.shape[0]:
            return pd.Series(result, index=value.index)
    if all(np.ndim(value) == 0 for value in inputs):
        return float(result[0])
    return result


def rfm_for_fit(
    frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validated (x, t_x, T) columns for fitting: one value per customer, no broadcasting."""
    x = as_float_array("frequency", frequency)
    t_x = as_float_array("recency", recency)
    age = as_float_array("T", T)
    same_length(frequency=x, recency=t_x, T=age)
    check_frequency_recency_T(x, t_x, age)
    return x, np.minimum(t_x, age), age


def rfm_for_predict(
    t: npt.ArrayLike, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validated and broadcast (t, x, t_x, T) for predictions; t is the horizon (>= 0)."""
    horizon = as_float_array("t", t)
    check_non_negative("t", horizon)
    x = as_float_array("frequency", frequency)
    t_x = as_float_array("recency", recency)
    age = as_float_array("T", T)
    horizon, x, t_x, age = broadcast(t=horizon, frequency=x, recency=t_x, T=age)
    check_frequency_recency_T(x, t_x, age)
    return horizon, x, np.minimum(t_x, age), age


def require_repeat_buyers(frequency: FloatArray, weights: FloatArray) -> None:
    """The purchase-rate parameters are not identified when nobody ever buys again: the
    likelihood then increases without bound as r -> 0, so refuse before optimising."""
    if not np.any((frequency > 0) & (weights > 0)):
        raise ValueError(
            "no customer has a repeat purchase (all frequency == 0): the purchase process "
            "cannot be estimated from these data"
        )
