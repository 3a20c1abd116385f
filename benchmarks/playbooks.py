"""Benchmark (issue 12): ``playbooks run`` for every built-in playbook and ``playbooks
evaluate`` for all of them on the demo company, beside a plain pandas implementation of the
same target selection and evaluation (benchmarks/playbooks_pandas.py) in the same run.

    .venv/bin/python benchmarks/playbooks.py [--customers 500000] [--fresh] [--no-risk]

Setup (not timed, cached under benchmarks/_data/playbooks/): the demo company (seed 0, three
years of history to 2026-11-01) loaded straight into a DuckDB workspace; value scores (tiers),
a churn model and its risk bands, and the early-warning alerts, all as of the run day
2026-07-01; the tables exported as Parquet for pandas. Each contender then runs in its own
child process (wall time including imports, peak RSS):

* **Keepwise run** — ``ws.playbooks.run(2026-07-01)`` on a fresh copy of the workspace: the
  customers' state, every playbook's targets, the hold-out draw, owners, messages, targets and
  tasks written to the database;
* **Keepwise evaluate** — ``ws.playbooks.evaluate()`` as of 2026-11-01 (every target's window
  has ended): outcomes from the churn definition, money, intervals and tests;
* **pandas run / evaluate** — the same selection and evaluation in pandas from Parquet,
  writing its targets and tasks to Parquet. Its counts are compared with Keepwise's.

Targets: run + evaluate <= 30 s and <= 3 GB at 500,000 customers, not slower than pandas.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
from pathlib import Path

from _measure import Measurement, measure

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "playbooks"
RUN_DAY = "2026-07-01"
EVAL_DAY = "2026-11-01"
TABLES = ("customers", "orders", "status_events", "scores", "alerts", "contracts", "owners")

SETUP = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
from keepwise.demo import generate_company
from _company import load_frames
n, folder, risk = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "risk"
day = dt.date.fromisoformat(sys.argv[4])
kinds = ("owners", "customers", "contracts", "orders", "usage", "interactions", "tickets",
         "surveys", "status-events")
frames = generate_company(n_customers=n, seed=0, as_of=dt.date(2026, 11, 1), years=3,
                          kinds=kinds)
ws = Workspace.init(folder, lang="en")
orders = load_frames(ws, frames)
ws.close()
ws = Workspace.open(folder)
t = time.perf_counter(); ws.value.score(day); value_s = time.perf_counter() - t
t = time.perf_counter()
if risk:
    ws.risk.train(day)
    ws.risk.score(day)
risk_s = time.perf_counter() - t
t = time.perf_counter(); fired = ws.alerts.run(day).fired; alerts_s = time.perf_counter() - t
pq = folder / "parquet"
pq.mkdir()
raw = ws.store.engine.raw_connection()
for name in sys.argv[5].split(","):
    raw.driver_connection.execute(f"COPY {name} TO '{pq / name}.parquet' (FORMAT PARQUET)")
raw.close()
ws.close()
RESULT = {"orders": orders, "value_s": value_s, "risk_s": risk_s, "alerts_s": alerts_s,
          "alerts": fired}
"""

KW_RUN = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
ws = Workspace.open(Path(sys.argv[1]))
r = ws.playbooks.run(dt.date.fromisoformat(sys.argv[2]), actor="bench")
ws.close()
RESULT = {"targets": {x.playbook_id: [x.targets, x.held_out] for x in r.runs},
          "tasks": sum(x.tasks for x in r.runs)}
"""

KW_EVALUATE = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
ws = Workspace.open(Path(sys.argv[1]))
found = ws.playbooks.evaluate(as_of=dt.date.fromisoformat(sys.argv[2]))
ws.close()
RESULT = {"evaluations": {e.playbook_id: [e.uplift.n1, e.uplift.x1, e.uplift.n0, e.uplift.x0,
                                          e.uplift.p_value, e.uplift.verdict] for e in found}}
"""

PD_RUN = """
import datetime as dt
from pathlib import Path
sys.path.insert(0, sys.argv[4])
import playbooks_pandas as pp
folder, out, day = Path(sys.argv[1]), Path(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
found = pp.targets(folder, day)
work = pp.tasks(folder, found, day)
found.drop(columns=["name", "owner_id"]).to_parquet(out / "targets.parquet")
work.to_parquet(out / "tasks.parquet")
g = found.groupby("playbook_id").holdout
RESULT = {"targets": {k: [int(g.size()[k]), int(g.sum()[k])] for k in g.size().index},
          "tasks": len(work)}
"""

