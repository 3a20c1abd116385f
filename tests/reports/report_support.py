"""What the report tests share (a module of its own name: ``conftest`` is a name every test
folder has, and the first one imported would win): the command line run in-process, and the
hand-built KPI company of tests/metrics with its churn rules."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "metrics"))

import kpi_fixture as handbuilt
from kpi_engines import load_workspace

from cli_support import run_cli

DEMO_AS_OF = dt.date(2026, 11, 1)
HAND_CHURN = """
[churn.segments.retail]
mode = "inactivity"
inactivity_days = 30
"""


def cli_json(*args: str) -> Any:
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def make_hand(path: Path, rename: dict[str, str] | None = None) -> Path:
    """The hand-built company in a DuckDB workspace, customers renamed as asked."""
    data = handbuilt.data()
    for row in data["customers"]:
        row["name"] = (rename or {}).get(row["customer_id"], row["name"])
    load_workspace(path, data).close()
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:
        f.write(HAND_CHURN)
    return path
