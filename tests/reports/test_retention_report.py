"""The retention report in HTML, XLSX and PDF, on the demo company and the hand-built KPI
company: every KPI value of every period, its change from the period before, the detail rows
(numerator and denominator) and the tier mix equal ``keepwise metrics --json`` for the same
periods, and the PDF shows them as docs/reports.md says (its Chinese text is extracted too)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from readers import day, read_html, read_pdf_lines, read_xlsx, shown
from report_support import cli_json

#: The KPIs of the report's main table and how docs/reports.md says each is shown.
KINDS = {"churn_rate": "pct", "csat": "num", "retention_rate": "pct", "cac": "money",
         "clv_historical": "money", "nps": "num", "conversion_rate": "pct",
         "response_time": "num", "complaint_rate": "pct", "referral_rate": "pct"}  # fmt: skip
COMPANIES = ["demo", "hand"]

#: Two computations of one sum of amounts may add in another order (DuckDB aggregates in
#: parallel threads), and XLSX keeps 16 significant digits: they agree to 1e-12, not always in
#: the last bits.
SUM_ORDER = 1e-12


def _month_before(d: dt.date) -> dt.date:
    return dt.date(d.year - (d.month == 1), (d.month - 2) % 12 + 1, 1)


def expected(companies: dict[str, Any], company: str) -> dict[str, Any]:
    """From ``keepwise metrics --json``: the 12 months shown, each KPI's values by month (the
    month before the first included, for the first change) and its rows."""
    path, as_of = companies[company]
    end = dt.date(as_of.year, as_of.month, 1)
    start = end
    for _ in range(12):
        start = _month_before(start)
    rows = cli_json("-w", str(path), "metrics", "--as-of", as_of.isoformat(),
                    "--start", _month_before(start).isoformat(), "--end", end.isoformat(),
                    *[a for m in [*KINDS, "tier_mix_customers", "tier_mix_revenue"]
                      for a in ("-m", m)])  # fmt: skip
    months = sorted({day(r["period_start"]) for r in rows if day(r["period_start"]) >= start})
    values = {(r["metric"], day(r["period_start"])): r["value"] for r in rows
              if r["metric"] in KINDS}  # fmt: skip
    complete = [m for m in months if all(r["complete"] for r in rows
                                         if day(r["period_start"]) == m)]  # fmt: skip
    latest = complete[-1]
    previous = _month_before(latest)
    change = {}
    for m in KINDS:
        a, b = values.get((m, latest)), values.get((m, previous))
        change[m] = None if a is None or b is None else a - b
    return {"months": months, "values": values, "change": change, "rows": rows,
            "latest": latest}  # fmt: skip


def _same(a: Any, b: Any, rel: float = SUM_ORDER) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return float(a) == b or (rel > 0 and math.isclose(float(a), b, rel_tol=rel))


@pytest.mark.parametrize("company", COMPANIES)
def test_html_numbers(company: str, companies: dict[str, Any],
                      report_file: Callable[..., Path]) -> None:  # fmt: skip
    exp = expected(companies, company)
    html = read_html(report_file(company, "retention", "html"))
    (kpis,) = html.section("kpis")
    assert kpis.headers[2:-1] == [f"{m.year}-{m.month:02d}" for m in exp["months"]]
    ids = [row[1].text for row in kpis.rows]
    assert ids == list(KINDS)
    for row in kpis.rows:
        metric = row[1].text
        for cell, month in zip(row[2:-1], exp["months"], strict=True):
            value = exp["values"].get((metric, month))
            assert _same(cell.value, value), (metric, month, cell, value)
            assert cell.text == shown(value, KINDS[metric])
        change = exp["change"][metric]
        assert _same(row[-1].value, change) or abs(float(row[-1].value or 0) - change) < 1e-12
        assert row[-1].text == shown(change, KINDS[metric])
    (detail,) = html.section("detail")
    got = {(r[0].text, r[1].value): r for r in detail.rows}
    for r in exp["rows"]:
        if r["metric"] not in KINDS or day(r["period_start"]) < exp["months"][0]:
            continue
        cells = got.pop((r["metric"], r["period_start"]))
        assert _same(cells[3].value, r["value"])
        assert _same(cells[4].value, r["numerator"])
        assert _same(cells[5].value, r["denominator"])
    assert not got
    _check_tiers_html(html, exp)


def _check_tiers_html(html: Any, exp: dict[str, Any]) -> None:
    (tiers,) = html.section("tiers")
    latest = [r for r in exp["rows"] if r["metric"].startswith("tier_mix")
              and day(r["period_start"]) == exp["latest"]]  # fmt: skip
    customers = {r["dimension"]: r for r in latest if r["metric"] == "tier_mix_customers"}
    revenue = {r["dimension"]: r for r in latest if r["metric"] == "tier_mix_revenue"}
    assert len(tiers.rows) == len(customers | revenue)
    got_shares = sorted(float(r[1].value) for r in tiers.rows if r[1].value is not None)
    want_shares = sorted(r["value"] for r in customers.values() if r["value"] is not None)
    assert len(got_shares) == len(want_shares)
    assert all(_same(a, b) for a, b in zip(got_shares, want_shares, strict=True))
    # Sums in any order (98635.21 vs 98635.21000000002): equal to SUM_ORDER, as everywhere here.
    got_revenue = sorted(float(r[4].value) for r in tiers.rows if r[4].value is not None)
    want_revenue = sorted(r["numerator"] for r in revenue.values() if r["numerator"] is not None)
    assert len(got_revenue) == len(want_revenue)
    assert all(_same(a, b) for a, b in zip(got_revenue, want_revenue, strict=True))


@pytest.mark.parametrize("company", COMPANIES)
def test_xlsx_numbers(company: str, companies: dict[str, Any],
                      report_file: Callable[..., Path]) -> None:  # fmt: skip
    exp = expected(companies, company)
    wb = read_xlsx(report_file(company, "retention", "xlsx"))
    sheet = wb["Ten customer-management KPIs"]
    assert sheet.freeze_panes == "A3"
    header = [c.value for c in sheet[2]]
    assert header[2:-1] == [f"{m.year}-{m.month:02d}" for m in exp["months"]]
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=3) if r[1].value in KINDS}
    assert list(rows) == list(KINDS)
    for metric, cells in rows.items():
        for c, month in zip(cells[2:-1], exp["months"], strict=True):
            value = exp["values"].get((metric, month))
            assert _same(c.value, value, SUM_ORDER), (metric, month, c.value, value)
            if value is not None:
                assert c.data_type == "n"
                assert c.number_format == {"pct": "0.0%", "money": "#,##0.00",
                                           "num": "General"}[KINDS[metric]]  # fmt: skip
    detail = wb["KPI detail"]
    assert detail.freeze_panes == "A3"
    n = 0
    for r in detail.iter_rows(min_row=3, values_only=True):
        match = [x for x in exp["rows"] if x["metric"] == r[0]
                 and day(x["period_start"]) == r[1].date()]  # fmt: skip
        assert len(match) == 1 and isinstance(r[1], dt.datetime)
        assert _same(r[3], match[0]["value"], SUM_ORDER)
        assert _same(r[4], match[0]["numerator"], SUM_ORDER)
        assert _same(r[5], match[0]["denominator"], SUM_ORDER)
        n += 1
    assert n == 10 * len(exp["months"])


@pytest.mark.parametrize("company", COMPANIES)
def test_pdf_numbers(company: str, companies: dict[str, Any],
                     report_file: Callable[..., Path]) -> None:  # fmt: skip
    exp = expected(companies, company)
    lines = read_pdf_lines(report_file(company, "retention", "pdf"))
    for metric, kind in KINDS.items():
        values = [shown(exp["values"].get((metric, m)), kind) for m in exp["months"]]
        want = " ".join([metric, *values, shown(exp["change"][metric], kind)])
        assert any(want in line for line in lines), (metric, want)
        for m in exp["months"]:  # the detail row of each month
            r = next(x for x in exp["rows"] if x["metric"] == metric
                     and day(x["period_start"]) == m)  # fmt: skip
            detail = " ".join([metric, m.isoformat(), day(r["period_end"]).isoformat(),
                               shown(r["value"], kind), shown(r["numerator"], "num"),
                               shown(r["denominator"], "num")])  # fmt: skip
            assert any(line.startswith(detail) for line in lines), detail


def test_pdf_chinese(report_file: Callable[..., Path], companies: dict[str, Any]) -> None:
    """The Chinese PDF's text comes back as Chinese: the title, section titles, KPI names, and
    the figures as in the English one."""
    lines = read_pdf_lines(report_file("demo", "retention", "pdf", "zh"))
    text = "\n".join(lines)
    for words in ("客户留存报告（月度）", "概览", "客户管理十项指标", "流失原因", "获客批次留存",
                  "价值分层", "流失风险", "指标明细"):  # fmt: skip
        assert words in text, words
    exp = expected(companies, "demo")
    names = {"csat": "客户满意度", "retention_rate": "客户保留率", "cac": "客户获取成本",
             "nps": "净推荐值", "complaint_rate": "客户投诉率", "referral_rate": "客户推荐率"}  # fmt: skip
    for metric, name in names.items():
        values = [shown(exp["values"].get((metric, m)), KINDS[metric]) for m in exp["months"]]
        assert any(line.startswith(" ".join([name, metric, *values])) for line in lines), name


def test_summary_facts(report_file: Callable[..., Path], companies: dict[str, Any]) -> None:
    path, as_of = companies["demo"]
    summary = cli_json("-w", str(path), "summary", "--as-of", as_of.isoformat())
    facts = dict(read_html(report_file("demo", "retention", "html")).facts)
    assert float(facts["Customers"].value or 0) == summary["customers"]
    assert float(facts["Kept customers"].value or 0) == summary["kept"]
    assert math.isclose(float(facts["Revenue, last 12 months"].value or 0),
                        summary["revenue_12m"], rel_tol=SUM_ORDER)  # fmt: skip
    assert float(facts["Churn rate, last 12 months"].value or 0) == summary["churn_rate_12m"]
