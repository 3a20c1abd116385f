"""Benchmark (issue 5): churn-risk feature build, training and scoring on the demo company,
against scikit-learn's HistGradientBoostingClassifier on the same features in the same run.

    .venv/bin/python benchmarks/risk_scoring.py [--customers 1000000] [--train-customers 200000]

Two demo workspaces are generated (two years of history) and loaded straight into DuckDB
(setup, not timed). Each measured step runs in its own child process (wall time of the step,
peak RSS of the process):

* train, Keepwise: ``risk.train`` — snapshot features, fit + time-split evaluation + refit of
  the calibrated LightGBM/linear blend with baselines, storing the model;
* train, HistGradientBoosting: the same snapshot features, one ``fit``;
* score, Keepwise: ``risk.score`` on every active customer — features, probability, band, three
  bilingual drivers (for everyone, then only for the medium and high bands: LightGBM's exact
  per-customer contributions are the costly part), upsert into ``scores``;
* score, HistGradientBoosting: the same features and ``predict_proba``.

Targets: feature build + scoring of 1,000,000 customers <= 60 s and <= 6 GB; training on
200,000 customers <= 90 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
from pathlib import Path

from _measure import Measurement, measure

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "risk"
AS_OF = "2026-11-01"

SETUP = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
from keepwise.demo import generate_company
from _company import load_frames
n, folder = int(sys.argv[1]), Path(sys.argv[2])
kinds = ("owners", "customers", "orders", "usage", "interactions", "tickets", "surveys",
         "status-events")
frames = generate_company(n_customers=n, seed=11, as_of=dt.date(2026, 11, 1), years=2,
                          kinds=kinds)
ws = Workspace.init(folder, lang="en")
orders = load_frames(ws, frames)
(folder / "keepwise.toml").open("a").write("\\n[risk]\\nsnapshots = 4\\n")
ws.close()
RESULT = {"orders": orders, "customers": n}
"""

TRAIN_KW = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
ws = Workspace.open(Path(sys.argv[1]))
t0 = time.perf_counter()
r = ws.risk.train(dt.date(2026, 11, 1))
STEP = time.perf_counter() - t0
auc = r.evaluation.get("reports", {}).get("keepwise", {}).get("roc_auc")
RESULT = {"step": STEP, "rows": r.rows, "churners": r.churners, "auc": auc}
"""

TRAIN_HGB = """
import datetime as dt, pickle
from pathlib import Path
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from keepwise import Workspace
from keepwise.risk.features import CATEGORIES, FEATURES
from keepwise.risk.training import load_snapshots, snapshot_dates
ws = Workspace.open(Path(sys.argv[1]))
t0 = time.perf_counter()
dates = snapshot_dates(dt.date(2026, 11, 1), 90, 5)
frame = load_snapshots(ws.store, dates, 90, ws.config.churn)
cats = [c for c in (*CATEGORIES, "value_tier") if c in FEATURES]
used = [c for c in FEATURES if frame[c].notna().any()]  # HGB cannot bin an empty column
cats = [c for c in cats if c in used]
def encode(df, levels=None):
    X = df[used].copy()
    levels = levels or {c: sorted(X[c].dropna().astype(str).unique()) for c in cats}
    for c in cats:
        X[c] = X[c].astype(str).map({v: i for i, v in enumerate(levels[c])}).astype(float)
    return X.astype(float), levels
test = frame["as_of"] == frame["as_of"].max()
X, levels = encode(frame[~test])
model = HistGradientBoostingClassifier(categorical_features=[X.columns.get_loc(c) for c in cats],
                                       random_state=0)
model.fit(X, frame.loc[~test, "churned"])
Xt, _ = encode(frame[test], levels)
auc = float(roc_auc_score(frame.loc[test, "churned"], model.predict_proba(Xt)[:, 1]))
STEP = time.perf_counter() - t0
pickle.dump((model, levels, cats, used), open(sys.argv[2], "wb"))
RESULT = {"step": STEP, "rows": len(frame), "auc": auc}
"""

SCORE_KW = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
from keepwise.risk.training import DEFAULT_CUTOFFS
from keepwise.store import schema
import sqlalchemy as sa
train_ws, score_ws = Workspace.open(Path(sys.argv[1])), Workspace.open(Path(sys.argv[2]))
with train_ws.store.begin() as conn:
    newest = sa.select(schema.models).order_by(schema.models.c.created_at.desc())
    row = conn.execute(newest).mappings().first()
train_ws.close()
with score_ws.store.begin() as conn:
    conn.execute(sa.delete(schema.models))
    conn.execute(sa.insert(schema.models).values(**row))
from keepwise import risk
t0 = time.perf_counter()
r = risk.score(score_ws.store, dt.date(2026, 11, 1), churn=score_ws.config.churn,
               created_at=dt.datetime(2026, 11, 1),
               drivers_from=sys.argv[3])
STEP = time.perf_counter() - t0
RESULT = {"step": STEP, "customers": r.customers, **r.bands}
"""

