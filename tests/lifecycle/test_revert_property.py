"""Property (hypothesis, DuckDB): a status change reverted as a mistake leaves every KPI, month by
month, and every customer's recorded status exactly as they were — for any customer, any time
and any action (void, churn, win-back), in both churn modes (retail infers churn from
inactivity), with the reverted pairs of earlier examples still in the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lifecycle_support import ACQUIRED, AS_OF, CUSTOMERS, START, build, rows

from keepwise import Workspace
from keepwise._core.errors import InputError
from keepwise.lifecycle.actions import defined_status
from keepwise.metrics import CATALOGUE

KPIS = list(CATALOGUE)
FIRST = ACQUIRED  # no change is dated before the customers were acquired
SPAN_MINUTES = int((dt.datetime.combine(AS_OF, dt.time()) - FIRST).total_seconds() // 60)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, pd.DataFrame]]:
    folder: Path = tmp_path_factory.mktemp("revert") / "ws"
    ws = build(Workspace.init(folder, lang="en"))
    # A voided and a won-back customer already, so that changes meet every kind of history.
    ws.customers.void("C1", reason="duplicate", actor="setup", at=dt.datetime(2024, 2, 20, 9))
    ws.customers.reactivate("N3", actor="setup", at=dt.datetime(2024, 5, 20, 9))
    yield ws, _kpis(ws)
    ws.close()


def _kpis(ws: Workspace) -> pd.DataFrame:
    df = ws.metrics.compute(KPIS, as_of=AS_OF, start=START, end=AS_OF)
    return df.sort_values(["metric", "period_start"]).reset_index(drop=True)


def _statuses(ws: Workspace) -> list[tuple[object, ...]]:
    return rows(ws, "SELECT customer_id, status, status_changed_at FROM customers ORDER BY 1")


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    customer=st.sampled_from(sorted(CUSTOMERS)),
    minute=st.integers(0, SPAN_MINUTES - 1),
    action=st.sampled_from(["void", "churn", "reactivate"]),
)
def test_a_reverted_change_leaves_every_kpi_as_it_was(
    world: tuple[Workspace, pd.DataFrame], customer: str, minute: int, action: str
) -> None:
    ws, baseline = world
    statuses = _statuses(ws)
    at = FIRST + dt.timedelta(minutes=minute)
    try:
        if action == "void":
            ws.customers.void(customer, reason="price", actor="prop", at=at)
        elif action == "churn":
            ws.customers.churn(customer, reason="service", actor="prop", at=at)
        else:
            ws.customers.reactivate(customer, actor="prop", at=at)
    except InputError:
        assume(False)  # not allowed for this customer then (already voided, not lost, …)
    if action == "void":  # the void holds under the churn definition until it is reverted
        assert defined_status(ws.tables(), ws.config.churn, customer, at) in ("voided", None)
    ws.customers.revert(customer, actor="prop")
    assert _statuses(ws) == statuses
    pd.testing.assert_frame_equal(_kpis(ws), baseline)
