"""Benchmark (issue 4): the customer-value chain against the ``lifetimes`` 0.11.3 package.

On the demo generator's customers and orders (default 100,000 customers, one year of history,
about 0.9 M transactions): RFM summary, BG/NBD fit, Pareto/NBD fit, Gamma-Gamma fit and CLV for
every customer, each step in its own child process (wall time of the step itself, peak RSS of
the process), Keepwise and lifetimes in the same run. The fits of both packages run on the
same summary (Keepwise's), so their parameters can be compared. Then the whole Keepwise chain
(summary → BG/NBD → Gamma-Gamma → P(alive), expected purchases, CLV) on 1,000,000 customers.

lifetimes lives only in ``benchmarks/.venv-lifetimes``, created on first use:

    .venv/bin/python benchmarks/value_chain.py [--customers 100000] [--chain-customers 1000000]

Targets: parameters equal to 1e-3 relative; Pareto/NBD fit >= 10x faster than lifetimes;
the 1 M-customer chain <= 60 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "value_chain"
LT_VENV = HERE / ".venv-lifetimes"
LT_PYTHON = LT_VENV / "bin" / "python"
AS_OF = "2026-11-01"

GENERATE = """
import datetime as dt
from keepwise.demo import generate_company
n, out = int(sys.argv[1]), sys.argv[2]
frames = generate_company(n_customers=n, seed=7, as_of=dt.date(2026, 11, 1), years=1,
                          kinds=("customers", "orders"))
o = frames["orders"][["customer_id", "ordered_at", "amount", "cancelled"]]
o.to_parquet(out, index=False)
RESULT = {"orders": len(o), "customers": int(o["customer_id"].nunique())}
"""

KW_RFM = """
import datetime as dt
import ibis
from keepwise.value.rfm import rfm_summary
con = ibis.duckdb.connect()
orders = con.create_table("orders", con.read_parquet(sys.argv[1]))
t0 = time.perf_counter()
s = rfm_summary(orders, dt.date(2026, 11, 1), "days").execute()
STEP = time.perf_counter() - t0
s[["customer_id", "frequency", "recency", "T", "monetary_value"]].to_parquet(sys.argv[2])
RESULT = {"customers": len(s)}
"""

LT_RFM = """
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
o = pd.read_parquet(sys.argv[1])
o = o[~o["cancelled"]]
t0 = time.perf_counter()
s = summary_data_from_transaction_data(o, "customer_id", "ordered_at", monetary_value_col="amount",
                                       observation_period_end="2026-10-31", freq="D")
STEP = time.perf_counter() - t0
s.reset_index().to_parquet(sys.argv[2])
RESULT = {"customers": len(s)}
"""

# Fits: ``MODEL`` is set per package; every step reads the same summary (Keepwise's).
KW_FIT = """
import numpy as np, pandas as pd
from keepwise.models.clv import BGNBD, GammaGamma, ParetoNBD
s = pd.read_parquet(sys.argv[1]); step = sys.argv[2]
x, tx, T, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
def bg(): return BGNBD().fit(x, tx, T)
def gg(): return GammaGamma().fit(rep["frequency"], rep["monetary_value"])
pre = (bg(), gg()) if step == "clv" else None
t0 = time.perf_counter()
if step == "bgnbd": model = bg()
elif step == "pareto": model = ParetoNBD().fit(x, tx, T)
elif step == "gamma": model = gg()
else:
    clv = np.asarray(pre[1].customer_lifetime_value(pre[0], x, tx, T, m, time=12,
                                                     discount_rate=0.01, freq_unit_per_month=30))
STEP = time.perf_counter() - t0
if step == "clv":
    np.save(sys.argv[3], clv); RESULT = {"total": float(clv.sum())}
else:
    RESULT = {"params": dict(model.params_), "ll": float(model.log_likelihood_)}
"""

LT_FIT = """
import warnings; warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
s = pd.read_parquet(sys.argv[1]); step = sys.argv[2]
x, tx, T, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
def bg(): return BetaGeoFitter().fit(x, tx, T)
def gg(): return GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
pre = (bg(), gg()) if step == "clv" else None
t0 = time.perf_counter()
if step == "bgnbd": model = bg()
elif step == "pareto": model = ParetoNBDFitter().fit(x, tx, T)
elif step == "gamma": model = gg()
else:
    clv = np.asarray(pre[1].customer_lifetime_value(pre[0], x, tx, T, m, time=12,
                                                     discount_rate=0.01, freq="D"))
