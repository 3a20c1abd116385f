"""Benchmark (issue 11): how long a ``keepwise`` command takes to start, against ``python -c pass``
measured in the same run.

    .venv/bin/python benchmarks/startup.py [--runs 7] [--src DIR]

Each command runs ``--runs`` times as a fresh ``python -m keepwise …`` process; the table gives
the median wall time, the median minus the bare interpreter's, and the ratio to it. ``status``
and ``summary`` run on a small workspace (a demo company of 200 customers, made once, not timed).
``--src`` measures another source tree (e.g. an older checkout) with the same commands.

Targets: ``keepwise --help`` and ``keepwise status`` within 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "KEEPWISE_LANG": "en", "COLUMNS": "100"}


def wall_times(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise RuntimeError(f"{argv} failed:\n{done.stderr.decode()[-2000:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--src", type=Path, default=SRC, help="source tree to measure")
    args = parser.parse_args()
    env = _env(args.src)
    kw = [sys.executable, "-m", "keepwise"]
    with tempfile.TemporaryDirectory() as tmp:
        ws = str(Path(tmp) / "ws")
        subprocess.run([*kw, "demo", ws, "--customers", "200"], capture_output=True, env=env,
                       check=True)  # fmt: skip
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "keepwise --help": [*kw, "--help"],
            "keepwise metrics --help": [*kw, "metrics", "--help"],
            "keepwise status": [*kw, "-w", ws, "status"],
            "keepwise status --json": [*kw, "-w", ws, "status", "--json"],
            "keepwise summary --as-of 2026-11-01": [*kw, "-w", ws, "summary", "--as-of",
                                                    "2026-11-01"],
        }  # fmt: skip
        medians = {name: statistics.median(wall_times(argv, args.runs, env))
                   for name, argv in commands.items()}  # fmt: skip
        shutil.rmtree(ws, ignore_errors=True)
    base = medians["python -c pass"]
    print(f"source: {args.src}; median of {args.runs} runs; load average "
          f"{os.getloadavg()[0]:.1f}\n")  # fmt: skip
    print("| command | wall s (median) | minus python -c pass | vs python -c pass |")
    print("|---|---:|---:|---:|")
    for name, seconds in medians.items():
        print(f"| `{name}` | {seconds:.2f} | {seconds - base:.2f} | {seconds / base:.1f}× |")


if __name__ == "__main__":
    main()
