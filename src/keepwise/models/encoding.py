"""Turning a table as ``pandas.read_csv`` gives it into model inputs, with no preprocessing by
the user: numbers stored as text, yes/no columns, ids and free text, rare and unseen categories.
The churn classifier fits one :class:`TableEncoder` on its training data."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import type_of_target

_AFFIRMATIVE = ("yes", "y", "true", "t", "1", "1.0")
_CHURN_WORDS = ("churn", "churned", "churner", "lost", "left", "inactive", "cancelled", "canceled")
POSITIVE_LABELS = frozenset(_AFFIRMATIVE + _CHURN_WORDS)
_MISSING_TEXT = frozenset(["", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a"])
_BOOL_TEXT = {"yes": 1.0, "no": 0.0, "true": 1.0, "false": 0.0, "y": 1.0, "n": 0.0}
_ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|guid|key|no|number)$|ID$", re.IGNORECASE)
_NUMBER_NOISE = r"^\s*[\$€£¥]|%\s*$|(?<=\d),(?=\d{3}(\D|$))"
OTHER = "(other)"
MISSING = "(missing)"


def encode_binary_target(y: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """``(y01, classes, positive_index)``: 0/1 labels, sorted original labels, churn's index."""
    if y is None:
        raise ValueError("this estimator requires y to be passed, but the target y is None")
    values = np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected.",
            DataConversionWarning,
            stacklevel=3,
        )
        values = values.ravel()
    if pd.isna(pd.Series(values.ravel(), dtype=object)).any():
        raise ValueError("the label contains missing values")
    kind = type_of_target(values, input_name="y", raise_unknown=True)
    classes = np.unique(values)
    if len(classes) < 2:
        raise ValueError("the label has 1 class; a churn model needs churned and kept customers")
    if kind != "binary":
        raise ValueError(
            f"Only binary classification is supported. The type of the target is {kind}."
        )
    texts = [str(c).strip().lower() for c in classes]
    if any(t in POSITIVE_LABELS for t in texts):
        pos = next(i for i, t in enumerate(texts) if t in POSITIVE_LABELS)
    else:
        pos = 1  # np.unique sorts: True > False, larger number, last text
    return (values == classes[pos]).astype(np.int64), classes, pos


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        # Column names are looked up as text everywhere; integer names (0, 1, …) become "0", "1".
        frame = X if all(isinstance(c, str) for c in X.columns) else X.rename(columns=str)
    else:
        arr = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
        if arr.ndim != 2:
            raise ValueError(f"Expected a 2-D table, got shape {arr.shape}. Reshape your data.")
        if np.iscomplexobj(arr):
            raise ValueError("Complex data not supported")
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
    for size, what in ((frame.shape[1], "feature(s)"), (frame.shape[0], "sample(s)")):
        if size == 0:
            raise ValueError(
                f"Found array with 0 {what} (shape={frame.shape}) while a minimum of 1 is required."
            )
    return frame


