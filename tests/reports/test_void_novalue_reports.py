"""The no-value report in HTML, XLSX and PDF on the demo and the hand-built KPI company: its
figures equal ``keepwise value no-value --json`` for the same date; names that look like HTML or
a formula stay inert text; bad types, formats and grains are refused. (The void-effect report:
test_void_effect_report.py.)"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from readers import day, read_html, read_pdf_lines, read_xlsx, shown
from report_support import cli_json, make_hand, run_cli

COMPANIES = ["demo", "hand"]


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)


@pytest.mark.parametrize("company", COMPANIES)
@pytest.mark.parametrize("ext", ["html", "xlsx", "pdf"])
def test_no_value(company: str, ext: str, companies: dict[str, Any],
                  report_file: Callable[..., Path]) -> None:  # fmt: skip
    path, as_of = companies[company]
    want = cli_json("-w", str(path), "value", "no-value", "--as-of", as_of.isoformat())["customers"]
    assert want, "the company has no-value customers to show"
    keys = ("level", "orders_last_periods", "revenue_last_periods",
            "profit_contribution_last_periods", "p_alive")  # fmt: skip
    kinds = ("int", "num", "money", "money", "pct")
    out = report_file(company, "no-value", ext)
    if ext == "html":
        (table,) = read_html(out).section("customers")
        got = {r[0].text: r for r in table.rows}
        assert list(got) == [w["customer_id"] for w in want]
        for w in want:
            cells = got[w["customer_id"]]
            assert cells[1].text == w["name"]
            for cell, key, kind in zip(cells[4:9], keys, kinds, strict=True):
                assert _close(cell.value, w.get(key)) and cell.text == shown(w.get(key), kind)
            assert cells[9].text == {"reduce_service": "Reduce service frequency",
                                     "stop_discounts": "Stop discounts",
                                     "end_relationship": "End the relationship"}[w["treatment"]]  # fmt: skip
    elif ext == "xlsx":
        ws = read_xlsx(out)["Customers to decide on"]
        assert ws.freeze_panes == "A3"
        rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
        for w in want:
            r = rows[w["customer_id"]]
            assert r[1] == w["name"]
            assert all(_close(a, w.get(k)) for a, k in zip(r[4:9], keys, strict=True))
    else:
        # A row whose name or criteria wrap spans several lines: its text runs from the line
        # starting with its id to the next row's.
        text = " ".join(read_pdf_lines(out))
        ids = [w["customer_id"] for w in want]
        for i, w in enumerate(want):
            numbers = " ".join(shown(w.get(k), kind) for k, kind in zip(keys, kinds, strict=True))
            start = text.index(f"{w['customer_id']} ")
            stop = text.index(f"{ids[i + 1]} ", start) if i + 1 < len(ids) else len(text)
            assert numbers in text[start:stop], (w["customer_id"], numbers)


def test_names_stay_inert(tmp_path: Path) -> None:
    """A customer named like a script or a spreadsheet formula is shown as text."""
    script, formula = "<script>alert(1)</script>", '=HYPERLINK("http://example.invalid","x")'
    ws = make_hand(tmp_path / "ws", {"F01": script, "F02": formula})
    for ext in ("html", "xlsx"):
        code, _, err = run_cli("-w", str(ws), "report", "no-value", "--as-of", "2024-07-01",
                               "--out", str(tmp_path / f"nv.{ext}"))  # fmt: skip
        assert code == 0, err
    html = (tmp_path / "nv.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    names = {
        r[0].text: r[1].text for r in read_html(tmp_path / "nv.html").section("customers")[0].rows
    }
    assert names["F01"] == script and names["F02"] == formula
    sheet = read_xlsx(tmp_path / "nv.xlsx")["Customers to decide on"]
    cells = {r[0].value: r[1] for r in sheet.iter_rows(min_row=3) if r[0].value}
    assert cells["F01"].value == script and cells["F02"].value == formula
    assert cells["F02"].data_type == "s"  # a string cell, not a formula
    with __import__("zipfile").ZipFile(tmp_path / "nv.xlsx") as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets"))
    assert "<f>" not in xml


def test_bad_type_and_format(hand_dir: Path, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "-w", str(hand_dir), "report", "churn", "--out", str(tmp_path / "x.html")
    )
    assert code == 2 and "Unknown report type churn" in err
    code, _, err = run_cli(
        "-w", str(hand_dir), "report", "retention", "--out", str(tmp_path / "x.docx")
    )
    assert code == 2 and ".html, .xlsx or .pdf" in err
    code, _, err = run_cli("-w", str(hand_dir), "--lang", "zh", "report", "retention", "--grain",
                           "week", "--out", str(tmp_path / "x.html"))  # fmt: skip
    assert code == 2 and "报告的周期粒度只能是 month 或 quarter" in err
    assert not list(tmp_path.iterdir())


def test_quarterly(companies: dict[str, Any], report_file: Callable[..., Path]) -> None:
    """A quarterly retention report shows quarters, with the values of metrics --grain quarter."""
    path, as_of = companies["demo"]
    rows = cli_json("-w", str(path), "metrics", "--as-of", as_of.isoformat(), "--grain",
                    "quarter", "-m", "churn_rate")  # fmt: skip
    (kpis,) = read_html(report_file("demo", "retention", "html", grain="quarter")).section("kpis")
    assert kpis.headers[2:-1] == [f"{day(r['period_start']).year} Q"
                                  f"{(day(r['period_start']).month - 1) // 3 + 1}" for r in rows]  # fmt: skip
    churn = next(r for r in kpis.rows if r[1].text == "churn_rate")
    assert [c.value for c in churn[2:-1]] == [repr(float(r["value"])) for r in rows]
