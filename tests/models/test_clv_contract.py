"""One contract, every customer-value model: estimator conventions, fitted attributes,
prediction ranges, errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from keepwise.models.clv import BGBB, BGNBD, ConvergenceError, GammaGamma, ParetoNBD
from keepwise.models.clv._base import ProbabilisticModel

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@dataclass(frozen=True)
class Case:
    """A model, its data (fit columns) and the predictions to check."""

    name: str
    make: Callable[..., ProbabilisticModel]
    params: tuple[str, ...]
    columns: tuple[str, ...]
    data: Callable[[], pd.DataFrame]
    weighted: bool = False


def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_customers_summary.csv").set_index("ID")


def cdnow_spend() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv").set_index("ID")
    return frame[frame["x"] > 0]


def donations() -> pd.DataFrame:
    return pd.read_csv(DATA / "donations.csv")


CASES = [
    Case("bgnbd", BGNBD, ("r", "alpha", "a", "b"), ("frequency", "recency", "T"), cdnow),
    Case("pareto", ParetoNBD, ("r", "alpha", "s", "beta"), ("frequency", "recency", "T"), cdnow),
    Case("gamma_gamma", GammaGamma, ("p", "q", "v"), ("x", "zbar"), cdnow_spend),
    Case(
        "bgbb",
        BGBB,
        ("alpha", "beta", "gamma", "delta"),
        ("frequency", "recency", "periods"),
        donations,
        weighted=True,
    ),
]


def fit(case: Case, model: ProbabilisticModel, frame: pd.DataFrame) -> Any:
    args = [frame[c] for c in case.columns]
    if case.weighted:
        args.append(frame["weights"])
    return model.fit(*args)  # type: ignore[attr-defined]


def predictions(model: ProbabilisticModel, case: Case, frame: pd.DataFrame) -> dict[str, Any]:
    cols = [frame[c] for c in case.columns]
    if isinstance(model, GammaGamma):
        return {"profit": model.conditional_expected_average_profit(*cols)}
    assert isinstance(model, BGNBD | ParetoNBD | BGBB)
    frequency, recency, age = cols
    return {
        "p_alive": model.probability_alive(frequency, recency, age),
        "expected": model.expected_purchases(10, frequency, recency, age),
        "new_customer": model.expected_purchases_new_customer(np.array([0.0, 1.0, 10.0, 100.0])),
    }


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def frame(case: Case) -> pd.DataFrame:
    return case.data()


@pytest.fixture(scope="module")
def fitted(case: Case, frame: pd.DataFrame) -> ProbabilisticModel:
    return fit(case, case.make(), frame)  # type: ignore[no-any-return]


def test_clone_and_params_follow_sklearn(case: Case) -> None:
    model = case.make(penalizer_coef=0.1, tol=1e-8, max_iter=50)
    assert model.get_params() == {
        "penalizer_coef": 0.1,
        "tol": 1e-8,
        "max_iter": 50,
        "initial_params": None,
    }
    twin = clone(model)
    assert type(twin) is type(model) and twin.get_params() == model.get_params()
    assert twin.set_params(max_iter=7) is twin and twin.max_iter == 7


def test_fit_returns_self_with_documented_attributes(
    case: Case, frame: pd.DataFrame, fitted: ProbabilisticModel
) -> None:
    model = case.make()
    assert fit(case, model, frame) is model
    assert tuple(fitted.params_) == case.params
    assert all(np.isfinite(v) and v > 0 for v in fitted.params_.values())
    assert np.isfinite(fitted.log_likelihood_)
    assert fitted.converged_ is True
    expected_n = frame["weights"].sum() if case.weighted else len(frame)
    assert fitted.n_obs_ == expected_n
    for name in case.params:
        assert np.isfinite(fitted.standard_errors_[name]) and fitted.standard_errors_[name] > 0
        low, high = fitted.confidence_intervals_[name]
        assert 0 < low < fitted.params_[name] < high
    assert list(fitted.summary.index) == list(case.params)
    # A clone of a fitted model is unfitted.
    assert not hasattr(clone(fitted), "params_")


def test_predictions_are_finite_non_negative_and_probabilities(
    case: Case, frame: pd.DataFrame, fitted: ProbabilisticModel
) -> None:
    for name, values in predictions(fitted, case, frame).items():
        arr = np.asarray(values, dtype=float)
        assert np.all(np.isfinite(arr)) and np.all(arr >= 0), name
        if name == "p_alive":
            assert np.all(arr <= 1)
        if name == "new_customer":
            assert arr[0] == 0 and np.all(np.diff(arr) > 0)
        if isinstance(values, pd.Series):
            assert values.index.equals(frame.index)


def test_scalar_inputs_give_a_float(case: Case, frame: pd.DataFrame, fitted: Any) -> None:
    row = frame.iloc[0]
    cols = [float(row[c]) for c in case.columns]
    if isinstance(fitted, GammaGamma):
        assert isinstance(fitted.conditional_expected_average_profit(*cols), float)
    else:
        assert isinstance(fitted.probability_alive(*cols), float)
        assert isinstance(fitted.expected_purchases(5, *cols), float)


def test_predicting_before_fit_raises(case: Case, frame: pd.DataFrame) -> None:
    cols = [frame[c] for c in case.columns]
    model: Any = case.make()
    with pytest.raises(NotFittedError):
        if isinstance(model, GammaGamma):
            model.conditional_expected_average_profit(*cols)
        else:
            model.probability_alive(*cols)


def test_too_few_iterations_raise_convergence_error(case: Case, frame: pd.DataFrame) -> None:
    with pytest.raises(ConvergenceError, match="did not converge"):
        fit(case, case.make(max_iter=1), frame)
    assert issubclass(ConvergenceError, RuntimeError)


def test_optimum_does_not_depend_on_the_start(
    case: Case, frame: pd.DataFrame, fitted: ProbabilisticModel
) -> None:
    start = {name: 3.0 * value for name, value in fitted.params_.items()}
    other = fit(case, case.make(initial_params=start), frame)
    for name, value in fitted.params_.items():
        assert other.params_[name] == pytest.approx(value, rel=1e-4)
    assert other.log_likelihood_ == pytest.approx(fitted.log_likelihood_, abs=1e-6)


def test_penalty_shrinks_the_parameters(
    case: Case, frame: pd.DataFrame, fitted: ProbabilisticModel
) -> None:
    penalised = fit(case, case.make(penalizer_coef=0.01), frame)
    size = sum(v**2 for v in fitted.params_.values())
    assert sum(v**2 for v in penalised.params_.values()) < size
    assert penalised.log_likelihood_ < fitted.log_likelihood_


def test_bad_hyperparameters_are_rejected(case: Case, frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="penalizer_coef"):
        fit(case, case.make(penalizer_coef=-1.0), frame)
    with pytest.raises(ValueError, match="max_iter"):
        fit(case, case.make(max_iter=0), frame)
    with pytest.raises(ValueError, match="unknown keys"):
        fit(case, case.make(initial_params={"nope": 1.0}), frame)


def test_weights_are_counts_of_identical_rows(case: Case, frame: pd.DataFrame) -> None:
    counted = frame.groupby(list(case.columns)).size().rename("n").reset_index()
    if case.weighted:
        counted["n"] = frame.groupby(list(case.columns))["weights"].sum().to_numpy()
    model = case.make().fit(*[counted[c] for c in case.columns], counted["n"])  # type: ignore[attr-defined]
    reference = fit(case, case.make(), frame)
    for name, value in reference.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-6)
    assert model.log_likelihood_ == pytest.approx(reference.log_likelihood_, rel=1e-10)
    assert model.n_obs_ == reference.n_obs_
