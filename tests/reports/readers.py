"""Read a report back as a program would: the HTML's tables (shown text and exact
``data-value``), the XLSX workbook's cells (values, types, formats), the PDF's text lines; and
the figures formatted the way docs/reports.md says a report shows them."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

EMPTY = "—"


def shown(value: Any, kind: str) -> str:
    """docs/reports.md, "Numbers": shares as percentages with one decimal, amounts with two
    decimals and thousands separators, counts whole, p-values with three decimals, other numbers
    whole when whole else with two decimals, empty as a dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return EMPTY
    v = float(value)
    if kind == "pct":
        return f"{v * 100:.1f}%"
    if kind == "money":
        return f"{v:,.2f}"
    if kind == "p":
        return f"{v:.3f}"
    if kind == "int" or (kind == "num" and v == int(v)):
        return f"{round(v):,}"
    return f"{v:,.2f}"


@dataclass
class Cell:
    text: str
    value: str | None  # data-value


@dataclass
class HtmlTable:
    section: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class HtmlReport:
    text: str
    tables: list[HtmlTable] = field(default_factory=list)
    facts: list[tuple[str, Cell]] = field(default_factory=list)

    def section(self, key: str) -> list[HtmlTable]:
        return [t for t in self.tables if t.section == key]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.report = HtmlReport("")
        self.section = ""
        self.table: HtmlTable | None = None
        self.cell: list[str] | None = None
        self.cell_value: str | None = None
        self.row: list[Cell] | None = None
        self.in_head = False
        self.fact_label: str | None = None
        self.span: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id") or ""
        elif tag == "table":
            self.table = HtmlTable(a.get("data-section") or "")
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and self.table is not None and not self.in_head:
            self.row = []
        elif tag in ("td", "th") and self.table is not None:
            self.cell, self.cell_value = [], a.get("data-value")
        elif tag == "span" and a.get("class") in ("label", "value"):
            self.span, self.cell, self.cell_value = a["class"], [], a.get("data-value")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.table is not None:
            self.report.tables.append(self.table)
            self.table = None
        elif tag == "thead":
            self.in_head = False
        elif tag == "th" and self.table is not None and self.cell is not None:
            self.table.headers.append("".join(self.cell))
            self.cell = None
        elif tag == "td" and self.row is not None and self.cell is not None:
            self.row.append(Cell("".join(self.cell), self.cell_value))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            self.table.rows.append(self.row)
            self.row = None
        elif tag == "span" and self.span and self.cell is not None:
            text = "".join(self.cell)
            if self.span == "label":
                self.fact_label = text
            elif self.fact_label is not None:
                self.report.facts.append((self.fact_label, Cell(text, self.cell_value)))
            self.span, self.cell = None, None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def read_html(path: Path) -> HtmlReport:
    text = path.read_text(encoding="utf-8")
    parser = _Parser()
    parser.feed(text)
    parser.report.text = text
    return parser.report


def read_xlsx(path: Path) -> Any:
    from openpyxl import load_workbook

    return load_workbook(path)


def sheet_rows(ws: Any) -> list[list[Any]]:
    return [[c for c in row] for row in ws.iter_rows()]


def read_pdf_lines(path: Path) -> list[str]:
    from pypdf import PdfReader

    lines = []
    for page in PdfReader(str(path)).pages:
        for line in page.extract_text().splitlines():
            norm = re.sub(r"\s+", " ", line).strip()
            if norm:
                lines.append(norm)
    return lines


def day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
