"""A report as one self-contained HTML file: styles inline, charts as inline SVG, no script
and no link to load, so it opens offline and can be mailed as one file. Every value is
escaped (Jinja2's autoescape): a customer named ``<script>…`` shows as text.

Numeric cells carry their exact value in ``data-value`` (the text shows it rounded), so that a
program reading the file gets the same numbers as ``keepwise metrics --json``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup

from keepwise._core.i18n import register, t
from keepwise.reports.charts import svg
from keepwise.reports.document import Document, Kind
from keepwise.reports.formats import as_date, is_empty, show, unwrap

register(
    {
        "report.more_rows": {
            "zh": "另有 {n:,} 行未在此显示（XLSX 文件包含全部行）",
            "en": "{n:,} more rows not shown here (the XLSX file has them all)",
        },
    }
)

#: Rows of one table shown in HTML and PDF (the XLSX file has all of them).
ROW_LIMIT = 500


@cache
def _template() -> Any:
    from jinja2 import Environment

    env = Environment(autoescape=True, trim_blocks=False, lstrip_blocks=False)
    text = resources.files("keepwise.reports").joinpath("templates/report.html").read_text("utf-8")
    return env.from_string(text)


@cache
def _css() -> str:
    return resources.files("keepwise.reports").joinpath("templates/report.css").read_text("utf-8")


def _raw(value: Any, kind: Kind) -> Markup:
    """The exact value as a ``data-value`` attribute of a numeric or date cell."""
    value, kind = unwrap(value, kind)
    if kind == "text" or is_empty(value):
        return Markup("")
    if kind == "date":
        day = as_date(value)
        return Markup(' data-value="{}"').format(day.isoformat() if day else str(value))
    return Markup(' data-value="{}"').format(repr(float(value)))


def render_html(doc: Document, *, pdf: bool = False) -> str:
    """The document as HTML; ``pdf``: the print layout WeasyPrint turns into the PDF."""
    charts = {s.key: [svg(c) for c in s.charts] for s in doc.sections}
    return str(
        _template().render(
            doc=doc, pdf=pdf, css=Markup(_css()), charts=charts,
            html_lang="zh-CN" if doc.lang == "zh" else "en", show=show, raw=_raw,
            limit=ROW_LIMIT, more=lambda n: t("report.more_rows", doc.lang, n=n),
        )
    )  # fmt: skip


def write_html(doc: Document, path: Any) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(render_html(doc))
