"""The API answers with the services' own numbers: KPIs, the overview, drill-down, cohorts,
reasons, impact, the risk list, value reports and the customer 360 — and a rep's figures are
those of their own customers (equal to the manager's figures cut by that owner)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from api_support import AS_OF, Served

from keepwise._core.jsondata import records
from keepwise.workspace import Viewer

DAY = AS_OF.isoformat()


def same(got: Any, expected: Any) -> bool:
    """Equal, floats to 1e-6 relative: a database sums floats in any order, and the value
    models' fits (an optimiser on those sums) then land a few 1e-9 apart between two runs."""
    if isinstance(expected, float) and isinstance(got, float | int):
        return bool(got == pytest.approx(expected, rel=1e-6, abs=1e-9))
    if isinstance(expected, dict) and isinstance(got, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in got)
    if isinstance(expected, list) and isinstance(got, list):
        return len(got) == len(expected) and all(
            same(a, b) for a, b in zip(got, expected, strict=True)
        )
    return bool(got == expected)


def _rows(answer: dict[str, Any]) -> Any:
    assert answer["computed_at"] and answer["data_version"]
    return answer["data"]


def test_kpis_equal_the_metrics_service(served: Served) -> None:
    api = served.as_("manager").get(
        "/api/kpis",
        params={
            "metric": ["churn_rate", "void_ratio", "revenue"],
            "grain": "quarter",
            "as_of": DAY,
        },
    )
    assert api.status_code == 200, api.text
    expected = records(
        served.ws.metrics.compute(
            ["churn_rate", "void_ratio", "revenue"], as_of=AS_OF, grain="quarter"
        )
    )
    assert same(_rows(api.json()), expected)
    assert len(expected) > 8 and any(r["value"] for r in expected)


def test_kpis_by_cut_and_trailing(served: Served) -> None:
    client = served.as_("admin")
    cut = client.get(
        "/api/kpis", params={"metric": "churn_rate", "by": "segment", "as_of": DAY}
    ).json()
    assert same(
        _rows(cut), records(served.ws.metrics.compute(["churn_rate"], as_of=AS_OF, by="segment"))
    )
    trailing = client.get(
        "/api/kpis", params={"metric": "revenue", "grain": "year", "trailing": True, "as_of": DAY}
    ).json()
    head = served.ws.metrics.headline(AS_OF)
    (row,) = _rows(trailing)
    assert math.isclose(row["value"], head.revenue_12m)


def test_overview_headline_and_trend(served: Served) -> None:
    data = _rows(served.as_("manager").get("/api/overview", params={"as_of": DAY}).json())
    assert same(data["headline"], records_of(served.ws.metrics.headline(AS_OF).to_dict()))
    churn = next(k for k in data["kpis"] if k["metric"] == "churn_rate")
    monthly = records(served.ws.metrics.compute(["churn_rate"], as_of=AS_OF,
                                                start=overview_start(AS_OF), end=AS_OF))  # fmt: skip
    assert same([s["value"] for s in churn["series"]], [r["value"] for r in monthly])
    complete = [r for r in monthly if r["complete"]]
    assert churn["latest"]["value"] == complete[-1]["value"]
    assert math.isclose(churn["change"], complete[-1]["value"] - complete[-2]["value"])
    assert churn["definition_zh"] and churn["definition_en"]


def overview_start(as_of: Any) -> Any:
    from keepwise.workspace.reports import overview_start as start

    return start(as_of)


def records_of(value: Any) -> Any:
    from keepwise._core.jsondata import jsonable

    return jsonable(value)


def test_drilldown_pages_equal_the_service(served: Served) -> None:
    full = records(served.ws.metrics.drilldown("churn_rate", AS_OF.replace(month=10), as_of=AS_OF))
    client = served.as_("manager")
    first = client.get(
        "/api/kpis/churn_rate/drilldown", params={"period": "2026-10-01", "as_of": DAY, "limit": 7}
    ).json()
    second = client.get(
        "/api/kpis/churn_rate/drilldown",
        params={"period": "2026-10-01", "as_of": DAY, "limit": 7, "offset": 7},
    ).json()
    assert first["data"]["total"] == len(full) > 7
    assert same(first["data"]["items"] + second["data"]["items"], full[:14])


def test_cohorts_reasons_impact(served: Served) -> None:
    client = served.as_("manager")
    ws = served.ws
    cohorts = _rows(client.get("/api/cohorts", params={"grain": "quarter", "as_of": DAY}).json())
    assert same(cohorts["cohorts"], records(ws.metrics.cohorts(as_of=AS_OF, grain="quarter")))
    reasons = _rows(client.get("/api/reasons", params={"as_of": DAY, "avoidable": True}).json())
    assert same(reasons, records(ws.metrics.reasons(as_of=AS_OF, avoidable=True)))
    impact = _rows(client.get("/api/impact", params={"as_of": DAY, "grain": "year"}).json())
    assert same(impact, records(ws.metrics.impact(as_of=AS_OF, grain="year")))


