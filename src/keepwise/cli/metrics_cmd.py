"""KPI commands: ``metrics`` (the catalogue and its values), ``drilldown``, ``cohorts``,
``reasons`` and ``impact``. Each prints a table, or JSON with ``--json``."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from keepwise._core.clock import parse_day
from keepwise._core.i18n import register, t
from keepwise.cli.app import app, as_of_day, open_workspace, state

register(
    {
        "cli.metrics.col.metric": {"zh": "指标", "en": "metric"},
        "cli.metrics.col.period": {"zh": "周期", "en": "period"},
        "cli.metrics.col.dimension": {"zh": "维度", "en": "dimension"},
        "cli.metrics.col.value": {"zh": "数值", "en": "value"},
        "cli.metrics.col.numerator": {"zh": "分子", "en": "numerator"},
        "cli.metrics.col.denominator": {"zh": "分母", "en": "denominator"},
        "cli.metrics.col.definition": {"zh": "定义", "en": "definition"},
        "cli.metrics.col.customer": {"zh": "客户", "en": "customer"},
        "cli.metrics.col.name": {"zh": "名称", "en": "name"},
        "cli.metrics.col.ref": {"zh": "记录", "en": "record"},
        "cli.metrics.col.in_numerator": {"zh": "计入分子", "en": "in numerator"},
        "cli.metrics.col.in_denominator": {"zh": "计入分母", "en": "in denominator"},
        "cli.metrics.col.cohort": {"zh": "获客批次", "en": "cohort"},
        "cli.metrics.col.customers": {"zh": "客户数", "en": "customers"},
        "cli.metrics.col.age": {"zh": "期数", "en": "age"},
        "cli.metrics.col.retention": {"zh": "留存率", "en": "retention"},
        "cli.metrics.col.group": {"zh": "分组", "en": "group"},
        "cli.metrics.col.days": {"zh": "天数", "en": "days"},
        "cli.metrics.col.survival": {"zh": "留存概率", "en": "survival"},
        "cli.metrics.col.band": {"zh": "置信区间", "en": "confidence band"},
        "cli.metrics.col.status": {"zh": "状态", "en": "status"},
        "cli.metrics.col.reason": {"zh": "原因", "en": "reason"},
        "cli.metrics.col.avoidable": {"zh": "可避免", "en": "avoidable"},
        "cli.metrics.col.revenue_lost": {"zh": "流失收入", "en": "revenue lost"},
        "cli.metrics.col.lost_customers": {"zh": "流失客户", "en": "lost customers"},
        "cli.metrics.col.clv_lost": {"zh": "流失预测价值", "en": "CLV lost"},
        "cli.metrics.col.acquisition_cost_unrecovered": {
            "zh": "未收回获客成本", "en": "acquisition cost not paid back"},
        "cli.metrics.col.revenue_at_risk_share": {
            "zh": "风险收入占比", "en": "revenue at risk"},
        "cli.metrics.title": {"zh": "客户指标（截至 {as_of}）", "en": "Customer KPIs (as of {as_of})"},
        "cli.metrics.catalogue": {"zh": "指标目录", "en": "KPI catalogue"},
        "cli.metrics.drill.title": {
            "zh": "{metric}：{period} 的客户明细（{n} 行）",
            "en": "{metric}: the customers behind {period} ({n} rows)"},
        "cli.metrics.cohorts.title": {
            "zh": "获客批次留存率（截至 {as_of}）", "en": "Acquisition-cohort retention (as of {as_of})"},
        "cli.metrics.km.title": {
            "zh": "Kaplan-Meier 留存曲线（按{by}）", "en": "Kaplan-Meier retention (by {by})"},
        "cli.metrics.reasons.title": {
            "zh": "流失与作废原因（截至 {as_of}）", "en": "Churn and void reasons (as of {as_of})"},
        "cli.metrics.impact.title": {
            "zh": "流失的业务影响（截至 {as_of}）", "en": "Business impact of churn (as of {as_of})"},
        "cli.metrics.total": {"zh": "合计", "en": "total"},
        "cli.metrics.yes": {"zh": "是", "en": "yes"},
        "cli.metrics.no": {"zh": "否", "en": "no"},
        "cli.metrics.unknown": {"zh": "未知", "en": "unknown"},
        "cli.metrics.avoid.avoidable": {"zh": "可避免", "en": "avoidable"},
        "cli.metrics.avoid.unavoidable": {"zh": "不可避免", "en": "unavoidable"},
        "cli.metrics.avoid.unknown": {"zh": "未知", "en": "unknown"},
    }
)  # fmt: skip

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Date of the figures; later data is ignored (default: today) "
                 "/ 截止日期"),
]  # fmt: skip
Grain = Annotated[str, typer.Option(help="Period: week, month, quarter or year / 周期粒度")]
Start = Annotated[
    str | None,
    typer.Option(help="First day of the range (rounded down to a whole period; default: "
                 "12 periods before --end) / 起始日期"),
]  # fmt: skip
End = Annotated[
    str | None,
    typer.Option(help="End of the range, exclusive (rounded up to a whole period; default: "
                 "the start of the period containing --as-of) / 结束日期（不含）"),
]  # fmt: skip
By = Annotated[
    str | None,
    typer.Option(help="Cut by a customer dimension: segment, industry, region, channel, owner, "
                 "tier / 维度"),
]  # fmt: skip
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
WinbackDays = Annotated[
    int | None, typer.Option(help="winback_rate: days after a follow-up (default 90) / 挽回天数")
]


def _day(text: str | None) -> dt.date | None:
    return parse_day(text) if text else None


def _clean(value: Any) -> Any:
    """JSON-ready: NaN → null, dates → ISO text, numpy numbers → Python numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def _num(value: Any, kind: str = "ratio") -> str:
    if value is None or pd.isna(value):
        return "—"
    if kind == "proportion":
        return f"{value:.1%}"
    if kind in ("count", "amount") or float(value).is_integer():
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{value:,.3f}"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _cols(lang: str, *keys: str) -> list[str]:
    return [t(f"cli.metrics.col.{k}", lang) for k in keys]


