"""Benchmark (issue 13): the server under load — 50 concurrent logged-in users for 60 s on
loopback against the overview, the risk list, a KPI drill-down and the customer 360 (each the
dashboard's HTML page and its JSON twin), beside a static file served by the same server (the
floor).

    .venv/bin/python benchmarks/server_load.py [--customers 200000] [--users 50] [--seconds 60]

Setup (cached under benchmarks/_data/server-N, not timed): the demo company of N customers
(three years of history; ~19 orders per customer) loaded straight into DuckDB, the churn model
trained and scored, value scores, alert rules run, and one user per role. Then ``keepwise
serve`` runs in its own process (uvicorn, one process: the DuckDB file has one writer), each
page is asked for once (the stored results are computed then: the time is reported), and
locust (headless, ``benchmarks/locust_server.py``) runs the users, each logged in with its
own session cookie. The numbers are locust's, per page: requests/s, p50/p95/p99 (ms),
failures. Targets: p95 <= 300 ms, no errors.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _measure import measure

HERE = Path(__file__).resolve().parent
AS_OF = "2026-11-01"
PASSWORD = "benchmark-password-1"

SETUP = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
from keepwise.demo import generate_company
from _company import load_frames
n, folder = int(sys.argv[1]), Path(sys.argv[2])
as_of = dt.date(2026, 11, 1)
frames = generate_company(n_customers=n, seed=11, as_of=as_of, years=3)
ws = Workspace.init(folder, lang="en")
orders = load_frames(ws, frames)
ws.close()
(folder / "keepwise.toml").open("a").write("\\n[risk]\\nsnapshots = 4\\n")
ws = Workspace.open(folder)
steps = {}
for name, work in (("train", lambda: ws.risk.train(as_of)), ("score", lambda: ws.risk.score(as_of)),
                   ("value", lambda: ws.value.score(as_of)), ("alerts", lambda: ws.alerts.run(as_of))):
    t = time.perf_counter(); work(); steps[name] = round(time.perf_counter() - t, 1)
ws.users.add("admin", role="admin", password=sys.argv[3], actor="benchmark")
ws.users.add("manager", role="manager", password=sys.argv[3], actor="benchmark")
ws.close()
RESULT = {"customers": n, "orders": orders, "steps": steps}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, cookie: str | None = None, timeout: float = 900) -> tuple[float, dict]:
    headers = {"Cookie": cookie} if cookie else {}
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as r:
        body = r.read()
    seconds = time.perf_counter() - started
    kind = r.headers.get("content-type", "")
    return seconds, (json.loads(body) if kind.startswith("application/json") else {})


def _login(base: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/login", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"username": "manager", "password": PASSWORD}).encode(),
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as r:
        return r.headers["set-cookie"].split(";", 1)[0]


def setup(customers: int) -> Path:
    folder = HERE / "_data" / f"server-{customers}"
    if not (folder / "keepwise.toml").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        done = measure(f"setup {customers:,}", SETUP, str(customers), str(folder), PASSWORD)
        print(f"setup: {done.output} in {done.seconds:.0f} s, peak {done.peak_mb:,.0f} MB")
    return folder


def warm_up(base: str, cookie: str) -> dict[str, object]:
    """Ask for each page once: the stored results are computed on this first read."""
    out: dict[str, object] = {}
    for name, path in PAGES.items():
        seconds, body = _get(base + path, cookie)
        out[name] = {"first_read_s": round(seconds, 2), "computed_in_s": body.get("seconds")}
    return out


def one_at_a_time(base: str, cookie: str, ids: list[str], n: int = 20) -> dict[str, object]:
    """Each page asked for ``n`` times in a row, alone: the server's own time per page (median
    and slowest, ms), with no other request competing."""
    pages = {**PAGES, "customer 360": "/api/customers/{id}", **HTML,
             "static file": "/api/docs/static/favicon.png"}  # fmt: skip
    out: dict[str, object] = {}
    for name, path in pages.items():
        times = []
        for i in range(n):
            url = base + path.replace("{id}", ids[(i * 37) % len(ids)])
            times.append(_get(url, cookie)[0] * 1000)
        times.sort()
        out[name] = {"median_ms": round(times[n // 2], 1), "max_ms": round(times[-1], 1)}
    return out


PAGES = {
    "overview": "/api/overview",
    "risk list": "/api/risk?limit=50",
    "drill-down": "/api/kpis/churn_rate/drilldown?period=2026-09-01&limit=50",
}
#: The dashboard's HTML pages of the same (rendered from the same stored results).
HTML = {
    "overview page": "/",
    "risk page": "/risk",
    "drill-down page": "/kpis/churn_rate?period=2026-09-01",
    "customer page": "/customers/{id}",
}


def run_locust(
    base: str, users: int, seconds: int, wait: float, out: Path, ids: Path, sessions: Path
) -> list[dict[str, str]]:
    env = {**os.environ, "KW_SESSIONS": str(sessions), "KW_CUSTOMERS": str(ids),
           "KW_WAIT": str(wait)}  # fmt: skip
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locust_server.py"), "--headless",
               "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base,
               "--csv", str(out), "--only-summary", "--stop-timeout", "10"]  # fmt: skip
    subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    with Path(f"{out}_stats.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--wait",
        type=float,
        nargs="+",
        default=[0.0, 1.0],
        help="mean pause of a user between two pages (s); one run per value",
    )
    args = parser.parse_args()
    folder = setup(args.customers)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "keepwise", "-w", str(folder), "serve", "--port", str(port),
         "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                _get(f"{base}/api/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        cookie = _login(base)
        first = warm_up(base, cookie)
        _, page = _get(f"{base}/api/customers?limit=1000", cookie)
        ids = HERE / "_data" / "customer_ids.txt"
        ids.write_text("\n".join(c["customer_id"] for c in page["items"]), encoding="utf-8")
        _, risk = _get(f"{base}/api/risk?limit=50", cookie)
        alone = one_at_a_time(base, cookie, [c["customer_id"] for c in page["items"]])
        sessions = HERE / "_data" / "sessions.txt"
        sessions.write_text("\n".join(_login(base) for _ in range(args.users)), encoding="utf-8")
        runs = {
            wait: run_locust(
                base,
                args.users,
                args.seconds,
                wait,
                HERE / "_data" / f"locust-{wait}",
                ids,
                sessions,
            )
            for wait in args.wait
        }
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(json.dumps({"machine": f"{platform.machine()}, {os.cpu_count()} cores",
                      "load average at the end": round(os.getloadavg()[0], 1),
                      "first reads": first, "one at a time": alone}, indent=2))  # fmt: skip
    for wait, stats in runs.items():
        print(f"\n{args.users} users, {args.seconds} s, mean pause {wait} s between pages")
        print(f"{'page':<17}{'requests':>9}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'fail':>6}")
        for row in stats:
            print(
                f"{row['Name']:<17}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}"
                f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}{row['Failure Count']:>6}"
            )
    assert risk["data"]["items"], "the risk list is empty"


if __name__ == "__main__":
    main()
