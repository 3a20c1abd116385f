"""Benchmark (issue 14): the retention report in each format and the daily refresh on a large
demo company.

    .venv/bin/python benchmarks/reports.py [--customers 500000]

Setup (not timed, cached under benchmarks/_data/reports-N/): the demo generator's company
(three years of history, seed 5, every kind the KPIs, value and risk read) loaded straight into
a DuckDB workspace. Then, each in its own child process (wall time, peak RSS), through the
command line's own entry point:

1. ``keepwise refresh`` as of the data's end, the first of the day: no model yet, so the chain
   trains the churn model, scores value and risk for every customer and runs the alert rules
   (the inbox is empty: no new files; no notification channel);
2. the same refresh again (the second run of the day: nothing changed, nothing to do);
3. ``keepwise refresh`` the next day (the model is recent: scores and alerts only);
4. ``keepwise report retention`` as HTML, XLSX and PDF (12 months, as of the data's end).

Targets: each report <= 30 s, the refresh <= 5 min, peak memory <= 6 GB.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import Measurement, measure  # noqa: E402

AS_OF, NEXT_DAY = "2026-11-01", "2026-11-02"

SETUP = """
import datetime as dt
from pathlib import Path
from keepwise import Workspace
from keepwise.demo import generate_company
from _company import load_frames
n, folder = int(sys.argv[1]), Path(sys.argv[2])
frames = generate_company(n_customers=n, seed=5, as_of=dt.date(2026, 11, 1), years=3)
ws = Workspace.init(folder, lang="en")
load_frames(ws, frames)
ws.close()
"""

CLI = """
import contextlib, io
from keepwise.cli.app import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        if exc.code:
            raise
RESULT = {"tail": out.getvalue()[-2000:]}
"""


def setup(customers: int, keep: bool = False) -> Path:
    folder = HERE / "_data" / f"reports-{customers}"
    base = folder / "base"
    if not (base / "keepwise.duckdb").exists():
        shutil.rmtree(base, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        done = measure("setup", SETUP, str(customers), str(base))
        print(f"setup: {done.seconds:.0f} s, {done.peak_mb:.0f} MB", flush=True)
    work = folder / "work"
    if keep and (work / "keepwise.duckdb").exists():
        return work
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, work)  # every run starts from the same unscored company
    return work


def cli(name: str, ws: Path, *args: str) -> Measurement:
    result = measure(name, CLI, "-w", str(ws), *args)
    print(f"{name}: {result.seconds:.1f} s, {result.peak_mb:.0f} MB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument(
        "--reports-only",
        action="store_true",
        help="reuse the refreshed workspace of an earlier run; time the reports",
    )
    args = parser.parse_args()
    ws = setup(args.customers, keep=args.reports_only)
    rows = (
        []
        if args.reports_only
        else [
            cli("refresh, first of the day (model trained)", ws, "refresh", "--as-of", AS_OF),
            cli("refresh again, same day (nothing to do)", ws, "refresh", "--as-of", AS_OF),
            cli(
                "refresh, next day (recent model: scores, alerts)",
                ws,
                "refresh",
                "--as-of",
                NEXT_DAY,
            ),
        ]
    )
    out = ws.parent / "out"
    out.mkdir(exist_ok=True)
    # The baseline: the KPI table the retention report starts from, as the command line prints
    # it (the report adds reasons, cohorts, tiers, risk, charts and the file format).
    baseline = cli("baseline: keepwise metrics --json", ws, "metrics", "--as-of", AS_OF, "--json")
    for ext in ("html", "xlsx", "pdf"):
        rows.append(cli(f"report retention, {ext.upper()}", ws, "report", "retention",
                        "--as-of", AS_OF, "--out", str(out / f"retention.{ext}")))  # fmt: skip
    sizes = {p.suffix: p.stat().st_size for p in out.iterdir()}
    print(f"\n{args.customers:,} customers; {platform.python_version()}, {os.cpu_count()} cores")
    print("| step | wall s | peak MB | time vs baseline | memory vs baseline |")
    print("|---|---:|---:|---:|---:|")
    for r in [baseline, *rows]:
        print(
            f"| {r.name} | {r.seconds:.1f} | {r.peak_mb:,.0f} "
            f"| {r.seconds / baseline.seconds:.2f}x | {r.peak_mb / baseline.peak_mb:.2f}x |"
        )
    print("file sizes:", {k: f"{v / 1024:,.0f} KB" for k, v in sizes.items()})


if __name__ == "__main__":
    main()