PD_EVALUATE = """
import datetime as dt
from pathlib import Path
import pandas as pd
sys.path.insert(0, sys.argv[4])
import playbooks_pandas as pp
folder, out, day = Path(sys.argv[1]), Path(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
found = pd.read_parquet(out / "targets.parquet")
work = pd.read_parquet(out / "tasks.parquet")
rows = pp.evaluate(folder, found, work, day)
RESULT = {"evaluations": {r["playbook_id"]: [r["treated"], r["treated_ok"], r["holdout"],
                                             r["holdout_ok"], r["p"]] for r in rows}}
"""


def _workspace(n: int, fresh: bool, risk: bool) -> Path:
    folder = DATA / f"ws-{n}"
    if fresh or not (folder / "parquet" / "owners.parquet").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        done = measure(f"setup {n:,}", SETUP, str(n), str(folder), "risk" if risk else "none",
                       RUN_DAY, ",".join(TABLES))  # fmt: skip
        o = done.output
        print(f"setup {n:,} customers: {o['orders']:,} orders, {done.seconds:.0f} s (value "
              f"scores {o['value_s']:.0f} s, risk {o['risk_s']:.0f} s, alerts "
              f"{o['alerts_s']:.0f} s: {o['alerts']}), peak {done.peak_mb:,.0f} MB",
              flush=True)  # fmt: skip
    return folder


def _fresh_copy(folder: Path) -> Path:
    copy = folder.parent / f"{folder.name}-run"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir()
    shutil.copy2(folder / "keepwise.toml", copy / "keepwise.toml")
    shutil.copy2(folder / "keepwise.duckdb", copy / "keepwise.duckdb")
    return copy


def _row(m: Measurement, base: float, base_mb: float) -> str:
    return (f"| {m.name} | {m.seconds:.2f} | {m.peak_mb:,.0f} | {m.seconds / base:.2f}× | "
            f"{m.peak_mb / base_mb:.2f}× |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--fresh", action="store_true", help="regenerate the workspace")
    parser.add_argument("--no-risk", action="store_true", help="no churn model (no risk bands)")
    args = parser.parse_args()
    folder = _workspace(args.customers, args.fresh, not args.no_risk)
    work = _fresh_copy(folder)
    out = DATA / f"pandas-{args.customers}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    pq = str(folder / "parquet")
    kw_run = measure("Keepwise run", KW_RUN, str(work), RUN_DAY)
    kw_eval = measure("Keepwise evaluate", KW_EVALUATE, str(work), EVAL_DAY)
    pd_run = measure("pandas run", PD_RUN, pq, str(out), RUN_DAY, str(HERE))
    pd_eval = measure("pandas evaluate", PD_EVALUATE, pq, str(out), EVAL_DAY, str(HERE))
    kw_t = {k: v for k, v in kw_run.output["targets"].items() if v[0]}  # type: ignore[union-attr]
    same_targets = kw_t == pd_run.output["targets"]
    kw_e, pd_e = kw_eval.output["evaluations"], pd_eval.output["evaluations"]
    same_counts = all(kw_e[k][:4] == pd_e[k][:4] for k in kw_e)  # type: ignore[index]
    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{args.customers:,} customers; run {RUN_DAY}, evaluate {EVAL_DAY}\n"
    )
    print("targets (treated + held out) per playbook:", kw_run.output["targets"])
    print(
        f"same targets as pandas: {same_targets}; same outcome counts: {same_counts}; "
        f"tasks {kw_run.output['tasks']:,} (pandas {pd_run.output['tasks']:,})\n"
    )
    base = pd_run.seconds + pd_eval.seconds
    base_mb = max(pd_run.peak_mb, pd_eval.peak_mb)
    print("| step | wall s | peak MB | time vs pandas run + evaluate | memory vs pandas |")
    print("|---|---:|---:|---:|---:|")
    for m in (kw_run, kw_eval, pd_run, pd_eval):
        print(_row(m, base, base_mb))
    total = kw_run.seconds + kw_eval.seconds
    peak = max(kw_run.peak_mb, kw_eval.peak_mb)
    print(f"| Keepwise run + evaluate | {total:.2f} | {peak:,.0f} | {total / base:.2f}× | "
          f"{peak / base_mb:.2f}× |")  # fmt: skip
    print(f"| pandas run + evaluate | {base:.2f} | {base_mb:,.0f} | 1.00× | 1.00× |")
    print(f"\ntargets: run + evaluate {total:.1f} s (<= 30 s), peak {peak:,.0f} MB (<= 3,072 MB), "
          f"not slower than pandas ({base:.1f} s)")  # fmt: skip
    for k in kw_e:
        print(k, "Keepwise", kw_e[k], "pandas", pd_e.get(k))  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