def test_risk_list_in_value_at_risk_order(served: Served) -> None:
    answer = served.as_("manager").get("/api/risk", params={"limit": 20}).json()
    items = answer["data"]["items"]
    assert same(items, records(served.ws.risk.risk_list(limit=20)))
    assert answer["data"]["total"] == served.ws.risk.risk_count()
    at_risk = [r["value_at_risk"] for r in items]
    assert at_risk == sorted(at_risk, reverse=True) and at_risk[0] > 0


def test_value_reports(served: Served) -> None:
    client = served.as_("manager")
    tiers = _rows(client.get("/api/value/tiers", params={"as_of": DAY}).json())
    expected = served.ws.value.tiers(AS_OF).to_dict()
    assert same(tiers["tiers"], expected["tiers"])
    assert tiers["customers_total"] == len(expected["customers"])
    assert same(tiers["customers"], expected["customers"][:100])
    rfm = _rows(client.get("/api/value/rfm", params={"as_of": DAY}).json())
    assert same(rfm["segments"], served.ws.value.rfm(AS_OF).to_dict()["segments"])


def test_customer_360(served: Served) -> None:
    owner = served.owners["rep_a"]
    page = served.as_("rep_a").get("/api/customers", params={"limit": 5}).json()
    customers = served.ws.store.table("customers").execute()
    assert page["total"] == int((customers.owner_id == owner).sum()) > 5
    cid = page["items"][0]["customer_id"]
    view = served.as_("rep_a").get(f"/api/customers/{cid}", params={"as_of": DAY}).json()
    assert view["profile"]["customer_id"] == cid and view["profile"]["owner_id"] == owner
    orders = served.ws.store.table("orders").execute()
    mine = orders[(orders.customer_id == cid) & ~orders.cancelled]
    assert view["order_totals"]["orders"] == len(mine)
    assert math.isclose(view["order_totals"]["revenue"], float(mine.amount.sum()))
    from keepwise.churn import statuses

    frame = statuses(served.ws.tables(), served.ws.config.churn, AS_OF).execute()
    row = frame[frame.customer_id == cid].iloc[0]
    assert view["status"]["status"] == row.status and view["status"]["kept"] == row.kept


@pytest.mark.parametrize("metric", ["churn_rate", "active_customers", "revenue"])
def test_a_reps_kpis_are_their_owners_cut(served: Served, metric: str) -> None:
    """Scoped tables (the rep's view) and the manager's cut by owner are two ways to the same
    figures."""
    rep = served.as_("rep_a").get("/api/kpis", params={"metric": metric, "as_of": DAY}).json()
    cut = served.ws.metrics.compute([metric], as_of=AS_OF, by="owner")
    owner = served.owners["rep_a"]
    mine = records(cut[cut["dimension"] == owner])
    got = _rows(rep)
    assert [r["period_start"] for r in got] == [r["period_start"] for r in mine]
    for a, b in zip(got, mine, strict=True):
        assert a["numerator"] == pytest.approx(b["numerator"])
        assert a["denominator"] == pytest.approx(b["denominator"])


def test_a_reps_lists_hold_only_their_customers(served: Served) -> None:
    owner = served.owners["rep_a"]
    client = served.as_("rep_a")
    customers = client.get("/api/customers", params={"limit": 1000}).json()
    assert customers["items"] and {c["owner_id"] for c in customers["items"]} == {owner}
    risk = client.get("/api/risk", params={"limit": 1000}).json()["data"]["items"]
    assert risk and {r["owner_id"] for r in risk} == {owner}
    alerts = client.get("/api/alerts").json()
    assert alerts and {a["owner_id"] for a in alerts} == {owner}
    tiers = client.get("/api/value/tiers", params={"as_of": DAY, "limit": 1000}).json()["data"]
    rep_view = served.ws.as_user(Viewer("x", "rep", owner_id=owner))
    assert {c["customer_id"] for c in tiers["customers"]} <= rep_view.directory.own_ids()
    drill = client.get(
        "/api/kpis/active_customers/drilldown",
        params={"period": "2026-10-01", "as_of": DAY, "limit": 1000},
    ).json()
    ids = {r["customer_id"] for r in drill["data"]["items"]}
    assert ids and ids <= rep_view.directory.own_ids()
