"""Run a benchmark step in a child process and report its wall time and peak memory (RSS), so
every contender is measured the same way and none inherits another's memory."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: float
    peak_mb: float
    output: dict[str, object]


def measure(name: str, code: str, *args: str) -> Measurement:
    """Run ``code`` (a Python snippet that may set a dict ``RESULT``) with ``args``; the time
    counted excludes interpreter start-up."""
    runner = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"  # the helpers beside (benchmarks/_company.py)
        "t0 = time.perf_counter()\n"
        f"{code}\n"
        "print(json.dumps({'__seconds': time.perf_counter() - t0, "
        "'__peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
        "**(globals().get('RESULT') or {})}))\n"
    )
    done = subprocess.run([sys.executable, "-c", runner, *args], capture_output=True, text=True,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    payload = json.loads(done.stdout.strip().splitlines()[-1])
    peak = payload.pop("__peak_kb") / 1024
    seconds = payload.pop("__seconds")
    return Measurement(name, seconds, peak, payload)


def table(rows: list[Measurement], baseline: str) -> str:
    base = next(r for r in rows if r.name == baseline)
    lines = [
        f"| step | wall s | peak MB | time vs {baseline} | memory vs {baseline} |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.seconds:.2f} | {r.peak_mb:.0f} | "
            f"{r.seconds / base.seconds:.2f}× | {r.peak_mb / base.peak_mb:.2f}× |"
        )
    return "\n".join(lines)
