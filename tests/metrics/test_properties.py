"""Properties on generated companies (hypothesis, on DuckDB): churn and retention relate as
their definitions say, numerators never exceed denominators, cuts add up to the whole, and
in "events" mode churn_rate matches a direct reading of the definition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_engines import insert, load_workspace

from keepwise._core.config import ChurnConfig, ChurnRule
from keepwise.metrics import CATALOGUE, Tables, compute
from keepwise.workspace import Workspace

BASE = dt.date(2024, 1, 1)
AS_OF = dt.date(2024, 8, 1)
STATUSES = ("active", "at_risk", "churned", "voided", "won_back")
LOST = ("churned", "voided")
CUSTOMER_KPIS = [k.id for k in CATALOGUE.values() if k.family == "customers"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = load_workspace(tmp_path_factory.mktemp("props") / "ws", {})
    yield ws
    ws.close()


def _day(offset: int) -> dt.datetime:
    return dt.datetime.combine(BASE + dt.timedelta(days=offset), dt.time(12))


@st.composite
def companies(draw: st.DrawFn) -> dict[str, Any]:
    rows: dict[str, list[dict[str, Any]]] = {"customers": [], "orders": [], "status_events": []}
    for i in range(draw(st.integers(1, 10))):
        cid = f"C{i}"
        acq = draw(st.one_of(st.none(), st.integers(-40, 200)))
        rows["customers"].append({"customer_id": cid, "segment": draw(st.sampled_from(
            ["a", "b", None])), "acquired_at": None if acq is None else _day(acq)})  # fmt: skip
        for j, day in enumerate(draw(st.lists(st.integers(-40, 220), max_size=6))):
            rows["orders"].append({"order_id": f"{cid}-{j}", "customer_id": cid,
                                   "ordered_at": _day(day), "amount": float(draw(
                                       st.integers(0, 100))), "cancelled": draw(st.booleans())})  # fmt: skip
        for day in draw(st.lists(st.integers(-40, 220), max_size=4, unique=True)):
            rows["status_events"].append({"customer_id": cid, "occurred_at": _day(day),
                                          "to_status": draw(st.sampled_from(STATUSES))})  # fmt: skip
    mode = draw(st.sampled_from(["events", "inactivity"]))
    days = draw(st.sampled_from([15, 30, 60]))
    return {"rows": rows, "churn": ChurnConfig(default=ChurnRule(mode=mode, inactivity_days=days))}


def _kpis(store: Workspace, company: dict[str, Any], by: str | None = None) -> pd.DataFrame:
    insert(store.store, company["rows"])
    tables = Tables.from_backend(store.store.ibis())
    return compute(tables, CUSTOMER_KPIS, as_of=AS_OF, start=BASE, end=dt.date(2024, 8, 1),
                   by=by, churn=company["churn"])  # fmt: skip


def _wide(df: pd.DataFrame, part: str) -> pd.DataFrame:
    return df.pivot_table(index="period_start", columns="metric", values=part, aggfunc="sum")


def _reference_churn(company: dict[str, Any], start: dt.date, end: dt.date) -> tuple[int, int]:
    """churn_rate of one period read straight from DESIGN.md ("events" mode only)."""
    rows = company["rows"]
    first_order = {}
    for o in rows["orders"]:
        if not o["cancelled"] and o["ordered_at"].date() < AS_OF:
            d = o["ordered_at"].date()
            first_order[o["customer_id"]] = min(d, first_order.get(o["customer_id"], d))
    num = den = 0
    for c in rows["customers"]:
        days = [d for d in (c["acquired_at"] and c["acquired_at"].date(),
                            first_order.get(c["customer_id"])) if d]  # fmt: skip
        if not days or min(days) >= start or min(days) >= AS_OF:
            continue
        events = sorted((e["occurred_at"], e["to_status"]) for e in rows["status_events"]
                        if e["customer_id"] == c["customer_id"]
                        and e["occurred_at"].date() < AS_OF)  # fmt: skip
        before = [s for at, s in events if at.date() < start]
        if before and before[-1] in LOST:
            continue
        den += 1
        num += any(s in LOST for at, s in events if start <= at.date() < end)
    return num, den


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])  # fmt: skip
@given(company=companies())
def test_rates_relate_as_defined(store: Workspace, company: dict[str, Any]) -> None:
    df = _kpis(store, company)
    num, den = _wide(df, "numerator"), _wide(df, "denominator")
    at_start, at_end = num["customers_at_start"], num["customers_at_end"]
    for k in CUSTOMER_KPIS:
        if CATALOGUE[k].kind == "proportion":
            assert (num[k] >= 0).all() and (num[k] <= den[k]).all(), k
    assert (den["churn_rate"] == at_start).all()
    assert (num["net_customer_change_rate"] == at_start - at_end).all()
    # churn counts voids and other losses together, each at most once per customer
    assert (num["churn_rate"] >= num[["churn_only_rate", "void_rate"]].max(axis=1)).all()
    assert (num["churn_rate"] <= num["churn_only_rate"] + num["void_rate"]).all()
    # retained = at start and not lost in the period, plus those who came back from a loss
    assert (num["retention_rate"] >= at_start - num["churn_rate"]).all()
    if company["churn"].default.mode == "events" and not _comebacks(company):
        assert (num["retention_rate"] == at_start - num["churn_rate"]).all()
        for start in num.index:
            end = (pd.Timestamp(start) + pd.DateOffset(months=1)).date()
            expected = _reference_churn(company, start, end)
            assert (num.loc[start, "churn_rate"], den.loc[start, "churn_rate"]) == expected


def _comebacks(company: dict[str, Any]) -> bool:
    """Whether a customer returns to a kept status after a loss (revert, win-back)."""
    by_customer: dict[str, list[tuple[dt.datetime, str]]] = {}
    for e in company["rows"]["status_events"]:
        by_customer.setdefault(e["customer_id"], []).append((e["occurred_at"], e["to_status"]))
    for events in by_customer.values():
        seen_loss = False
        for _, status in sorted(events):
            if seen_loss and status not in LOST:
                return True
            seen_loss = seen_loss or status in LOST
    return False


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])  # fmt: skip
@given(company=companies())
def test_cuts_add_up_to_the_whole(store: Workspace, company: dict[str, Any]) -> None:
    whole = _kpis(store, company)
    cut = _kpis(store, company, by="segment")
    for part in ("numerator", "denominator"):
        total = _wide(whole, part).fillna(0)
        summed = _wide(cut, part).reindex(index=total.index, columns=total.columns).fillna(0)
        for k in CUSTOMER_KPIS:
            if CATALOGUE[k].additive:
                assert (total[k] - summed[k]).abs().max() < 1e-6, (k, part)


def test_generated_company_loads(store: Workspace) -> None:
    # the loader used above clears every table before each example
    insert(store.store, {"customers": [{"customer_id": "X", "acquired_at": _day(0)}]})
    df = _kpis(store, {"rows": {"customers": [{"customer_id": "X", "acquired_at": _day(0)}]},
                       "churn": ChurnConfig()})  # fmt: skip
    assert _wide(df, "numerator").loc[dt.date(2024, 2, 1), "customers_at_start"] == 1
