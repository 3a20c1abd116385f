"""KPI commands: ``metrics`` (the catalogue and its values), ``drilldown``, ``cohorts``,
``reasons`` and ``impact``. Each prints a table, or JSON with ``--json``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from keepwise._core.clock import parse_day
from keepwise._core.errors import InputError
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import app, as_of_day, open_workspace, state
from keepwise.cli.fmt import Col

if TYPE_CHECKING:
    import pandas as pd

register(
    {
        "cli.metrics.incomplete": {"zh": "（不完整）", "en": "(incomplete)"},
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
        "cli.metrics.km.per_group": {
            "zh": "每组最多显示 {limit} 个时间点（均匀抽取，含最后一个）；--json 给出全部",
            "en": "At most {limit} time points per group (evenly spaced, the last included); "
                  "--json gives them all"},
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
        "cli.metrics.drill.value_needs_by": {
            "zh": "--value 需要与 --by 一起使用（例如 --by segment --value smb）",
            "en": "--value needs --by (for example --by segment --value smb)"},
        "cli.metrics.cut": {"zh": " · 维度：{cut}", "en": " · by {cut}"},
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
    int | None,
    typer.Option(min=1, help="winback_rate: days after a follow-up (default 90) / 挽回天数"),
]

#: How each KPI's value is shown: rates and shares as percentages, counts whole, money rounded.
_PERCENT_RATIOS = {"net_customer_change_rate", "retention_rate", "net_revenue_retention",
                   "complaint_rate"}  # fmt: skip
_MONEY = {"clv_predicted", "cac", "clv_historical"}


def _value(value: Any, kpi: str, kind: str) -> str:
    if kind == "proportion" or kpi in _PERCENT_RATIOS:
        return fmt.pct(value)
    if kind == "count":
        return fmt.count(value)
    if kind == "amount" or kpi in _MONEY:
        return fmt.amount(value)
    return fmt.number(value)


def _day(text: str | None) -> dt.date | None:
    return parse_day(text) if text else None


def _col(
    lang: Lang, key: str, kind: fmt.ColumnKind = "text", key_col: bool = False,
    optional: bool = False,
) -> Col:  # fmt: skip
    return Col(t(f"cli.metrics.col.{key}", lang), kind, key_col, optional)


def _dim(by: str | None, lang: Lang) -> str:
    return fmt.label("dimension", by, lang)


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
        results = ws.metrics.cuts(metric or None, cuts=cuts, as_of=day, grain=grain,
                                  start=_day(start), end=_day(end), winback_days=winback_days,
                                  trailing=trailing)  # fmt: skip
        catalogue = ws.metrics.catalogue(lang)
    if as_json:
        if len(cuts) == 1:
            fmt.echo_json(fmt.records(results[cuts[0]]))
        else:
            fmt.echo_json([{**row, "by": cut} for cut, df in results.items()
                           for row in fmt.records(df)])  # fmt: skip
        return
    for cut, df in results.items():
        label = (
            (_dim(cut, lang) if cut else t("cli.metrics.total", lang)) if len(cuts) > 1 else None
        )
        _print_metrics(df, catalogue, lang, day, cut, label)


def _print_metrics(
    df: pd.DataFrame, catalogue: list[dict[str, Any]], lang: Lang, day: dt.date,
    by: str | None, label: str | None,
) -> None:  # fmt: skip
    """One cut's KPIs (``label``: the cut's, in the heading, when there are several): a small
    table per KPI, titled with its name and id, a row per period (and cut value) — narrow
    enough for 80 columns, where one table with the names would be split in two."""
    kinds = {r["id"]: r["kind"] for r in catalogue}
    names = {r["id"]: r[f"name_{lang}"] for r in catalogue}
    heading = t("cli.metrics.title", lang, as_of=day)
    if label is not None:
        heading += t("cli.metrics.cut", lang, cut=label)
    from rich.text import Text

    fmt.console().print(Text(heading, style="bold"))  # a cut value is text, not markup
    cols = [_col(lang, "period", "word", True), _col(lang, "dimension", optional=True),
            _col(lang, "value", "num"), _col(lang, "numerator", "num", optional=True),
            _col(lang, "denominator", "num", optional=True)]  # fmt: skip
    for metric, rows in df.groupby("metric", sort=False):
        kpi = str(metric)
        body = [[_period(r.period_start, r.complete, lang),
                 _cut_value(kpi, r.dimension, by, lang),
                 _value(r.value, kpi, kinds[kpi]), fmt.number(r.numerator),
                 fmt.number(r.denominator)] for r in rows.itertuples()]  # fmt: skip
        fmt.print_table(cols, body, title=f"{names[kpi]} ({kpi})", lang=lang)


def _period(start: Any, complete: Any, lang: Lang) -> str:
    """A period's first day, marked when the period runs past the data or the as-of date."""
    return fmt.day(start) if complete else f"{fmt.day(start)} {t('cli.metrics.incomplete', lang)}"


