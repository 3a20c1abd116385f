"""Benchmark (issue 10): the default ChurnClassifier against a plain ``lightgbm.LGBMClassifier()``
with its default settings, paired on the same folds, in the same run.

    .venv/bin/python benchmarks/churn_defaults.py [--repeats 3] [--tables telco,demo,...]

Tables: IBM Telco (``../shared/data/telco_customer_churn.csv``, read as is); the demo company
(3,000 customers: the risk snapshot features at five dates 90 days apart, 8,016 rows;
folds keep each customer's rows together); and simulated tables — ``separable`` (a few strong
rules with interactions, every profile repeated one to three times, as in public churn tables
with duplicate rows), ``repeated_xor`` (an XOR pattern, profiles repeated one to seven
times), ``noisy`` (weak additive signal among 18 noise columns), ``interactions``
(an XOR and a threshold pair) and ``additive`` (exactly linear log-odds).

For each table, ``repeats`` × stratified 5-fold cross-validation with a different shuffle per
repeat; on each fold every contender is fitted on the same rows and rated by hold-out ROC-AUC.
Contenders: **plain LightGBM** (the baseline: ``LGBMClassifier(verbose=-1, n_jobs=1)`` on the
table with text columns turned into numbers where they parse, else pandas categories — what a
user would do), **Keepwise** (``ChurnClassifier()`` defaults) and **Keepwise, small trees**
(``num_leaves=8``: the default before the tree size was chosen by validation).

Per table and contender: mean ROC-AUC, the ratio and the mean paired difference to the
baseline, its standard error corrected for the overlap of training sets between folds
(Nadeau & Bengio 2003: variance × (1/J + n_test/n_train)) and that test's two-sided p-value.
Fit times are CPU seconds summed over the folds, one thread each, in this process (CPU time,
not wall time: the reference machine is shared, and one thread's CPU time is its wall time on a
quiet machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from keepwise.models.churn import ChurnClassifier

HERE = Path(__file__).resolve().parent
TELCO = HERE.parent.parent / "shared" / "data" / "telco_customer_churn.csv"
FOLDS = 5
BASELINE = "plain LightGBM"

Table = tuple[pd.DataFrame, np.ndarray, np.ndarray | None]  # features, 0/1 label, groups


def telco() -> Table:
    frame = pd.read_csv(TELCO)
    y = (frame["Churn"] == "Yes").to_numpy(int)
    return frame.drop(columns=["customerID", "Churn"]), y, None


def demo(customers: int = 3000) -> Table:
    from keepwise import Workspace
    from keepwise.risk.features import FEATURES
    from keepwise.risk.training import load_snapshots, snapshot_dates

    as_of = dt.date(2026, 11, 1)
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.init(Path(folder) / "demo", lang="en")
        ws.load_demo(customers=customers, seed=1, as_of=as_of)
        frame = load_snapshots(ws.store, snapshot_dates(as_of, 90, 5), 90)
        ws.close()
    groups = frame["customer_id"].astype("category").cat.codes.to_numpy()
    return frame[list(FEATURES)], frame["churned"].to_numpy(int), groups


def _draw(logit: Any, rng: np.random.Generator) -> np.ndarray:
    return np.asarray(rng.random(len(logit)) < 1 / (1 + np.exp(-np.asarray(logit))), dtype=int)


def separable(profiles: int = 1500, seed: int = 0) -> Table:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "failed_calls": rng.poisson(3, profiles),
            "complaint": rng.binomial(1, 0.1, profiles),
            "months": rng.integers(1, 48, profiles),
            "seconds": rng.gamma(2, 2000, profiles).round(),
            "messages": rng.poisson(50, profiles),
            "numbers_called": rng.poisson(20, profiles),
            "plan": rng.choice(["prepaid", "contract"], profiles, p=[0.9, 0.1]),
            "age_group": rng.integers(1, 6, profiles),
            "value": rng.gamma(2, 300, profiles).round(1),
            "status": rng.choice(["active", "inactive"], profiles, p=[0.75, 0.25]),
        }
    )
    logit = (
        -3
        + 3.5 * X.complaint
        + 2.5 * (X.status == "inactive")
        + 3 * (X.seconds < 1200) * (X.numbers_called < 18)
        - 2 * (X.plan == "contract")
        + 1.5 * (X.failed_calls > 6) * (X.months < 12)
    )
    y = _draw(2 * logit, rng)
    rows = np.repeat(np.arange(profiles), rng.integers(1, 4, profiles))
    return X.iloc[rows].reset_index(drop=True), y[rows], None


def repeated_xor(profiles: int = 600, seed: int = 0) -> Table:
    """Very separable: an XOR of a modular pattern and a threshold, every profile repeated one
    to seven times (the table of tests/models/test_churn_selection.py, larger)."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.integers(0, 12, size=(profiles, 4)), columns=list("abcd")).astype(float)
    pattern = ((X.a + X.b) % 3 == 0) ^ (X.c > 5)
    y = _draw(np.where(pattern, 2.5, -2.5) + 0.2 * X.d - 1, rng)
    rows = np.repeat(np.arange(profiles), rng.integers(1, 8, profiles))
    return X.iloc[rows].reset_index(drop=True), y[rows], None


def noisy(n: int = 3000, seed: int = 0) -> Table:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 20)), columns=[f"x{i}" for i in range(20)])
    X["region"] = rng.choice(list("abcde"), n)
    logit = -1 + 0.4 * X.x0 - 0.3 * X.x1 + 0.2 * X.x2 + 0.3 * (X.region == "a")
    return X, _draw(logit, rng), None


