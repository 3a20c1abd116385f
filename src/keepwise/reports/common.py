"""What the report builders share: the kind of each KPI's values, period labels, the lines
under a report's title, and a KPI's trend with its change from the previous period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from keepwise._core.i18n import Lang, register, t
from keepwise.metrics.catalogue import CATALOGUE
from keepwise.reports.document import Kind
from keepwise.reports.formats import is_empty

register(
    {
        "report.meta.workspace": {"zh": "工作区", "en": "Workspace"},
        "report.meta.periods": {"zh": "统计周期", "en": "Periods"},
        "report.meta.as_of": {"zh": "截止日期", "en": "As of"},
        "report.meta.data_end": {"zh": "数据截止", "en": "Data ends"},
        "report.meta.grain": {"zh": "周期粒度", "en": "Grain"},
        "report.meta.none": {"zh": "无数据", "en": "no data"},
        "report.grain.week": {"zh": "周", "en": "weekly"},
        "report.grain.month": {"zh": "月度", "en": "monthly"},
        "report.grain.quarter": {"zh": "季度", "en": "quarterly"},
        "report.grain.year": {"zh": "年度", "en": "yearly"},
        "report.range": {"zh": "{start} 至 {end}（不含）", "en": "{start} to {end} (exclusive)"},
    }
)

#: Ratios of the catalogue that read as percentages (the CLI shows them so too).
_PERCENT_RATIOS = {"net_customer_change_rate", "retention_rate", "net_revenue_retention",
                   "complaint_rate"}  # fmt: skip
_MONEY = {"revenue", "revenue_lost", "cac", "clv_historical", "clv_predicted"}


def rows_of(df: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``df`` as named tuples (typed loosely: their fields are the columns)."""
    return df.itertuples(index=False)


def kpi_kind(metric: str) -> Kind:
    """How a KPI's values are shown: shares and rates as percentages, counts whole, amounts
    with two decimals, the rest (means, scores, hours) as numbers."""
    kind = CATALOGUE[metric].kind
    if kind == "proportion" or metric in _PERCENT_RATIOS:
        return "pct"
    if metric in _MONEY:
        return "money"
    if kind == "count":
        return "int"
    return "num"


def kpi_name(metric: str, lang: Lang) -> str:
    return CATALOGUE[metric].name(lang)


def period_label(start: Any, grain: str) -> str:
    day = pd.Timestamp(start).date()
    if grain == "quarter":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    if grain == "year":
        return str(day.year)
    if grain == "month":
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def meta_lines(
    lang: Lang, workspace: str, as_of: dt.date, data_end: dt.date | None,
    start: dt.date | None = None, end: dt.date | None = None, grain: str | None = None,
) -> list[tuple[str, str]]:  # fmt: skip
    lines = [(t("report.meta.workspace", lang), workspace)]
    if start is not None and end is not None:
        lines.append(
            (
                t("report.meta.periods", lang),
                t("report.range", lang, start=start.isoformat(), end=end.isoformat()),
            )
        )
    if grain is not None:
        lines.append((t("report.meta.grain", lang), t(f"report.grain.{grain}", lang)))
    lines.append((t("report.meta.as_of", lang), as_of.isoformat()))
    end_text = data_end.isoformat() if data_end else t("report.meta.none", lang)
    lines.append((t("report.meta.data_end", lang), end_text))
    return lines  # fmt: skip


@dataclass(frozen=True)
class Trend:
    """One KPI over the report's periods: values by period start, and the change of the
    latest complete period from the one before it (``None`` when either is empty)."""

    metric: str
    values: dict[dt.date, float | None]
    latest: dt.date | None
    previous: dt.date | None
    change: float | None


def _number(value: Any) -> float | None:
    return None if is_empty(value) else float(value)


def trend(kpis: pd.DataFrame, metric: str, dimension: str | None = None) -> Trend:
    """The KPI's trend from rows of ``ws.metrics.compute`` (with the period before the first
    shown one, so that the first shown period has a change too)."""
    rows = kpis[kpis["metric"] == metric]
    if dimension is not None:
        rows = rows[rows["dimension"] == dimension]
    rows = rows.sort_values("period_start")
    values = {pd.Timestamp(r.period_start).date(): _number(r.value) for r in rows_of(rows)}
    complete = [pd.Timestamp(r.period_start).date() for r in rows_of(rows) if r.complete]
    days = complete or list(values)
    latest = days[-1] if days else None
    before = [d for d in values if latest is not None and d < latest]
    previous = before[-1] if before else None
    change = None
    if latest is not None and previous is not None:
        a, b = values[latest], values[previous]
        change = None if a is None or b is None else a - b
    return Trend(metric, values, latest, previous, change)