Cuts = Annotated[
    list[str] | None,
    typer.Option("--by", help="Cut by a customer dimension: segment, industry, region, channel, "
                 "owner, tier; repeatable / 维度，可重复"),
]  # fmt: skip


@app.command("metrics")
def metrics_cmd(
    ctx: typer.Context,
    metric: Annotated[
        list[str] | None,
        typer.Option("--metric", "-m", help="KPI id, repeatable (default: all; see --list) / 指标"),
    ] = None,
    grain: Grain = "month",
    start: Start = None,
    end: End = None,
    by: Cuts = None,
    total: Annotated[
        bool,
        typer.Option(
            "--total",
            help="With --by, also the uncut figures, summed from the same "
            "pass / 同时输出不分维度的合计",
        ),
    ] = False,
    trailing: Annotated[
        bool,
        typer.Option(
            "--trailing",
            help="One window: the --grain before --as-of (e.g. --grain "
            "year --trailing: the last 12 months) / 截止日期前的一个滚动窗口",
        ),
    ] = False,
    as_of: AsOf = None,
    as_json: AsJson = False,
    list_: Annotated[
        bool, typer.Option("--list", help="List the KPI catalogue with definitions / 指标目录")
    ] = False,
    winback_days: WinbackDays = None,
) -> None:
    """KPIs per period, optionally cut by dimensions. / 按周期（及维度）计算客户指标。

    With several cuts (--by more than once, or --by with --total) each JSON row also names its
    cut in "by" (null: uncut). / 多个维度时，JSON 每行的 "by" 字段标明其维度（null 为合计）。
    """
    lang = state(ctx).lang
    if list_:
        _print_catalogue(lang, as_json)
        return
    cuts: list[str | None] = list(dict.fromkeys(by)) if by else [None]
    if total and by:
        cuts.append(None)
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        results = ws.metrics_cuts(metric or None, cuts=cuts, as_of=day, grain=grain,
                                  start=_day(start), end=_day(end), winback_days=winback_days,
                                  trailing=trailing)  # fmt: skip
        catalogue = ws.metric_catalogue(lang)
    if as_json:
        if len(cuts) == 1:
            _echo_json(_records(results[cuts[0]]))
        else:
            _echo_json([{**row, "by": cut} for cut, df in results.items() for row in _records(df)])
        return
    for cut, df in results.items():
        label = (cut or t("cli.metrics.total", lang)) if len(cuts) > 1 else None
        _print_metrics(df, catalogue, lang, day, label)


