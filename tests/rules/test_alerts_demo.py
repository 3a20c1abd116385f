"""The built-in rules on the demo company: a plausible share of customers is alerted, and the
alerted customers really churn more often in the 90 days that follow than the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from keepwise import Workspace

AS_OF = dt.date(2025, 5, 1)  # before the demo company acts on alerts (playbooks from 2025-08-01)
HORIZON = dt.timedelta(days=90)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace.init(tmp_path_factory.mktemp("demo") / "ws", lang="en")
    ws.imports.load_demo(customers=600, seed=1, as_of=dt.date(2026, 11, 1))
    yield ws
    ws.close()


def _active_and_lost(ws: Workspace) -> tuple[set[str], set[str]]:
    """Customers active at AS_OF (acquired before it, last status before it not lost) and those
    that churned or were voided in the 90 days after it."""
    t0 = dt.datetime.combine(AS_OF, dt.time())
    customers = ws.store.table("customers").execute()
    events = ws.store.table("status_events").execute().sort_values(["occurred_at", "id"])
    before = events[events.occurred_at < t0].groupby("customer_id").to_status.last()
    lost_then = set(before[before.isin(["churned", "voided"])].index)
    acquired = set(customers[customers.acquired_at < t0].customer_id)
    window = events[(events.occurred_at >= t0) & (events.occurred_at < t0 + HORIZON)]
    lost_after = set(window[window.to_status.isin(["churned", "voided"])].customer_id)
    return acquired - lost_then, lost_after


def test_alerted_customers_churn_more_often(demo: Workspace) -> None:
    result = demo.alerts.run(AS_OF)
    alerts = demo.alerts.find()
    assert result.opened == len(alerts) > 0
    active, lost = _active_and_lost(demo)
    alerted = {a.customer_id for a in alerts}
    assert alerted <= active  # only customers active at AS_OF are judged
    share = len(alerted) / len(active)
    assert 0.15 <= share <= 0.7, share
    rate_alerted = len(alerted & lost) / len(alerted)
    rate_others = len((active - alerted) & lost) / len(active - alerted)
    print(f"alerted {len(alerted)}/{len(active)} ({share:.0%}): churn {rate_alerted:.1%} "
          f"vs {rate_others:.1%} not alerted; by rule {result.fired}")  # fmt: skip
    assert rate_alerted > 1.3 * rate_others
    # The rule that fires most among the behaviour signals is useful on its own too.
    dropping = {a.customer_id for a in alerts if a.rule == "purchase_drop"}
    assert len(dropping) >= 20
    assert len(dropping & lost) / len(dropping) > 1.3 * rate_others
