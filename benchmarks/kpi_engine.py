"""Benchmark (issue 3): every KPI of the catalogue for 24 monthly periods on DuckDB.

A synthetic workspace (default 500,000 customers, 10,000,000 orders over three years, 100,000
status events, tickets, surveys, leads, follow-ups, spend and value scores) is written once
with SQL into ``benchmarks/_data/kpi_engine``. Each step runs in its own child process:

* baseline: hand-written DuckDB SQL for one KPI (monthly churn rate, explicit events);
* keepwise churn_rate alone, explicit events;
* keepwise every KPI, explicit events (``[churn] mode = "events"``, the default);
* keepwise every KPI, inactivity (churn inferred after 90 days without an order).

    .venv/bin/python benchmarks/kpi_engine.py [--customers 500000] [--orders 10000000]

Target: every KPI for 24 months on 500k customers / 10M orders in at most 15 s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import Measurement, measure, table  # noqa: E402

DATA = HERE / "_data" / "kpi_engine"

GENERATE = """
from pathlib import Path
from keepwise.workspace import Workspace
path, n_c, n_o = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ws = Workspace.init(path, lang="en")
con = ws.store.ibis().con
day = "TIMESTAMP '2022-01-01' + INTERVAL (hash(i * {k}) % {n}) DAY"
con.execute(f'''INSERT INTO customers (customer_id, name, segment, industry, region, channel,
  owner_id, acquired_at, acquisition_cost, status)
  SELECT 'C' || i, 'name ' || i, ['retail','smb','ent','mid'][1 + i % 4], ['a','b','c'][1 + i % 3],
  ['n','s','e','w','c'][1 + i % 5], ['web','sales','partner','ads'][1 + (i // 7) % 4],
  'O' || (i % 50), {day.format(k=1, n=900)}, (hash(i) % 100)::DOUBLE, 'active'
  FROM range({n_c}) t(i)''')
con.execute(f'''INSERT INTO orders (order_id, customer_id, ordered_at, amount, cancelled)
  SELECT 'O' || i, 'C' || (hash(i) % {n_c}), {day.format(k=7, n=1095)}
  + INTERVAL (hash(i * 3) % 86400) SECOND, (hash(i * 13) % 1000)::DOUBLE / 10,
  hash(i * 17) % 50 = 0 FROM range({n_o}) t(i)''')
con.execute(f'''INSERT INTO status_events (customer_id, occurred_at, to_status, reason, source)
  SELECT 'C' || (hash(i * 5) % {n_c}), {day.format(k=11, n=1095)} + INTERVAL (i % 1000) SECOND,
  ['churned','voided','active','at_risk','churned'][1 + i % 5],
  ['price','service','duplicate','neglect'][1 + i % 4], 'import' FROM range({n_c // 5}) t(i)''')
con.execute(f'''INSERT INTO tickets (ticket_id, customer_id, opened_at, first_response_at,
  is_complaint) SELECT 'T' || i, 'C' || (hash(i * 19) % {n_c}), {day.format(k=1, n=1095)},
  CASE WHEN i % 10 > 0 THEN {day.format(k=1, n=1095)} + INTERVAL (i % 100) HOUR END, i % 4 = 0
  FROM range({n_c // 2}) t(i)''')
con.execute(f'''INSERT INTO surveys (survey_id, customer_id, answered_at, csat, recommend)
  SELECT 'S' || i, 'C' || (hash(i * 23) % {n_c}), {day.format(k=1, n=1095)}, 1 + i % 5, i % 11
  FROM range({n_c // 4}) t(i)''')
con.execute(f'''INSERT INTO leads (lead_id, created_at, source, customer_id, converted_at)
  SELECT 'L' || i, {day.format(k=1, n=1095)}, ['web','sales','partner','ads'][1 + i % 4],
  CASE WHEN i % 3 = 0 THEN 'C' || (i % {n_c}) END,
  CASE WHEN i % 3 = 0 THEN {day.format(k=1, n=1095)} + INTERVAL 5 DAY END
  FROM range({n_c // 2}) t(i)''')
con.execute(f'''INSERT INTO interactions (interaction_id, customer_id, occurred_at, type)
  SELECT 'I' || i, 'C' || (hash(i * 29) % {n_c}), {day.format(k=1, n=1095)}, 'call'
  FROM range({n_c // 2}) t(i)''')