def _print_metrics(
    df: pd.DataFrame, catalogue: list[dict[str, Any]], lang: str, day: dt.date, cut: str | None
) -> None:
    """One cut's KPIs as a table (``cut``: its label in the title, when there are several)."""
    kinds = {r["id"]: r["kind"] for r in catalogue}
    names = {r["id"]: r[f"name_{lang}"] for r in catalogue}
    title = t("cli.metrics.title", lang, as_of=day)
    if cut is not None:
        title += f" · {t('cli.metrics.col.dimension', lang)}: {cut}"
    table = Table(*_cols(lang, "metric", "period", "dimension", "value", "numerator",
                         "denominator"), title=title)  # fmt: skip
    for r in df.itertuples():
        mid = str(r.metric)
        table.add_row(f"{names[mid]} ({mid})", str(r.period_start), _text(r.dimension),
                      _num(r.value, kinds[mid]), _num(r.numerator), _num(r.denominator))  # fmt: skip
    Console().print(table)


def _print_catalogue(lang: str, as_json: bool) -> None:
    from keepwise.workspace import Workspace

    rows = Workspace.metric_catalogue(lang)
    if as_json:
        _echo_json(rows)
        return
    table = Table("id", "中文", "English", t("cli.metrics.col.definition", lang),
                  title=t("cli.metrics.catalogue", lang))  # fmt: skip
    for r in rows:
        table.add_row(r["id"], r["name_zh"], r["name_en"], r["definition"])
    Console().print(table)


