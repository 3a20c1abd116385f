"""A report as an XLSX workbook (openpyxl, write-only mode so that long customer lists stay
light): a first sheet about the report, then one sheet per section. Cells hold real numbers
and dates with number formats (a share is 0.123 shown as 12.3%), headers are bold and frozen,
and every text is written as a text cell — a customer named ``=HYPERLINK(…)`` is never a
formula."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from keepwise._core.i18n import register, t
from keepwise.reports.document import Document, Kind, Section, Table
from keepwise.reports.formats import XLSX_FORMATS, cell, unwrap

register(
    {
        "report.xlsx.about": {"zh": "报告信息", "en": "About"},
        "report.xlsx.item": {"zh": "项目", "en": "item"},
        "report.xlsx.value": {"zh": "数值", "en": "value"},
    }
)

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Rows of each table read to size the columns.
_SAMPLE = 300
Style = Literal["plain", "bold", "title"]
Row = tuple[list[Any], list[Kind], Style]


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _table_rows(table: Table, limit: int | None = None) -> Iterator[Row]:
    kinds: list[Kind] = [c.kind for c in table.columns]
    yield [c.title for c in table.columns], ["text"] * len(kinds), "bold"
    for r in islice(table.rows, limit):
        yield list(r), kinds, "plain"


def _section_rows(section: Section, lang: str, limit: int | None = None) -> Iterator[Row]:
    """The rows of a section's sheet: the title, then the first table (its header is row 2,
    the frozen one), the other tables with their captions, the facts, the notes."""
    yield [section.title], ["text"], "title"
    for i, table in enumerate(section.tables):
        if i:
            yield [], [], "plain"
            if table.caption:
                yield [table.caption], ["text"], "bold"
        yield from _table_rows(table, limit)
    if section.facts:
        if section.tables:
            yield [], [], "plain"
        yield [t("report.xlsx.item", lang), t("report.xlsx.value", lang)], ["text", "text"], "bold"
        for f in section.facts:
            yield [f.label, f.value], ["text", f.kind], "plain"
    notes = ([section.intro] if section.intro else []) + section.notes
    if notes:
        yield [], [], "plain"
        for note in notes:
            yield [note], ["text"], "plain"


def _widths(rows: Iterator[Row]) -> dict[int, float]:
    widths: dict[int, float] = {}
    for values, kinds, style in rows:
        if style == "title":
            continue
        for i, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            text = "" if value is None else str(value)
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:60]) + 2
            if kind in ("pct", "money", "int", "num", "p", "date"):
                width = max(width, 12)
            widths[i] = max(widths.get(i, 8), min(width, 60))
    return widths


def _write(wb: Any, name: str, rows: Iterator[Row], sample: Iterator[Row], freeze: bool) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fonts = {"plain": None, "bold": Font(bold=True), "title": Font(bold=True, size=13)}
    ws = wb.create_sheet(name)
    # A write-only sheet takes its views and column widths before its first row.
    if freeze:
        ws.freeze_panes = "A3"
    for col, width in _widths(sample).items():
        ws.column_dimensions[get_column_letter(col + 1)].width = width
    for values, kinds, style in rows:
        cells = []
        for value, kind in zip(values, kinds, strict=True):
            c = WriteOnlyCell(ws, value=cell(value, kind))
            if isinstance(c.value, str):
                c.data_type = "s"  # text, never a formula, whatever it starts with
            elif c.value is not None:
                c.number_format = XLSX_FORMATS[unwrap(value, kind)[1]]
            if fonts[style] is not None:
                c.font = fonts[style]
            cells.append(c)
        ws.append(cells)


def _about_rows(doc: Document) -> Iterator[Row]:
    yield [doc.title], ["text"], "title"
    for label, value in doc.meta:
        yield [label, value], ["text", "text"], "plain"
    for line in doc.notes + doc.footer:
        yield [line], ["text"], "plain"


def write_xlsx(doc: Document, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used: set[str] = set()
    _write(wb, _sheet_name(t("report.xlsx.about", doc.lang), used), _about_rows(doc),
           _about_rows(doc), freeze=False)  # fmt: skip
    for s in doc.sections:
        _write(wb, _sheet_name(s.title, used), _section_rows(s, doc.lang),
               _section_rows(s, doc.lang, _SAMPLE), freeze=bool(s.tables or s.facts))  # fmt: skip
    wb.save(str(path))