def _parse_text(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Stripped text (missing tokens -> NaN), parsed numbers and parsed booleans."""
    # Parse each distinct value once: CRM columns repeat a handful of values many times.
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    lower = text.str.lower()
    text = text.where(~lower.isin(_MISSING_TEXT))
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    retry = numbers.isna() & text.notna()  # "$1,200", "15%": strip the noise and try again
    if retry.any():
        cleaned = text[retry].str.replace(_NUMBER_NOISE, "", regex=True)
        numbers[retry] = pd.to_numeric(cleaned, errors="coerce").astype(float)
    booleans = lower.map(_BOOL_TEXT).astype(float)

    def expand(values: pd.Series) -> pd.Series:
        full = np.append(values.to_numpy(dtype=object), [np.nan])  # code -1 (NaN) -> last
        return pd.Series(full[codes], index=s.index, dtype=object)

    return expand(text), expand(numbers).astype(float), expand(booleans).astype(float)


@dataclass
class _Column:
    name: str
    kind: Literal["numeric", "category"]
    parse: Literal["number", "text", "bool"] = "number"
    median: float = 0.0
    low: float = 0.0
    log_term: bool = False
    missing_flag: bool = False
    levels: list[str] = field(default_factory=list)


class TableEncoder:
    """Learns column kinds on training data and encodes any later table the same way."""

    def __init__(
        self, max_categories: int = 30, min_category_count: int = 10, log_terms: bool = True
    ) -> None:
        self.max_categories = max_categories
        self.min_category_count = min_category_count
        self.log_terms = log_terms
        self.columns: list[_Column] = []
        self.dropped: dict[str, str] = {}

    def fit(self, X: pd.DataFrame) -> TableEncoder:
        self.columns, self.dropped = [], {}
        for name in X.columns:
            spec = self._infer(str(name), X[name])
            if isinstance(spec, str):
                self.dropped[str(name)] = spec
            else:
                self.columns.append(spec)
        if not self.columns:
            raise ValueError(f"no usable feature columns; dropped: {self.dropped}")
        self._fit_linear_scaling(X)
        return self

    def _infer(self, name: str, s: pd.Series) -> _Column | str:
        if s.isna().all():
            return "all missing"
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            values = pd.to_numeric(s, errors="coerce").astype(float)
            return self._numeric(name, values, "number")
        text, numbers, booleans = _parse_text(s)
        present = text.notna().sum()
        if present == 0:
            return "all missing"
        if numbers.notna().sum() >= 0.95 * present:
            return self._numeric(name, numbers, "number")
        if booleans.notna().sum() == present:
            return self._numeric(name, booleans, "bool")
        return self._category(name, text)

    def _numeric(
        self, name: str, values: pd.Series, parse: Literal["number", "bool"]
    ) -> _Column | str:
        finite = values.dropna()
        if finite.nunique() < 2:
            return "constant"
        integral = bool(np.all(np.mod(finite, 1) == 0))
        if integral and finite.is_unique and len(finite) >= 50 and _ID_NAME.search(name):
            return "identifier"
        return _Column(
            name,
            "numeric",
            parse=parse,
            median=float(finite.median()),
            low=float(finite.min()),
            log_term=self.log_terms and finite.nunique() > 2,  # log of a 0/1 flag: no
            missing_flag=bool(values.isna().any()),
        )

    def _category(self, name: str, text: pd.Series) -> _Column | str:
        counts = text.fillna(MISSING).value_counts()
        if len(counts) >= 0.9 * text.notna().sum() and len(counts) > self.max_categories:
            return "identifier or free text"
        kept = counts[counts >= self.min_category_count].index[: self.max_categories]
        if len(kept) == 0 or (len(kept) == 1 and len(counts) == 1):
            return "constant or too rare"
        return _Column(name, "category", parse="text", levels=[str(k) for k in kept])

    def column_values(self, X: pd.DataFrame, col: _Column) -> pd.Series:
        """The column as the model reads it: floats for numbers, capped levels for text."""
        s = X[col.name]
        if col.kind == "numeric":
            if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
                return pd.to_numeric(s, errors="coerce").astype(float)
            _, numbers, booleans = _parse_text(s)
            return booleans if col.parse == "bool" else numbers
        text = _parse_text(s)[0].fillna(MISSING).astype(str)
        return text.where(text.isin(col.levels), OTHER)

    def display_values(self, X: pd.DataFrame) -> pd.DataFrame:
        """Readable values per kept column: parsed numbers, the original text otherwise."""
        out = {}
        for col in self.columns:
            # "Contract = Two year" and "Partner = Yes" read better than level codes or 1.0.
            as_number = col.kind == "numeric" and col.parse == "number"
            out[col.name] = self.column_values(X, col) if as_number else _parse_text(X[col.name])[0]
        return pd.DataFrame(out, index=X.index)

    def tree_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        out: dict[str, Any] = {}
        for col in self.columns:
            values = self.column_values(X, col)
            if col.kind == "category":
                out[col.name] = pd.Categorical(values, categories=[*col.levels, OTHER])
            else:
                out[col.name] = values
        return pd.DataFrame(out, index=X.index)

    @staticmethod
    def _numeric_design(col: _Column, values: pd.Series) -> list[np.ndarray]:
        """A number's linear design columns: the value (missing: the median), its log when
        the column has one, and a missing flag when the column has one."""
        filled = values.fillna(col.median).to_numpy(float)
        blocks = [filled]
        if col.log_term:
            blocks.append(np.log1p(np.clip(filled - col.low, 0.0, None)))
        if col.missing_flag:
            blocks.append(values.isna().to_numpy(float))
        return blocks

    def _linear_raw(self, X: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
        blocks, origin = [], []
        for col in self.columns:
            values = self.column_values(X, col)
            if col.kind == "numeric":
                mine = self._numeric_design(col, values)
            else:
                mine = [(values == level).to_numpy(float) for level in [*col.levels, OTHER]]
            blocks += mine
            origin += [col.name] * len(mine)
        return np.column_stack(blocks), origin

    def _fit_linear_scaling(self, X: pd.DataFrame) -> None:
        raw, origin = self._linear_raw(X)
        self.linear_origin = origin
        self.linear_mean = raw.mean(axis=0)
        # Scale numbers to unit variance; one-hot columns are only centred so that L2 shrinks
        # rare levels towards the average instead of amplifying them.
        kinds = {c.name: c.kind for c in self.columns}
        std = raw.std(axis=0)
        numeric = np.array([kinds[o] == "numeric" for o in origin])
        self.linear_scale = np.where(numeric & (std > 0), std, 1.0)

    def linear_matrix(self, X: pd.DataFrame) -> np.ndarray:
        raw, _ = self._linear_raw(X)
        return (raw - self.linear_mean) / self.linear_scale

    def linear_terms(self, X: pd.DataFrame, coef: np.ndarray) -> np.ndarray:
        """``linear_matrix(X) * coef`` summed per kept column, one column at a time: the
        linear part's contribution of each original column, without the full design matrix
        (a million rows × a hundred design columns)."""
        out = np.empty((len(X), len(self.columns)))
        scaled = np.asarray(coef, float) / self.linear_scale
        offset = scaled * self.linear_mean
        j = 0  # first design column of the current original column
        for k, col in enumerate(self.columns):
            values = self.column_values(X, col)
            if col.kind == "category":
                levels = [*col.levels, OTHER]
                codes = pd.Categorical(values, categories=levels).codes
                width = len(levels)
                # One-hot: the row's own level weight, less every level's centring term.
                out[:, k] = scaled[j : j + width][codes] - offset[j : j + width].sum()
            else:
                blocks = self._numeric_design(col, values)
                width = len(blocks)
                out[:, k] = sum(
                    (scaled[j + i] * b - offset[j + i] for i, b in enumerate(blocks)),
                    start=np.zeros(len(X)),
                )
            j += width
        return out

    @property
    def feature_names(self) -> list[str]:
        return [c.name for c in self.columns]