def interactions(n: int = 4000, seed: int = 0) -> Table:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.uniform(-1, 1, size=(n, 8)), columns=[f"x{i}" for i in range(8)])
    logit = -1 + 3 * np.sign(X.x0 * X.x1) + 2 * (X.x2 > 0.3) * (X.x3 < 0) + X.x4
    return X, _draw(logit, rng), None


def additive(n: int = 3000, seed: int = 0) -> Table:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"x{i}" for i in range(6)])
    logit = -1 + X.x0 - 0.8 * X.x1 + 0.6 * X.x2 + 0.5 * X.x3
    return X, _draw(logit, rng), None


TABLES: dict[str, Callable[[], Table]] = {
    "telco": telco,
    "demo": demo,
    "separable": separable,
    "repeated_xor": repeated_xor,
    "noisy": noisy,
    "interactions": interactions,
    "additive": additive,
}


def plain_frame(X: pd.DataFrame) -> pd.DataFrame:
    """LightGBM's input as a user would prepare it: text that parses as numbers becomes
    numbers (Telco's ``TotalCharges`` has blanks), other text pandas categories."""
    out = X.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype != object and not isinstance(column.dtype, pd.StringDtype):
            continue
        numbers = pd.to_numeric(column.astype(str).str.strip().replace("", np.nan), "coerce")
        if numbers.notna().sum() >= 0.95 * column.notna().sum():
            out[name] = numbers
        else:
            out[name] = column.astype("category")
    return out


def contenders() -> dict[str, Callable[[], Any]]:
    return {
        BASELINE: lambda: lgb.LGBMClassifier(verbose=-1, n_jobs=1),
        "Keepwise": lambda: ChurnClassifier(n_jobs=1),
        "Keepwise, small trees": lambda: ChurnClassifier(n_jobs=1, num_leaves=8),
    }


def _folds(y: np.ndarray, groups: np.ndarray | None, seed: int) -> list[Any]:
    if groups is None:
        return list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(y, y))
    split = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=seed)
    return list(split.split(y, y, groups))


def run_table(name: str, repeats: int) -> dict[str, Any]:
    X, y, groups = TABLES[name]()
    inputs = {BASELINE: plain_frame(X)}
    aucs: dict[str, list[float]] = {c: [] for c in contenders()}
    seconds = dict.fromkeys(contenders(), 0.0)
    kept: list[tuple[int, float]] = []
    test_share = []
    for seed in range(repeats):
        for train, held in _folds(y, groups, seed):
            test_share.append(len(held) / len(train))
            for contender, make in contenders().items():
                data = inputs.get(contender, X)
                start = time.process_time()
                model = make().fit(data.iloc[train], y[train])
                seconds[contender] += time.process_time() - start
                proba = model.predict_proba(data.iloc[held])[:, 1]
                aucs[contender].append(float(roc_auc_score(y[held], proba)))
                if contender == "Keepwise":
                    kept.append((model.num_leaves_, model.tree_weight_))
    return {"rows": len(y), "churn": float(y.mean()), "aucs": aucs, "seconds": seconds,
            "kept": kept, "test_share": float(np.mean(test_share))}  # fmt: skip


def paired(diffs: np.ndarray, test_share: float) -> tuple[float, float, float]:
    """Mean difference, its corrected standard error and the two-sided p-value."""
    n = len(diffs)
    se = float(np.sqrt((1 / n + test_share) * np.var(diffs, ddof=1)))
    t = float(np.mean(diffs)) / se if se > 0 else 0.0
    return float(np.mean(diffs)), se, float(2 * stats.t.sf(abs(t), n - 1))


def report(name: str, result: dict[str, Any]) -> list[str]:
    base = np.array(result["aucs"][BASELINE])
    lines = []
    for contender, values in result["aucs"].items():
        auc = np.array(values)
        seconds = result["seconds"][contender]
        if contender == BASELINE:
            lines.append(f"| {name} | {contender} | {auc.mean():.4f} | 1.0000 | – | – | – | "
                         f"{seconds:.0f} |")  # fmt: skip
            continue
        diff, se, p = paired(auc - base, result["test_share"])
        lines.append(f"| {name} | {contender} | {auc.mean():.4f} | {auc.mean() / base.mean():.4f}"
                     f" | {diff:+.4f} | {se:.4f} | {p:.3f} | {seconds:.0f} |")  # fmt: skip
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of 5-fold CV")
    parser.add_argument("--tables", default=",".join(TABLES), help="comma-separated")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    names = [n.strip() for n in args.tables.split(",") if n.strip()]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{args.repeats} × {FOLDS}-fold CV, the same folds for every contender\n")  # fmt: skip
    lines = ["| table | model | ROC-AUC | ratio | diff vs plain | SE | p | fit CPU s |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    notes = []
    for name in names:
        result = run_table(name, args.repeats)
        lines += report(name, result)
        leaves = pd.Series([k for k, _ in result["kept"]]).value_counts().to_dict()
        weight = np.mean([w for _, w in result["kept"]])
        notes.append(f"{name}: {result['rows']:,} rows, churn {result['churn']:.1%}; Keepwise "
                     f"kept num_leaves {leaves}, mean tree weight {weight:.2f}")  # fmt: skip
        print(lines[-3], lines[-2], lines[-1], sep="\n", flush=True)
    print("\n" + "\n".join(lines) + "\n\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
