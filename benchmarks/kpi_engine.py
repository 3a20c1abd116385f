"""Benchmark (issue 3): every KPI of the catalogue for 24 monthly periods, uncut and cut by
segment, on the demo company — Keepwise on DuckDB beside a pandas implementation of the same
KPIs (benchmarks/kpi_pandas.py), and Keepwise on Spark local.

    .venv/bin/python benchmarks/kpi_engine.py [--customers 500000] [--no-spark]

Setup (not timed): the demo generator's company (three years of history, seed 5) loaded
straight into a DuckDB workspace, value scores written by ``keepwise value score`` (so the
tier mix and predicted CLV have data), and the tables exported as Parquet files. Each
contender then runs in its own child process (wall time, peak RSS):

* pandas: read the Parquet files, then every KPI uncut and by segment (``compute_pandas``);
* Keepwise, DuckDB, two calls: ``Workspace.metrics`` uncut, then by segment, on the
  workspace file (each call computes everything, as two ``keepwise metrics`` commands do);
* Keepwise, DuckDB, one session: ``keepwise.metrics.compute`` on ``Tables(keep=True)``, the
  Python API's session of reports: the cut report reuses the customer facts of the uncut one;
* Keepwise, DuckDB, one request: ``ws.metrics.cuts(cuts=[None, "segment"])`` (``keepwise
  metrics --by segment --total``): one pass by segment, the uncut totals summed from its sums;
* Keepwise, DuckDB, two calls, inactivity: ``[churn] mode = "inactivity"`` (90 days), which
  pandas does not implement (no ratio);
* Keepwise, Spark local: the Parquet files as Spark tables through Ibis's PySpark backend
  (session start reported apart).

The numbers must agree: the script compares every row of the three results (events mode)
and fails if any numerator, denominator or value differs.

Target: the Keepwise pass <= 15 s and <= 4 GB peak on 2 cores, >= 5x faster than pandas.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import Measurement, measure  # noqa: E402
from kpi_pandas import differences  # noqa: E402

DATA = HERE / "_data" / "kpi_engine"
AS_OF, START, END = "2026-11-01", "2024-11-01", "2026-11-01"
#: The request every contender computes, as a line of its snippet.
WHEN = (f"import datetime as dt\nwhen = {{k: dt.date.fromisoformat(v) for k, v in "
        f"dict(as_of={AS_OF!r}, start={START!r}, end={END!r}).items()}}\n")  # fmt: skip
TABLES = ("customers", "orders", "status_events", "scores", "marketing_spend", "leads",
          "tickets", "surveys", "interactions")  # fmt: skip

SETUP = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
from keepwise.demo import generate_company
from _company import load_frames
n, folder = int(sys.argv[1]), Path(sys.argv[2])
kinds = ("owners", "customers", "orders", "interactions", "tickets", "surveys", "leads",
         "spend", "status-events")
frames = generate_company(n_customers=n, seed=5, as_of=dt.date(2026, 11, 1), years=3,
                          kinds=kinds)
ws = Workspace.init(folder / "ws", lang="en")
orders = load_frames(ws, frames)
ws.value.score(dt.date(2026, 11, 1))
con = ws.store.engine.raw_connection().driver_connection
for name in sys.argv[3].split(","):
    con.execute(f"COPY {name} TO '{folder / (name + '.parquet')}' (FORMAT parquet)")
ws.close()
RESULT = {"orders": orders, "customers": n}
"""

PANDAS = (
    WHEN
    + """
import datetime as dt
from pathlib import Path
import pandas as pd
from kpi_pandas import compute_pandas
folder = Path(sys.argv[1])
t0 = time.perf_counter()
frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in sys.argv[2].split(",")}
loaded = time.perf_counter() - t0
uncut = compute_pandas(frames, **when)
cut = compute_pandas(frames, **when, by="segment")
pd.concat([uncut.assign(cut=""), cut.assign(cut="segment")]).to_parquet(
    folder / "result-pandas.parquet")
RESULT = {"rows": len(uncut) + len(cut), "load_s": loaded}
"""
)

KEEPWISE = (
    WHEN
    + """
import dataclasses, datetime as dt
from pathlib import Path
import pandas as pd
from keepwise._core.config import ChurnConfig, ChurnRule
from keepwise.metrics import Tables, compute
from keepwise.workspace import Workspace
folder, mode, how = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
ws = Workspace.open(folder / "ws")
churn = ChurnConfig(default=ChurnRule(mode=mode, inactivity_days=90))
if how == "request":  # one request for both cuts: the totals are summed from the cut's sums
    ws.config = dataclasses.replace(ws.config, churn=churn)
    results = ws.metrics.cuts(cuts=[None, "segment"], **when)
    uncut, cut = results[None], results["segment"]
elif how == "session":  # one set of tables for both reports: the second reuses the customer facts
    tables = Tables.from_backend(ws.store.ibis(), keep=True)
    uncut = compute(tables, None, **when, churn=churn)
    cut = compute(tables, None, **when, by="segment", churn=churn)
    tables.release()
else:  # two independent calls, as two `keepwise metrics` commands would make
    ws.config = dataclasses.replace(ws.config, churn=churn)
    uncut = ws.metrics.compute(**when)
    cut = ws.metrics.compute(**when, by="segment")
pd.concat([uncut.assign(cut=""), cut.assign(cut="segment")]).to_parquet(
    folder / f"result-keepwise-{mode}-{sys.argv[3]}.parquet")
RESULT = {"rows": len(uncut) + len(cut)}
"""
)