SCORE_HGB = """
import datetime as dt, pickle
from pathlib import Path
from keepwise import Workspace
from keepwise.risk.features import build_features
model, levels, cats, used = pickle.load(open(sys.argv[2], "rb"))
ws = Workspace.open(Path(sys.argv[1]))
t0 = time.perf_counter()
frame = build_features(ws.store, dt.date(2026, 11, 1), churn=ws.config.churn)
X = frame[used].copy()
for c in cats:
    X[c] = X[c].astype(str).map({v: i for i, v in enumerate(levels[c])}).astype(float)
p = model.predict_proba(X.astype(float))[:, 1]
STEP = time.perf_counter() - t0
RESULT = {"step": STEP, "customers": len(frame)}
"""


def _workspace(n: int, fresh: bool) -> Path:
    folder = DATA / f"ws-{n}"
    if fresh or not (folder / "keepwise.duckdb").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        done = measure(f"setup {n:,}", SETUP, str(n), str(folder))
        print(f"setup {n:,} customers: {done.output['orders']:,} orders, {done.seconds:.0f} s",
              flush=True)  # fmt: skip
    return folder


def _row(m: Measurement, base: Measurement) -> str:
    step, base_step = float(m.output["step"]), float(base.output["step"])  # type: ignore[arg-type]
    auc = m.output.get("auc")
    shown = f"{auc:.3f}" if isinstance(auc, float) else "-"
    return (f"| {m.name} | {step:.1f} | {m.peak_mb:,.0f} | {step / base_step:.2f}× | "
            f"{m.peak_mb / base.peak_mb:.2f}× | {shown} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--train-customers", type=int, default=200_000)
    parser.add_argument("--fresh", action="store_true", help="regenerate the workspaces")
    args = parser.parse_args()
    train_ws = _workspace(args.train_customers, args.fresh)
    score_ws = _workspace(args.customers, args.fresh)
    model_file = DATA / "hgb.pkl"
    train_kw = measure("train: Keepwise risk.train", TRAIN_KW, str(train_ws))
    train_hgb = measure("train: HistGradientBoosting", TRAIN_HGB, str(train_ws), str(model_file))
    score_kw = measure("score: Keepwise, drivers for all", SCORE_KW, str(train_ws), str(score_ws),
                       "low")  # fmt: skip
    score_kw_m = measure("score: Keepwise, drivers medium+", SCORE_KW, str(train_ws),
                         str(score_ws), "medium")  # fmt: skip
    score_hgb = measure("score: HistGradientBoosting", SCORE_HGB, str(score_ws), str(model_file))
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"training workspace {args.train_customers:,} customers "
          f"({train_kw.output['rows']:,} snapshot rows), scoring workspace "
          f"{args.customers:,} customers ({score_kw.output['customers']:,} active)\n")  # fmt: skip
    print("| step | wall s | peak MB | time vs HGB | memory vs HGB | hold-out AUC |")
    print("|---|---:|---:|---:|---:|---:|")
    for m, base in ((train_kw, train_hgb), (train_hgb, train_hgb), (score_kw, score_hgb),
                    (score_kw_m, score_hgb), (score_hgb, score_hgb)):  # fmt: skip
        print(_row(m, base))
    score_s = float(score_kw.output["step"])  # type: ignore[arg-type]
    train_s = float(train_kw.output["step"])  # type: ignore[arg-type]
    print(f"\ntargets: scoring {score_s:.1f} s (<= 60 s at 1 M), peak {score_kw.peak_mb:,.0f} MB "
          f"(<= 6,144 MB); training {train_s:.1f} s (<= 90 s at 200 k)")  # fmt: skip


if __name__ == "__main__":
    main()
