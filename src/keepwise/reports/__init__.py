"""Reports managers hand on (docs/reports.md): the retention report, the void-effect
evaluation and the no-value approval list, each as one self-contained HTML file, an XLSX
workbook or a PDF, in Chinese or English.

A report is built as a :class:`Document` from figures the workspace services computed and
written by the writer its file name's suffix picks (:func:`write`)."""

from __future__ import annotations

from pathlib import Path

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.reports.document import Chart, Column, Document, Fact, Section, Table, Val

__all__ = ["FORMATS", "Chart", "Column", "Document", "Fact", "Section", "Table", "Val",
           "format_of", "write"]  # fmt: skip

FORMATS = ("html", "xlsx", "pdf")

register(
    {
        "report.bad_format": {
            "zh": "无法识别报告格式 {name}：文件名须以 .html、.xlsx 或 .pdf 结尾",
            "en": "Cannot tell the report format of {name}: the file name must end in .html, "
            ".xlsx or .pdf",
        },
    }
)


def format_of(path: Path) -> str:
    """The format a file name asks for (its suffix, case-insensitive; .htm is HTML)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    if suffix not in FORMATS:
        raise InputError("report.bad_format", name=str(path))
    return suffix


def write(doc: Document, path: Path) -> Path:
    """Write ``doc`` to ``path`` in the format of its suffix; the file appears whole or not at
    all (written beside it, then renamed)."""
    path = Path(path)
    kind = format_of(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        if kind == "html":
            from keepwise.reports.html import write_html

            write_html(doc, tmp)
        elif kind == "xlsx":
            from keepwise.reports.xlsx import write_xlsx

            write_xlsx(doc, tmp)
        else:
            from keepwise.reports.pdf import write_pdf

            write_pdf(doc, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
