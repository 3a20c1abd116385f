"""Benchmark (issue 2): import a 1,000,000-row orders CSV made by the demo generator into a fresh
workspace, beside a plain ``pandas.read_csv`` + ``DataFrame.to_sql`` into the same kind of
database, measured in the same run, and the same file imported again (every row an update:
the orders' index by customer must not make the upsert slow). Target: ≤ 20 s and ≤ 1.5 GB
peak, no slower than pandas.

    .venv/bin/python benchmarks/import_orders.py [--orders 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
from pathlib import Path

from _measure import Measurement, measure, table

DATA = Path(__file__).with_name("_data")

GENERATE = """
from pathlib import Path
import datetime as dt
from keepwise.demo import generate_company, write_company
target, n_orders = Path(sys.argv[1]), int(sys.argv[2])
n = max(1000, n_orders // 20)
while True:
    frames = generate_company(n_customers=n, seed=7, as_of=dt.date(2026, 11, 1),
                              kinds=("customers", "orders"))
    if len(frames["orders"]) >= n_orders:
        break
    n = int(n * n_orders / len(frames["orders"]) * 1.05) + 1
frames["orders"] = frames["orders"].iloc[:n_orders]
paths = write_company(frames, target)
RESULT = {"orders": len(frames["orders"]), "customers": len(frames["customers"])}
"""

KEEPWISE = """
from pathlib import Path
import datetime as dt
from keepwise import Workspace
ws = Workspace.open(Path(sys.argv[1]))
r = ws.imports.load("orders", Path(sys.argv[2]), today=dt.date(2026, 11, 25))
ws.close()
RESULT = {"loaded": r.rows_loaded, "rejected": r.rejects_file is not None}
"""

PANDAS = """
from pathlib import Path
import pandas as pd
import sqlalchemy as sa
engine = sa.create_engine("duckdb:///" + str(Path(sys.argv[1]) / "keepwise.duckdb"))
df = pd.read_csv(sys.argv[2], parse_dates=["ordered_at"])
df.to_sql("orders", engine, if_exists="append", index=False)
engine.dispose()
RESULT = {"loaded": len(df)}
"""

PREPARE = """
from pathlib import Path
import datetime as dt
from keepwise import Workspace
ws = Workspace.init(Path(sys.argv[1]))
ws.imports.load("customers", Path(sys.argv[2]), today=dt.date(2026, 11, 25))
ws.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    data = DATA / f"orders_{args.orders}"
    if not (data / "orders.csv").exists():
        print("generating the demo orders …", flush=True)
        measure("generate", GENERATE, str(data), str(args.orders))
    size_mb = (data / "orders.csv").stat().st_size / 2**20
    rows: list[Measurement] = []
    for name, code in (("pandas read_csv + to_sql", PANDAS), ("keepwise import", KEEPWISE)):
        ws = DATA / f"ws_{name.split()[0]}"
        shutil.rmtree(ws, ignore_errors=True)
        measure("prepare", PREPARE, str(ws), str(data / "customers.csv"))
        rows.append(measure(name, code, str(ws), str(data / "orders.csv")))
        if code is KEEPWISE:  # the same file again: every row an update of the upsert
            rows.append(measure("keepwise re-import", code, str(ws), str(data / "orders.csv")))
        shutil.rmtree(ws, ignore_errors=True)
    print(f"\n{args.orders:,} orders, CSV {size_mb:.0f} MB — {platform.processor() or platform.machine()}"
          f", {dt.date.today()}\n")  # fmt: skip
    print(table(rows, "pandas read_csv + to_sql"))


if __name__ == "__main__":
    main()