STEP = time.perf_counter() - t0
if step == "clv":
    np.save(sys.argv[3], clv); RESULT = {"total": float(clv.sum())}
else:
    RESULT = {"params": {k: float(v) for k, v in model.params_.items()}, "ll": None}
"""

CHAIN = """
import datetime as dt
import ibis, numpy as np
from keepwise.models.clv import BGNBD, GammaGamma
from keepwise.value.rfm import rfm_summary
con = ibis.duckdb.connect()
orders = con.create_table("orders", con.read_parquet(sys.argv[1]))
t0 = time.perf_counter()
s = rfm_summary(orders, dt.date(2026, 11, 1), "weeks").execute()
t1 = time.perf_counter()
x, tx, T, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
bg = BGNBD().fit(x, tx, T)
t2 = time.perf_counter()
rep = s[(x > 0) & (m > 0)]
gg = GammaGamma().fit(rep["frequency"], rep["monetary_value"])
t3 = time.perf_counter()
p_alive = bg.probability_alive(x, tx, T)
expected = bg.expected_purchases(52.18, x, tx, T)
clv = gg.customer_lifetime_value(bg, x, tx, T, m, time=12, discount_rate=0.01,
                                 freq_unit_per_month=365.25 / 12 / 7)
STEP = time.perf_counter() - t0
RESULT = {"customers": len(s), "summary_s": t1 - t0, "bgnbd_s": t2 - t1, "gamma_s": t3 - t2,
          "predict_s": STEP - (t3 - t0), "total_clv": float(np.sum(clv))}
