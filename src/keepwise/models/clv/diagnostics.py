"""Calibration/holdout checks of the transaction models (Fader, Hardie & Lee 2005, Figure 4)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from keepwise.models.clv._validation import as_float_array, broadcast, check_non_negative
from keepwise.models.clv.gamma_gamma import TransactionModel


def calibration_holdout_table(
    model: TransactionModel,
    frequency_cal: npt.ArrayLike,
    recency_cal: npt.ArrayLike,
    T_cal: npt.ArrayLike,
    frequency_holdout: npt.ArrayLike,
    duration_holdout: npt.ArrayLike,
    max_frequency: int = 7,
) -> pd.DataFrame:
    """Mean holdout purchases, actual vs predicted, by number of calibration repeat purchases.

    Customers are grouped by calibration ``frequency``; the last group, labelled
    ``max_frequency``, holds everyone with at least that many (the "7+" bar of FHL 2005, Fig.
    4). Within each group the table compares the mean of ``frequency_holdout`` with the mean of
    ``model.expected_purchases(duration_holdout, x, t_x, T)``, the model's conditional
    expectation for the same customers. ``duration_holdout`` may differ by customer.

    Returns a DataFrame indexed by ``frequency_cal`` with columns ``n_customers``, ``actual``,
    ``predicted`` and ``difference`` (predicted - actual). Groups with no customers are omitted.
    """
    if int(max_frequency) != max_frequency or max_frequency < 1:
        raise ValueError(f"max_frequency must be a positive whole number, got {max_frequency!r}")
    x = as_float_array("frequency_cal", frequency_cal)
    actual = as_float_array("frequency_holdout", frequency_holdout)
    duration = as_float_array("duration_holdout", duration_holdout)
    check_non_negative("frequency_holdout", actual)
    x, actual, duration = broadcast(
        frequency_cal=x, frequency_holdout=actual, duration_holdout=duration
    )
    predicted = np.asarray(
        model.expected_purchases(duration, x, recency_cal, T_cal), dtype=np.float64
    )
    if predicted.shape != x.shape:
        raise ValueError("recency_cal and T_cal must have one value per customer")
    frame = pd.DataFrame(
        {
            "frequency_cal": np.minimum(x, max_frequency).astype(np.int64),
            "actual": actual,
            "predicted": predicted,
        }
    )
    table = frame.groupby("frequency_cal").agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    table["difference"] = table["predicted"] - table["actual"]
    return table
