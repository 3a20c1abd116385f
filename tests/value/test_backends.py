"""The same value code on every storage backend (DuckDB and PostgreSQL), and the settings."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise._core.config import ChurnConfig
from keepwise._core.errors import ConfigError
from keepwise.store import schema
from keepwise.value import (
    ValueTables,
    no_value_candidates,
    parse_value_settings,
    profit_by_period,
    rfm_summary,
)
from keepwise.value.service import standing

ORDERS = [  # customer, time, amount, cost, cancelled
    ("a", dt.datetime(2026, 1, 5, 9), 100.0, 60.0, False),
    ("a", dt.datetime(2026, 1, 5, 17), 50.0, None, False),  # same day: one purchase of 150
    ("a", dt.datetime(2026, 1, 19, 9), 70.0, None, False),
    ("a", dt.datetime(2026, 2, 2, 9), 999.0, None, True),  # cancelled
    ("b", dt.datetime(2026, 2, 1, 9), 40.0, None, False),
    ("b", dt.datetime(2026, 3, 1, 9), 10.0, None, False),  # on as_of: not seen
]


def test_rfm_and_profit_on_every_backend(workspace: Workspace) -> None:
    with workspace.store.begin() as conn:
        conn.execute(sa.insert(schema.customers), [{"customer_id": c} for c in ("a", "b")])
        conn.execute(sa.insert(schema.orders), [
            {"order_id": f"o{i}", "customer_id": c, "ordered_at": t, "amount": a, "cost": k,
             "cancelled": x} for i, (c, t, a, k, x) in enumerate(ORDERS)
        ])  # fmt: skip
        conn.execute(sa.insert(schema.tickets).values(
            ticket_id="t1", customer_id="b", opened_at=dt.datetime(2026, 2, 3)))  # fmt: skip
    as_of = dt.date(2026, 3, 1)
    s = rfm_summary(workspace.store.table("orders"), as_of, "weeks").execute()
    s = s.set_index("customer_id").sort_index()
    # a: purchase days Jan 5 (150) and Jan 19 (70): x = 1, t_x = 2 weeks, T = 55 days.
    assert s.loc["a", "frequency"] == 1 and s.loc["a", "recency"] == pytest.approx(2.0)
    assert s.loc["a", "T"] == pytest.approx(55 / 7) and s.loc["a", "monetary_value"] == 70.0
    assert s.loc["a", "revenue"] == 220.0
    # b: one purchase (Feb 1); the order on as_of is not seen.
    assert s.loc["b", "frequency"] == 0 and s.loc["b", "T"] == pytest.approx(28 / 7)
    assert s.loc["b", "monetary_value"] == 0.0
    settings = parse_value_settings({"ticket_cost": 5, "margin": 0.5})
    tables = ValueTables.from_backend(workspace.store.ibis())
    p = profit_by_period(tables, [(dt.date(2026, 1, 1), as_of)], settings).execute()
    p = p.set_index("customer_id")
    # a: margin 40 + 50 * 0.5 + 70 * 0.5 = 100; b: 20 - one ticket 5 = 15.
    assert p.loc["a", "profit_contribution"] == pytest.approx(100.0)
    assert p.loc["b", "profit_contribution"] == pytest.approx(15.0)
    assert p.loc["b", "tickets"] == 1
    everyone = standing(workspace.store, ChurnConfig(), as_of)
    nv = no_value_candidates(tables, as_of, settings, everyone)
    assert set(nv.columns) >= {"customer_id", "criteria", "treatment"}


def test_settings_errors_name_the_setting() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_value_settings({"tier_by": "vibes"})
    assert "value.tier_by" in exc.value.message("en") and "value.tier_by" in exc.value.message("zh")
    with pytest.raises(ConfigError, match=r"value\.no_value\.periods"):
        parse_value_settings({"no_value": {"periods": 0}})
    with pytest.raises(ConfigError, match=r"value\.margin"):
        parse_value_settings({"margin": 1.5})
    with pytest.raises(ConfigError, match=r"value\.colour"):
        parse_value_settings({"colour": "blue"})
    assert (
        parse_value_settings({"no_value": {"p_alive_below": False}}).no_value.p_alive_below is None
    )