"""


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float  # the step itself (STEP), without imports or loading
    process_s: float  # the whole child process after start-up
    peak_mb: float
    output: dict[str, object]


def run(python: Path | str, name: str, code: str, *args: str) -> Step:
    runner = (
        "import json, resource, sys, time\n"
        "T0 = time.perf_counter()\n"
        f"{code}\n"
        "print(json.dumps({'__step': globals().get('STEP', time.perf_counter() - T0), '__all': time.perf_counter() - T0, "
        "'__peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, **RESULT}))\n"
    )
    done = subprocess.run([str(python), "-c", runner, *args], capture_output=True, text=True,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    step = Step(name, out.pop("__step"), out.pop("__all"), out.pop("__peak_kb") / 1024, out)
    print(f"  {name}: {step.seconds:.2f} s, {step.peak_mb:.0f} MB", file=sys.stderr)
    return step


def ensure_lifetimes() -> None:
    if LT_PYTHON.exists():
        return
    print("creating benchmarks/.venv-lifetimes (lifetimes 0.11.3) ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(LT_VENV)], check=True)
    subprocess.run([str(LT_PYTHON), "-m", "pip", "install", "-q", "lifetimes==0.11.3",
                    "setuptools<81", "pandas<3", "pyarrow"], check=True)  # fmt: skip


def rel_diff(a: dict[str, float], b: dict[str, float]) -> float:
    return max(abs(a[k] - b[k]) / abs(b[k]) for k in b)


def compare(kw: dict[str, Step], lt: dict[str, Step]) -> list[str]:
    import numpy as np

    lines = [
        "| step | Keepwise s | lifetimes s | speed-up | Keepwise peak MB | lifetimes peak MB "
        "| max relative parameter difference |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in (("rfm", "RFM summary"), ("bgnbd", "BG/NBD fit"),
                       ("pareto", "Pareto/NBD fit"), ("gamma", "Gamma-Gamma fit"),
                       ("clv", "CLV, all customers")):  # fmt: skip
        a, b = kw[key], lt[key]
        if key == "clv":
            x, y = np.load(DATA / "clv_kw.npy"), np.load(DATA / "clv_lt.npy")
            big = np.abs(y) > 1.0
            diff = f"{np.max(np.abs(x[big] - y[big]) / np.abs(y[big])):.1e} (per customer)"
        elif key == "rfm":
            diff = a.output.get("summary_check", "")
        else:
            diff = f"{rel_diff(a.output['params'], b.output['params']):.1e}"  # type: ignore[arg-type]
        lines.append(f"| {label} | {a.seconds:.2f} | {b.seconds:.2f} | {b.seconds / a.seconds:.1f}× "
                     f"| {a.peak_mb:.0f} | {b.peak_mb:.0f} | {diff} |")  # fmt: skip
    return lines


def check_summaries() -> str:
    import pandas as pd

    k = pd.read_parquet(DATA / "summary_kw.parquet").set_index("customer_id").sort_index()
    lt = pd.read_parquet(DATA / "summary_lt.parquet").set_index("customer_id").sort_index()
    k.index, lt.index = k.index.astype(str), lt.index.astype(str)
    same_f = len(k) == len(lt) and bool((k["frequency"] == lt["frequency"]).all())
    # lifetimes' observation end is the last day included (2026-10-31); Keepwise's T runs to
    # as_of (2026-11-01), one day later.
    t_ok = bool(((k["T"] - lt["T"]) == 1).all() and (k["recency"] == lt["recency"]).all())
    m_ok = bool(((k["monetary_value"] - lt["monetary_value"]).abs() < 1e-6).all())
    return f"frequency equal: {same_f}; recency equal, T + 1 day: {t_ok}; monetary equal: {m_ok}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--chain-customers", type=int, default=1_000_000)
    args = ap.parse_args()
    ensure_lifetimes()
    DATA.mkdir(parents=True, exist_ok=True)
    orders = DATA / f"orders_{args.customers}.parquet"
    gen = run(sys.executable, "generate", GENERATE, str(args.customers), str(orders))
    kw_sum, lt_sum = DATA / "summary_kw.parquet", DATA / "summary_lt.parquet"
    kw = {"rfm": run(sys.executable, "keepwise rfm", KW_RFM, str(orders), str(kw_sum))}
    lt = {"rfm": run(LT_PYTHON, "lifetimes rfm", LT_RFM, str(orders), str(lt_sum))}
    kw["rfm"].output["summary_check"] = check_summaries()
    for step in ("bgnbd", "pareto", "gamma", "clv"):
        extra = [str(DATA / "clv_kw.npy")] if step == "clv" else []
        kw[step] = run(sys.executable, f"keepwise {step}", KW_FIT, str(kw_sum), step, *extra)
        extra = [str(DATA / "clv_lt.npy")] if step == "clv" else []
        lt[step] = run(LT_PYTHON, f"lifetimes {step}", LT_FIT, str(kw_sum), step, *extra)
    chain_orders = DATA / f"orders_{args.chain_customers}.parquet"
    big = run(sys.executable, "generate chain", GENERATE, str(args.chain_customers),
              str(chain_orders))  # fmt: skip
    chain = run(sys.executable, "keepwise chain", CHAIN, str(chain_orders))
    report(args, gen, kw, lt, big, chain)


def report(args: argparse.Namespace, gen: Step, kw: dict[str, Step], lt: dict[str, Step],
           big: Step, chain: Step) -> None:  # fmt: skip
    print(f"Machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}; data: {gen.output['customers']:,} customers, "
          f"{gen.output['orders']:,} orders (demo generator, seed 7, one year).\n")  # fmt: skip
    print("\n".join(compare(kw, lt)))
    print()
    print("| model | package | parameters | log-likelihood |\n|---|---|---|---:|")
    for key in ("bgnbd", "pareto", "gamma"):
        for pkg, steps in (("Keepwise", kw), ("lifetimes", lt)):
            p = steps[key].output["params"]
            ll = steps[key].output.get("ll")
            text = ", ".join(f"{k}={v:.6g}" for k, v in p.items())  # type: ignore[union-attr]
            print(f"| {key} | {pkg} | {text} | {ll if ll is None else f'{ll:.2f}'} |")
    c = chain.output
    print(f"\nChain on {c['customers']:,} customers ({big.output['orders']:,} orders): "
          f"{chain.seconds:.1f} s (summary {c['summary_s']:.1f} s, BG/NBD {c['bgnbd_s']:.1f} s, "
          f"Gamma-Gamma {c['gamma_s']:.1f} s, P(alive) + expected purchases + CLV "
          f"{c['predict_s']:.1f} s), peak {chain.peak_mb:.0f} MB.")  # fmt: skip
    payload = {"kw": {k: vars(v) for k, v in kw.items()}, "lt": {k: vars(v) for k, v in lt.items()},
               "chain": vars(chain), "generate": vars(gen)}  # fmt: skip
    (DATA / "results.json").write_text(json.dumps(payload, indent=2, default=str))


if __name__ == "__main__":
    main()
