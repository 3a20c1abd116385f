"""The same rule expressions and alert store on PostgreSQL: the same answers as on DuckDB."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rules_support import AS_OF
from test_rule_kinds import CASES, build_world, hits_of

from keepwise import Workspace


@pytest.mark.postgres
def test_rules_and_alerts_on_postgresql(
    make_ws: Callable[..., Workspace], pg_database: Callable[[], str]
) -> None:
    ws = make_ws("pg", db_url=pg_database())
    assert ws.backend == "postgresql"
    build_world(ws)
    for rule, expected in CASES:
        assert hits_of(ws, rule) == {k: v for k, v in expected.items() if v is not None}, rule.id
    first = ws.alerts.run(AS_OF)
    assert first.opened > 20 and ws.alerts.run(AS_OF).opened == 0
    alert = ws.alerts.find(rule="usage_drop")[0]
    ws.alerts.ack(alert.id, actor="a", note="n")
    closed = ws.alerts.close(alert.id, actor="b", note="done")
    assert closed.status == "closed"
    assert [s["to"] for s in ws.alerts.history(alert.id)] == ["open", "acknowledged", "closed"]
    assert ws.alerts.run(AS_OF).opened == 1  # still firing: opened again
