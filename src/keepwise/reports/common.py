"""What the report builders share: the kind of each KPI's values, period labels, the lines
under a report's title, and a KPI's trend with its change from the previous period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from keepwise._core.i18n import Lang, register, t
from keepwise._core.words import LEVELS, messages
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
        # the words and column titles the reports share
        "report.col.kpi": {"zh": "指标", "en": "KPI"},
        "report.col.id": {"zh": "编号", "en": "id"},
        "report.col.change": {"zh": "环比变化", "en": "change"},
        "report.col.period": {"zh": "周期开始", "en": "period start"},
        "report.col.period_end": {"zh": "周期结束", "en": "period end"},
        "report.col.value": {"zh": "数值", "en": "value"},
        "report.col.numerator": {"zh": "分子", "en": "numerator"},
        "report.col.denominator": {"zh": "分母", "en": "denominator"},
        "report.col.complete": {"zh": "完整周期", "en": "complete"},
        "report.yes": {"zh": "是", "en": "yes"},
        "report.no": {"zh": "否", "en": "no"},
        "report.col.status": {"zh": "状态", "en": "status"},
        "report.col.reason": {"zh": "原因", "en": "reason"},
        "report.col.avoidable": {"zh": "可避免", "en": "avoidable"},
        "report.col.customers": {"zh": "客户数", "en": "customers"},
        "report.col.revenue_lost": {"zh": "流失收入", "en": "revenue lost"},
        "report.unknown": {"zh": "未知", "en": "unknown"},
        "report.status.churned": {"zh": "流失", "en": "churned"},
        "report.status.voided": {"zh": "作废", "en": "voided"},
        "report.col.cohort": {"zh": "获客批次", "en": "cohort"},
        "report.col.age": {"zh": "第 {age} 期", "en": "age {age}"},
        "report.col.tier": {"zh": "价值层级", "en": "tier"},
        "report.col.customer_share": {"zh": "客户占比", "en": "share of customers"},
        "report.col.revenue_share": {"zh": "收入占比", "en": "share of revenue"},
        "report.col.revenue": {"zh": "收入", "en": "revenue"},
        "report.tier.high": {"zh": "高价值", "en": "high"},
        "report.tier.mid": {"zh": "中等价值", "en": "mid"},
        "report.tier.low": {"zh": "低价值", "en": "low"},
        "report.tier.no_value": {"zh": "无价值", "en": "no value"},
        "report.tier.new": {"zh": "新客户", "en": "new"},
        "report.tier.unscored": {"zh": "未评分", "en": "unscored"},
        "report.col.band": {"zh": "风险等级", "en": "band"},
        "report.col.value_at_risk": {"zh": "风险价值", "en": "value at risk"},
        "report.col.customer": {"zh": "客户编号", "en": "customer"},
        "report.col.name": {"zh": "客户名称", "en": "name"},
        "report.col.owner": {"zh": "负责人", "en": "owner"},
        "report.col.probability": {"zh": "流失概率", "en": "churn probability"},
        "report.col.customer_value": {"zh": "客户价值", "en": "customer value"},
        "report.col.driver": {"zh": "主要原因", "en": "main driver"},
        **messages("report.band", LEVELS),
    }
)  # fmt: skip

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
