"""Reference figures (issue 10): ``lifetimes`` 0.11.3 on the UCI Online Retail file.

Regenerates the constants of ``tests/models/test_clv_online_retail.py``. lifetimes runs only in
``benchmarks/.venv-lifetimes`` (created on first use, as by ``value_chain.py``); nothing here is
a test-time dependency.

    .venv/bin/python benchmarks/clv_online_retail_reference.py

The data: invoice lines with a CustomerID, not cancelled (InvoiceNo not starting with "C"),
amount = Quantity * UnitPrice > 0; summarised by lifetimes' ``summary_data_from_transaction_data``
by day and by week (repeat purchase *periods*; observation ends with the last invoice, so a
customer first seen in the last period has T = 0). Printed per time unit: the summary's
checksums, then for BG/NBD and Pareto/NBD (no penalty) lifetimes' parameters, its fit time and
the log-likelihood at its parameters computed by lifetimes' own formula (for customers with
t_x = T, where lifetimes' Pareto/NBD formula gives 0/0, its "alive at T" term alone), or the
error it raises.

lifetimes' Pareto/NBD optimum lies on a flat ridge (s -> 0): the s and beta it stops at vary
from run to run; its log-likelihood does not (to ~1e-5).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from value_chain import LT_PYTHON, ensure_lifetimes

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail.parquet"

CHILD = """
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
from scipy.special import gammaln
from lifetimes import BetaGeoFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

lines = pd.read_parquet(sys.argv[1])
lines = lines[lines["CustomerID"].notna() & ~lines["InvoiceNo"].astype(str).str.startswith("C")]
lines = lines[lines["Quantity"] * lines["UnitPrice"] > 0]
out = {}
for freq in ("D", "W"):
    s = summary_data_from_transaction_data(lines, "CustomerID", "InvoiceDate", freq=freq)
    x, tx, T = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy()
    result = {"summary": {"customers": len(s), "frequency": float(x.sum()),
                          "recency": float(tx.sum()), "T": float(T.sum()),
                          "T_zero": int((T == 0).sum())}}
    for name, cls in (("bgnbd", BetaGeoFitter), ("pareto_nbd", ParetoNBDFitter)):
        t0 = time.perf_counter()
        try:
            model = cls().fit(x, tx, T)
        except Exception as exc:
            result[name] = {"error": f"{type(exc).__name__}: {str(exc).strip()}",
                            "seconds": time.perf_counter() - t0}
            continue
        seconds = time.perf_counter() - t0
        params = {k: float(v) for k, v in model.params_.items()}
        values = np.array(list(params.values()))
        if name == "bgnbd":
            ll = -cls._negative_log_likelihood(np.log(values), x, tx, T, np.ones_like(x), 0.0)
            ll *= len(x)
        else:
            rows = cls._conditional_log_likelihood(values, x, tx, T)
            # Where t_x = T (T = 0 included) lifetimes' A_0 is 0/0 (NaN); it is 0 there, which
            # leaves the "alive at T" term (eq. 18 of Fader & Hardie's 2005 note).
            r, alpha, s_, beta = values
            alive = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s_ * np.log(beta)
                     - (r + x) * np.log(alpha + T) - s_ * np.log(beta + T))
            assert np.all(np.isfinite(rows) | (tx == T))
            ll = float(np.where(tx == T, alive, rows).sum())
        result[name] = {"params": params, "log_likelihood": float(ll), "seconds": seconds}
    out[freq] = result
print(json.dumps(out))
"""


def main() -> None:
    ensure_lifetimes()
    done = subprocess.run([str(LT_PYTHON), "-c", CHILD, str(DATA)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    print(json.dumps(json.loads(done.stdout.strip().splitlines()[-1]), indent=2))


if __name__ == "__main__":
    sys.exit(main())