SPARK = (
    WHEN
    + """
import datetime as dt, os
from pathlib import Path
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
import ibis
from pyspark.sql import SparkSession
from keepwise.metrics import Tables, compute
folder = Path(sys.argv[1])
session = (SparkSession.builder.master("local[2]").appName("keepwise-benchmark")
           .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
           .config("spark.sql.shuffle.partitions", "4")
           .config("spark.sql.session.timeZone", "UTC")
           .config("spark.driver.memory", "8g").getOrCreate())
session.sparkContext.setLogLevel("ERROR")
started = time.perf_counter() - t0
t1 = time.perf_counter()
for name in sys.argv[2].split(","):
    session.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)
con = ibis.pyspark.connect(session)
# The reason taxonomy: the built-in labels (reasons=None), as a workspace without its own.
tables = Tables(**{n: con.table(n) for n in sys.argv[2].split(",")}, backend=con)
uncut = compute(tables, None, **when)
cut = compute(tables, None, **when, by="segment")
import pandas as pd
pd.concat([uncut.assign(cut=""), cut.assign(cut="segment")]).to_parquet(
    folder / "result-spark.parquet")
RESULT = {"rows": len(uncut) + len(cut), "session_s": started,
          "pass_s": time.perf_counter() - t1}
"""
)


def _setup(customers: int) -> Path:
    folder = DATA / f"demo-{customers}"
    if not (folder / "interactions.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        done = measure("setup", SETUP, str(customers), str(folder), ",".join(TABLES))
        print(f"setup: {customers:,} customers, {done.output['orders']:,} orders, "
              f"{done.seconds:.0f} s", flush=True)  # fmt: skip
    return folder


def _row(m: Measurement, base: Measurement | None) -> str:
    ratio = f"{base.seconds / m.seconds:.1f}×" if base else "-"
    mem = f"{m.peak_mb / base.peak_mb:.2f}×" if base else "-"
    return f"| {m.name} | {m.seconds:.1f} | {m.peak_mb:,.0f} | {ratio} | {mem} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark pass")
    args = parser.parse_args()
    folder = _setup(args.customers)
    tables = ",".join(TABLES)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])
    pandas_run = measure("pandas (read Parquet + every KPI)", PANDAS, str(folder), tables)
    events = measure("Keepwise, DuckDB, two calls", KEEPWISE, str(folder), "events", "calls")
    session = measure("Keepwise, DuckDB, one session", KEEPWISE, str(folder), "events",
                      "session")  # fmt: skip
    request = measure("Keepwise, DuckDB, one request (--by segment --total)", KEEPWISE,
                      str(folder), "events", "request")  # fmt: skip
    inactivity = measure("Keepwise, DuckDB, two calls, inactivity 90 d", KEEPWISE, str(folder),
                         "inactivity", "calls")  # fmt: skip
    spark = None if args.no_spark else measure("Keepwise, Spark local", SPARK, str(folder), tables)
    orders = pd.read_parquet(folder / "orders.parquet", columns=["order_id"])
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{args.customers:,} customers, {len(orders):,} orders; 24 months "
          f"[{START}, {END}), as of {AS_OF}; every KPI uncut and by segment "
          f"({events.output['rows']:,} result rows)\n")  # fmt: skip
    print("| step | wall s | peak MB | speed-up vs pandas | memory vs pandas |")
    print("|---|---:|---:|---:|---:|")
    print(_row(pandas_run, pandas_run))
    print(_row(events, pandas_run))
    print(_row(session, pandas_run))
    print(_row(request, pandas_run))
    print(_row(inactivity, None))
    if spark is not None:
        print(_row(spark, None))
        print(f"\nSpark: session start {spark.output['session_s']:.1f} s, "
              f"pass {spark.output['pass_s']:.1f} s")  # fmt: skip
    print(f"pandas: reading the Parquet files {pandas_run.output['load_s']:.1f} s of "
          f"{pandas_run.seconds:.1f} s")  # fmt: skip
    result = pd.read_parquet(folder / "result-keepwise-events-calls.parquet")
    others = {"pandas": "result-pandas.parquet",
              "Keepwise session": "result-keepwise-events-session.parquet",
              "Keepwise one request": "result-keepwise-events-request.parquet"}  # fmt: skip
    if spark is not None:
        others["Spark"] = "result-spark.parquet"
    keys = ("cut", "metric", "period_start")
    bad = {name: len(differences(result, pd.read_parquet(folder / f), keys))
           for name, f in others.items()}  # fmt: skip
    print("rows that differ from Keepwise on DuckDB: "
          + ", ".join(f"{k} {v}" for k, v in bad.items()))  # fmt: skip
    for m in (events, session, request):
        print(f"targets, {m.name}: {m.seconds:.1f} s (<= 15 s), {m.peak_mb:,.0f} MB "
              f"(<= 4,096 MB), {pandas_run.seconds / m.seconds:.1f}× pandas (>= 5×)")  # fmt: skip
    if any(bad.values()):
        raise SystemExit("the contenders disagree")


if __name__ == "__main__":
    main()