con.execute('''INSERT INTO marketing_spend (period_start, channel, amount)
  SELECT DATE '2022-01-01' + INTERVAL (m) MONTH, c, 10000 FROM range(36) t(m),
  (VALUES ('web'), ('sales'), ('partner'), ('ads')) v(c)''')
con.execute(f'''INSERT INTO scores (customer_id, model_version, as_of, p_alive, predicted_clv,
  value_tier, risk_band) SELECT 'C' || i, 'v1', DATE '2024-12-01', (hash(i) % 100)::DOUBLE / 100,
  (hash(i * 3) % 10000)::DOUBLE, ['high','mid','low','no_value'][1 + i % 4],
  ['low','medium','high'][1 + i % 3] FROM range({n_c}) t(i)''')
ws.close()
"""

BASELINE = """
from pathlib import Path
from keepwise.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
con = ws.store.ibis().con
rows = con.execute('''
WITH m AS (SELECT CAST(range AS DATE) ps, CAST(range + INTERVAL 1 MONTH AS DATE) pe
           FROM range(DATE '2023-01-01', DATE '2025-01-01', INTERVAL 1 MONTH)),
ev AS (SELECT customer_id, CAST(occurred_at AS DATE) d, occurred_at, id, to_status
       FROM status_events WHERE CAST(occurred_at AS DATE) < DATE '2025-01-01'),
f AS (SELECT customer_id, min(CAST(ordered_at AS DATE)) first_order FROM orders
      WHERE NOT cancelled AND CAST(ordered_at AS DATE) < DATE '2025-01-01' GROUP BY 1),
c AS (SELECT c.customer_id, least(CAST(c.acquired_at AS DATE), f.first_order) acq
      FROM customers c LEFT JOIN f USING (customer_id)),
st AS (SELECT m.ps, e.customer_id, arg_max(e.to_status, (e.occurred_at, e.id)) s
       FROM m JOIN ev e ON e.d < m.ps GROUP BY 1, 2),
lost AS (SELECT DISTINCT m.ps, e.customer_id FROM m JOIN ev e
         ON e.d >= m.ps AND e.d < m.pe AND e.to_status IN ('churned', 'voided')),
base AS (SELECT m.ps, c.customer_id FROM m JOIN c ON c.acq < m.ps
         LEFT JOIN st ON st.ps = m.ps AND st.customer_id = c.customer_id
         WHERE st.s IS NULL OR st.s NOT IN ('churned', 'voided'))
SELECT b.ps, count(*) at_start, count(l.customer_id) churned FROM base b
LEFT JOIN lost l ON l.ps = b.ps AND l.customer_id = b.customer_id GROUP BY 1 ORDER BY 1
''').fetchall()
RESULT = {"periods": len(rows)}
"""

KEEPWISE = """
import datetime as dt
from pathlib import Path
from keepwise._core.config import ChurnConfig, ChurnRule
from keepwise.metrics import Tables, compute
from keepwise.workspace import Workspace
path, mode, ids = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
ws = Workspace.open(path)
churn = ChurnConfig(default=ChurnRule(mode=mode, inactivity_days=90))
df = compute(Tables.from_backend(ws.store.ibis()), ids.split(",") if ids else None,
             as_of=dt.date(2025, 1, 1), start=dt.date(2023, 1, 1), end=dt.date(2025, 1, 1),
             churn=churn)
RESULT = {"rows": len(df), "periods": int(df["period_start"].nunique())}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    args = parser.parse_args()
    path = DATA / f"{args.customers}-{args.orders}"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        made = measure("generate", GENERATE, str(path), str(args.customers), str(args.orders))
        print(f"generated {path} in {made.seconds:.1f} s")
    rows: list[Measurement] = [
        measure("DuckDB SQL, churn_rate", BASELINE, str(path)),
        measure("keepwise churn_rate", KEEPWISE, str(path), "events", "churn_rate"),
        measure("keepwise every KPI, events", KEEPWISE, str(path), "events", ""),
        measure("keepwise every KPI, inactivity 90 d", KEEPWISE, str(path), "inactivity", ""),
    ]
    print(table(rows, "DuckDB SQL, churn_rate"))


if __name__ == "__main__":
    main()
