"""The void-effect report in HTML, XLSX and PDF on the demo company (playbooks run since June)
and the hand-built KPI company (none): every figure of its five parts equals
``keepwise evaluate voids --json`` for the same date and grain — one source — read back from
each format (the HTML's exact values and shown text, the XLSX cells, the PDF's text)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from readers import day, read_html, read_pdf_lines, read_xlsx, shown
from report_support import cli_json

COMPANIES = ["demo", "hand"]

#: (section, table index, the records of the evaluation, the checked columns: position in
#: the table, field, kind). Text columns (labels) are checked by the words tests.
RATIO = [(0, "period_start", "date"), (2, "void_ratio", "pct"), (3, "voided", "int"),
         (4, "customers", "int"), (5, "void_rate", "pct"), (6, "voided_in_period", "int"),
         (7, "churn_rate", "pct")]  # fmt: skip
REASONS = [(2, "customers", "int"), (3, "share", "pct"), (4, "revenue_lost", "money")]
DESTINATIONS = [(2, "customers", "int"), (3, "revenue_12m", "money")]
TASKS = [(3, "tasks", "int"), (4, "customers", "int")]
FEEDBACK = [(1, "tasks", "int")]
MEASURES = [(1, "first_run", "date"), (2, "months_before", "int"), (3, "months_after", "int"),
            (4, "churn_rate_before", "pct"), (5, "churn_rate_after", "pct"),
            (6, "void_rate_before", "pct"), (7, "void_rate_after", "pct"),
            (9, "treated_rate", "pct"), (10, "holdout_rate", "pct"), (11, "difference", "pct"),
            (12, "ci_low", "pct"), (13, "ci_high", "pct"), (14, "p_value", "p")]  # fmt: skip
IMPACT = [("lost_customers", "int"), ("revenue_lost", "money"), ("clv_lost", "money"),
          ("acquisition_cost_unrecovered", "money")]  # fmt: skip
SHEETS = {"ratio": "1. Void ratio and trend", "reasons": "2. Reasons and destinations",
          "impact": "3. Business impact", "followup": "4. Follow-up of voided customers",
          "measures": "5. What changed after the measures"}  # fmt: skip


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)


def _same(got: Any, want: Any, kind: str) -> bool:
    if kind == "date":
        return day(got) == day(want)
    return _close(got, want)


@pytest.fixture(scope="module")
def evaluations(companies: dict[str, tuple[Path, dt.date]]) -> dict[str, dict[str, Any]]:
    return {name: cli_json("-w", str(path), "evaluate", "voids", "--as-of", as_of.isoformat(),
                           "--grain", "month")
            for name, (path, as_of) in companies.items()}  # fmt: skip


def _tables(ev: dict[str, Any]) -> list[tuple[str, int, list[dict[str, Any]], list[Any]]]:
    f = ev["followup"]
    impact = [{"voided": ev["impact"]["voided"][k], "all_lost": ev["impact"]["all_lost"][k],
               "kind": kind} for k, kind in IMPACT]  # fmt: skip
    out = [("ratio", 0, ev["ratio"], RATIO), ("reasons", 0, ev["reasons"], REASONS),
           ("reasons", 1, ev["destinations"], DESTINATIONS),
           ("impact", 0, impact, [(1, "voided", None), (2, "all_lost", None)]),
           ("followup", 0, f["tasks"], TASKS), ("followup", 1, f["feedback"], FEEDBACK)]  # fmt: skip
    if ev["measures"]:
        out.append(("measures", 0, ev["measures"], MEASURES))
    return out


def test_the_companies_have_what_the_parts_show(evaluations: dict[str, Any]) -> None:
    """The demo has voids with reasons, destinations, surveyed voided customers and playbooks
    with a hold-out to compare; the hand-built company has no playbook (part 5 missing)."""
    demo, hand = evaluations["demo"], evaluations["hand"]
    assert demo["reasons"] and demo["destinations"] and demo["followup"]["feedback"]
    assert any(m["holdout_rate"] is not None for m in demo["measures"])
    assert hand["ratio"] and hand["measures"] == []


@pytest.mark.parametrize("company", COMPANIES)
def test_html(company: str, evaluations: dict[str, Any],
              report_file: Callable[..., Path]) -> None:  # fmt: skip
    ev = evaluations[company]
    html = read_html(report_file(company, "void-effect", "html"))
    for section, index, records, columns in _tables(ev):
        table = html.section(section)[index]
        assert len(table.rows) == len(records), section
        for row, rec in zip(table.rows, records, strict=True):
            for pos, field, kind in columns:
                kind = kind or rec["kind"]
                assert _same(row[pos].value, rec[field], kind), (section, field, rec)
                assert row[pos].text == (rec[field] if kind == "date" else shown(rec[field], kind))
    facts = dict(html.facts)
    trend = ev["trend"]
    assert _close(facts["void ratio, first complete period"].value, trend["first"])
    assert _close(facts["change"].value, trend["change"])
    assert facts["direction"].text == trend["direction"]
    assert _close(facts["void rate, second half"].value, trend["void_rate_second_half"])
    f = ev["followup"]
    assert [float(facts[k].value or 0) for k in ("voided customers", "targeted by a playbook")] == [
        f["voided"], f["targeted"]]  # fmt: skip
    assert _close(facts["follow-up coverage"].value, f["followup_coverage"])
    missing = "has no evaluation of the measures taken on voids" in html.text
    assert missing == (not ev["measures"])


@pytest.mark.parametrize("company", COMPANIES)
def test_xlsx(company: str, evaluations: dict[str, Any],
              report_file: Callable[..., Path]) -> None:  # fmt: skip
    ev = evaluations[company]
    book = read_xlsx(report_file(company, "void-effect", "xlsx"))
    html = read_html(report_file(company, "void-effect", "html"))
    for section, index, records, columns in _tables(ev):
        sheet = book[SHEETS[section][:31]]
        assert sheet.freeze_panes == "A3"
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        headers = html.section(section)[index].headers
        at = next(i for i, r in enumerate(rows) if [str(c) for c in r[: len(headers)]] == headers)
        for got, rec in zip(rows[at + 1 : at + 1 + len(records)], records, strict=True):
            for pos, field, kind in columns:
                kind = kind or rec["kind"]
                if kind == "date":
                    assert isinstance(got[pos], dt.datetime), (section, field)
                elif rec[field] is not None:
                    assert isinstance(got[pos], int | float), (section, field, got[pos])
                assert _same(got[pos], rec[field], kind), (section, field, got, rec)
    assert (SHEETS["measures"][:31] in book.sheetnames) == bool(ev["measures"])


@pytest.mark.parametrize("company", COMPANIES)
def test_pdf(company: str, evaluations: dict[str, Any],
             report_file: Callable[..., Path]) -> None:  # fmt: skip
    """Each row of the ratio, reasons and impact tables is a line of the PDF; every value of the
    wider tables is in its text."""
    ev = evaluations[company]
    lines = read_pdf_lines(report_file(company, "void-effect", "pdf"))
    text = " ".join(lines)
    html = read_html(report_file(company, "void-effect", "html"))
    for section, index, records, columns in _tables(ev):
        for row, rec in zip(html.section(section)[index].rows, records, strict=True):
            values = [(rec[f] if k == "date" else shown(rec[f], k or rec["kind"]))
                      for _, f, k in columns]  # fmt: skip
            if section in ("ratio", "impact"):
                assert " ".join(c.text for c in row) in lines, (section, rec)
            for value in values:
                assert str(value) in text, (section, value)