def _cut_value(kpi: str, value: Any, by: str | None, lang: Lang) -> str:
    """A cut value as shown: value tiers in the user's language (the tier mix's "smb/high")."""
    if fmt.is_empty(value):
        return fmt.EMPTY
    text = str(value)
    if kpi.startswith("tier_mix"):
        head, _, tier = text.rpartition("/")
        return f"{head}/{fmt.label('tier', tier, lang)}" if head else fmt.label("tier", tier, lang)
    return fmt.label("tier", text, lang) if by == "tier" else text


def _print_catalogue(lang: Lang, as_json: bool) -> None:
    """Every KPI: id and name on one line, the definition (whole) indented below."""
    from rich.padding import Padding
    from rich.text import Text

    from keepwise.workspace.metrics import MetricsService

    rows = MetricsService.catalogue(lang)
    if as_json:
        fmt.echo_json(rows)
        return
    out = fmt.console()
    out.print(Text(t("cli.metrics.catalogue", lang), style="bold"))
    for r in rows:
        # In English both names (the Chinese one is what colleagues call it); in Chinese, one.
        names = r["name_zh"] if lang == "zh" else f"{r['name_en']} · {r['name_zh']}"
        out.print(Text(f"{r['id']}  {names}", style="bold"))
        out.print(Padding(Text(r["definition"]), (0, 0, 1, 4), expand=False))


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
    limit: Annotated[int, typer.Option(min=1, help="Rows to show / 显示行数")] = 50,
    winback_days: WinbackDays = None,
) -> None:
    """The customers in a KPI value's numerator and denominator. / 指标数值的客户明细。"""
    lang = state(ctx).lang
    if value is not None and by is None:
        raise InputError("cli.metrics.drill.value_needs_by")
    with open_workspace(ctx) as ws:
        df = ws.metrics.drilldown(metric, parse_day(period), as_of=as_of_day(ctx, ws, as_of), grain=grain, by=by,
                          value=value, winback_days=winback_days)  # fmt: skip
    if as_json:
        fmt.echo_json(fmt.records(df))
        return
    yes, no = t("cli.metrics.yes", lang), t("cli.metrics.no", lang)
    cols = [_col(lang, "customer", "word", True), _col(lang, "name"), _col(lang, "ref", "word"),
            _col(lang, "in_numerator"), _col(lang, "in_denominator"),
            _col(lang, "numerator", "num"), _col(lang, "denominator", "num")]  # fmt: skip
    rows = [[fmt.text(r.customer_id), fmt.text(r.name), fmt.text(r.ref),
             yes if r.in_numerator else no, yes if r.in_denominator else no,
             fmt.number(r.numerator), fmt.number(r.denominator)]
            for r in df.head(limit).itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, hidden=len(df) - len(rows),
                    title=t("cli.metrics.drill.title", lang, metric=metric, period=period,
                            n=fmt.count(len(df))))  # fmt: skip


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
    limit: Annotated[
        int, typer.Option(min=1, help="--km: time points shown per group / 每组显示的时间点数")
    ] = 20,
    as_json: AsJson = False,
) -> None:
    """Acquisition-cohort retention and curves. / 获客批次留存表与留存曲线。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        if km:
            df = ws.metrics.survival(as_of=day, by=by or "segment")
        else:
            df = ws.metrics.cohorts(as_of=day, grain=grain, start=_day(start), end=_day(end), by=by)
            if curves:
                df = ws.metrics.cohort_curves(df)
    if as_json:
        fmt.echo_json(fmt.records(df))
        return
    if km:
        _print_km(df, by or "segment", lang, limit)
    elif curves:
        cols = [_col(lang, "age", "num", True), _col(lang, "dimension", optional=True),
                _col(lang, "customers", "num"), _col(lang, "retention", "num")]  # fmt: skip
        rows = [[fmt.count(r.age), fmt.text(r.dimension), fmt.count(r.customers),
                 fmt.pct(r.retention)] for r in df.itertuples()]  # fmt: skip
        fmt.print_table(cols, rows, lang=lang)
    else:
        _print_cohorts(df, day, lang)


def _print_cohorts(df: pd.DataFrame, day: dt.date, lang: Lang) -> None:
    """One row per cohort (and cut value), one column per age: a wide table, split into parts
    that repeat the cohort when the terminal is narrow."""
    title = t("cli.metrics.cohorts.title", lang, as_of=day)
    if df.empty:
        fmt.print_table([_col(lang, "cohort", "word"), _col(lang, "customers", "num")], [],
                        title=title, lang=lang)  # fmt: skip
        return
    df = df.assign(dimension=df["dimension"].fillna(""))
    pivot = df.pivot_table(index=["cohort", "dimension"], columns="age", values="retention")
    sizes = df[df["age"] == 0].set_index(["cohort", "dimension"])["customers"]
    cut = bool((df["dimension"] != "").any())
    cols = [_col(lang, "cohort", "word", True), *([_col(lang, "dimension", key_col=True, optional=True)] * cut),
            _col(lang, "customers", "num", True),
            *(Col(str(a), "num") for a in pivot.columns)]  # fmt: skip
    rows = [[fmt.day(key[0]), *([fmt.text(key[1])] * cut), fmt.count(sizes.get(key)),
             *(fmt.pct(v) for v in values)]
            for key, values in pivot.iterrows() if isinstance(key, tuple)]  # fmt: skip
    fmt.print_table(cols, rows, title=title, lang=lang)


def _print_km(df: pd.DataFrame, by: str, lang: Lang, limit: int) -> None:
    """Each group's curve at ``limit`` evenly spaced time points (the last one included)."""
    shown = []
    for _, curve in df.groupby("group", sort=False):
        n = len(curve)
        if n > limit:
            spread = (round(i * (n - 1) / max(limit - 1, 1)) for i in range(limit))
            curve = curve.iloc[sorted({n - 1, *spread})[-limit:]]
        shown.append(curve)
    cols = [_col(lang, "group", "word", True), _col(lang, "days", "num"),
            _col(lang, "survival", "num"), _col(lang, "band", "word"),
            _col(lang, "customers", "num")]  # fmt: skip
    rows = [[fmt.text(r.group), fmt.count(r.days), fmt.pct(r.survival),
             f"{fmt.pct(r.ci_lower)} – {fmt.pct(r.ci_upper)}", fmt.count(r.at_risk)]
            for part in shown for r in part.itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, hidden=len(df) - len(rows),
                    title=t("cli.metrics.km.title", lang, by=_dim(by, lang)))  # fmt: skip
    if len(rows) < len(df):
        typer.echo(t("cli.metrics.km.per_group", lang, limit=limit))


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
        df = ws.metrics.reasons(as_of=day, grain=grain, start=_day(start), end=_day(end), by=by,
                        avoidable=avoidable)  # fmt: skip
    if as_json:
        fmt.echo_json(fmt.records(df))
        return
    title = t("cli.metrics.reasons.title", lang, as_of=day)
    cols = [_col(lang, "period", "word", True), _col(lang, "dimension", optional=True), _col(lang, "status"),
            *([] if avoidable else [_col(lang, "reason")]), _col(lang, "avoidable"),
            _col(lang, "customers", "num"), _col(lang, "revenue_lost", "num")]  # fmt: skip
    rows = []
    for r in df.to_dict(orient="records"):
        if avoidable:
            why = [t(f"cli.metrics.avoid.{r['avoidable']}", lang)]
        else:
            a = r["avoidable"]
            known = t(f"cli.metrics.{'yes' if a else 'no'}", lang)
            why = [fmt.text(r[f"reason_{lang}"]),
                   t("cli.metrics.unknown", lang) if a is None else known]  # fmt: skip
        rows.append([fmt.day(r["period_start"]), fmt.text(r["dimension"]),
                     fmt.label("status", r["status"], lang), *why, fmt.count(r["customers"]),
                     fmt.amount(r["revenue_lost"])])  # fmt: skip
    fmt.print_table(cols, rows, title=title, lang=lang)


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
        df = ws.metrics.impact(as_of=day, grain=grain, start=_day(start), end=_day(end), by=by)
    if as_json:
        fmt.echo_json(fmt.records(df))
        return
    cols = [_col(lang, "period", "word", True), _col(lang, "dimension", key_col=True, optional=True),
            _col(lang, "lost_customers", "num"), _col(lang, "revenue_lost", "num"),
            _col(lang, "clv_lost", "num"), _col(lang, "acquisition_cost_unrecovered", "num"),
            _col(lang, "revenue_at_risk_share", "num")]  # fmt: skip
    rows = [[fmt.day(r.period_start), fmt.text(r.dimension), fmt.count(r.lost_customers),
             fmt.amount(r.revenue_lost), fmt.amount(r.clv_lost),
             fmt.amount(r.acquisition_cost_unrecovered), fmt.pct(r.revenue_at_risk_share)]
            for r in df.itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, title=t("cli.metrics.impact.title", lang, as_of=day), lang=lang)