@app.command("drilldown")
def drilldown_cmd(
    ctx: typer.Context,
    metric: Annotated[str, typer.Argument(help="KPI id / 指标")],
    period: Annotated[str, typer.Argument(help="A day in the period, e.g. 2024-03-01 / 周期")],
    grain: Grain = "month",
    by: By = None,
    value: Annotated[
        str | None, typer.Option(help="The dimension value, with --by / 维度取值")
    ] = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
    limit: Annotated[int, typer.Option(help="Rows to show / 显示行数")] = 50,
    winback_days: WinbackDays = None,
) -> None:
    """The customers in a KPI value's numerator and denominator. / 指标数值的客户明细。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        df = ws.drilldown(metric, parse_day(period), as_of=as_of_day(ctx, ws, as_of), grain=grain, by=by,
                          value=value, winback_days=winback_days)  # fmt: skip
    if as_json:
        _echo_json(_records(df))
        return
    yes, no = t("cli.metrics.yes", lang), t("cli.metrics.no", lang)
    table = Table(*_cols(lang, "customer", "name", "ref", "in_numerator", "in_denominator",
                         "numerator", "denominator"),
                  title=t("cli.metrics.drill.title", lang, metric=metric, period=period,
                          n=len(df)))  # fmt: skip
    for r in df.head(limit).itertuples():
        table.add_row(_text(r.customer_id), _text(r.name), _text(r.ref),
                      yes if r.in_numerator else no, yes if r.in_denominator else no,
                      _num(r.numerator), _num(r.denominator))  # fmt: skip
    Console().print(table)


@app.command("cohorts")
def cohorts_cmd(
    ctx: typer.Context,
    grain: Grain = "month",
    start: Start = None,
    end: End = None,
    by: By = None,
    as_of: AsOf = None,
    curves: Annotated[
        bool, typer.Option("--curves", help="Retention by age over all cohorts / 留存曲线")
    ] = False,
    km: Annotated[
        bool,
        typer.Option(
            "--km", help="Kaplan-Meier curves with 95% bands, by --by (default segment) / 生存曲线"
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Acquisition-cohort retention and curves. / 获客批次留存表与留存曲线。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        if km:
            df = ws.survival_by_segment(as_of=day, by=by or "segment")
        else:
            df = ws.cohorts(as_of=day, grain=grain, start=_day(start), end=_day(end), by=by)
            if curves:
                df = ws.cohort_curves(df)
    if as_json:
        _echo_json(_records(df))
        return
    if km:
        _print_km(df, by or "segment", lang)
    elif curves:
        _print_frame(df, lang, ["age", "dimension", "customers", "retention"])
    else:
        _print_cohorts(df, day, lang)


def _print_cohorts(df: pd.DataFrame, day: dt.date, lang: str) -> None:
    key = df["cohort"].astype(str) + df["dimension"].map(lambda d: f" · {d}" if d else "")
    pivot = df.assign(key=key).pivot_table(index="key", columns="age", values="retention")
    sizes = df[df["age"] == 0].assign(key=key).set_index("key")["customers"]
    table = Table(*_cols(lang, "cohort", "customers"), *(str(a) for a in pivot.columns),
                  title=t("cli.metrics.cohorts.title", lang, as_of=day))  # fmt: skip
    for k, row in pivot.iterrows():
        table.add_row(str(k), f"{sizes.get(k, 0):,}", *(_num(v, "proportion") for v in row))
    Console().print(table)


def _print_km(df: pd.DataFrame, by: str, lang: str) -> None:
    table = Table(*_cols(lang, "group", "days", "survival", "band", "customers"),
                  title=t("cli.metrics.km.title", lang, by=by))  # fmt: skip
    for r in df.itertuples():
        band = f"{r.ci_lower:.1%} – {r.ci_upper:.1%}"
        table.add_row(str(r.group), f"{r.days:,.0f}", f"{r.survival:.1%}", band, f"{r.at_risk:,}")
    Console().print(table)


def _print_frame(df: pd.DataFrame, lang: str, cols: list[str], title: str = "") -> None:
    table = Table(*_cols(lang, *cols), title=title or None)
    for row in df[cols].itertuples(index=False):
        table.add_row(*(_cell(c, v) for c, v in zip(cols, row, strict=True)))
    Console().print(table)


def _cell(col: str, value: Any) -> str:
    if col in ("retention", "revenue_at_risk_share"):
        return _num(value, "proportion")
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _num(value, "amount")
    return "" if value is None else str(value)


@app.command("reasons")
def reasons_cmd(
    ctx: typer.Context,
    grain: Grain = "month",
    start: Start = None,
    end: End = None,
    by: By = None,
    as_of: AsOf = None,
    avoidable: Annotated[
        bool, typer.Option("--avoidable", help="Roll up to avoidable / unavoidable / 可避免性")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Churn and void counts and revenue lost by reason. / 流失与作废原因统计。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        df = ws.reasons(as_of=day, grain=grain, start=_day(start), end=_day(end), by=by,
                        avoidable=avoidable)  # fmt: skip
    if as_json:
        _echo_json(_records(df))
        return
    title = t("cli.metrics.reasons.title", lang, as_of=day)
    if avoidable:
        df = df.assign(avoidable=df["avoidable"].map(lambda a: t(f"cli.metrics.avoid.{a}", lang)))
        _print_frame(df.assign(period=df["period_start"]), lang,
                     ["period", "dimension", "status", "avoidable", "customers", "revenue_lost"],
                     title)  # fmt: skip
        return
    unknown = t("cli.metrics.unknown", lang)
    df = df.assign(
        reason=df[f"reason_{lang}"],
        avoidable=df["avoidable"].map(
            lambda a: unknown if a is None else t(f"cli.metrics.{'yes' if a else 'no'}", lang)
        ),
    )
    _print_frame(df.assign(period=df["period_start"]), lang,
                 ["period", "dimension", "status", "reason", "avoidable", "customers",
                  "revenue_lost"], title)  # fmt: skip


@app.command("impact")
def impact_cmd(
    ctx: typer.Context,
    grain: Grain = "month",
    start: Start = None,
    end: End = None,
    by: By = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Revenue lost, CLV lost, acquisition cost not paid back, revenue at risk. / 流失的业务影响。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        df = ws.impact(as_of=day, grain=grain, start=_day(start), end=_day(end), by=by)
    if as_json:
        _echo_json(_records(df))
        return
    _print_frame(df.assign(period=df["period_start"]), lang,
                 ["period", "dimension", "lost_customers", "revenue_lost", "clv_lost",
                  "acquisition_cost_unrecovered", "revenue_at_risk_share"],
                 t("cli.metrics.impact.title", lang, as_of=day))  # fmt: skip
