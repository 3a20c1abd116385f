"""``keepwise value …``: RFM segments, value tiers, CLV, no-value customers, scores, decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from keepwise._core.clock import parse_day
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, as_of_day, echo_json, open_workspace, state
from keepwise.cli.fmt import Col

register(
    {
        "cli.value.cal.title": {
            "zh": "BG/NBD 校验：{cal} 前校准，至 {obs} 的实际与预测购买次数",
            "en": "BG/NBD check: calibrated to {cal}, actual vs predicted purchases to {obs}",
        },
        "cli.value.cal.actual": {"zh": "实际", "en": "actual"},
        "cli.value.cal.predicted": {"zh": "预测", "en": "predicted"},
        "cli.value.cal.frequency": {"zh": "校准期重复购买次数", "en": "calibration repeat purchases"},
        "cli.value.rfm.title": {
            "zh": "RFM 客户细分（截至 {as_of}）", "en": "RFM segments (as of {as_of})"},
        "cli.value.tiers.title": {
            "zh": "客户价值分层（截至 {as_of}，依据：{tier_by}）",
            "en": "Value tiers (as of {as_of}, by {tier_by})"},
        "cli.value.pareto": {
            "zh": "前 20% 客户贡献了 {share} 的收入（近 {months} 个月）",
            "en": "The top 20% of customers bring {share} of revenue (last {months} months)"},
        "cli.value.clv.title": {
            "zh": "预测生命周期价值（{months} 个月，月折现率 {rate}）：合计 {total}",
            "en": "Predicted lifetime value ({months} months, {rate} monthly discount): "
                  "total {total}"},
        "cli.value.params": {"zh": "模型参数", "en": "Model parameters"},
        "cli.value.col.model": {"zh": "模型", "en": "model"},
        "cli.value.col.param": {"zh": "参数", "en": "parameter"},
        "cli.value.col.value": {"zh": "数值", "en": "value"},
        "cli.value.by.predicted_clv": {"zh": "预测生命周期价值", "en": "predicted CLV"},
        "cli.value.by.revenue": {"zh": "近期收入", "en": "trailing revenue"},
        "cli.value.novalue.title": {
            "zh": "无价值客户：{n} 个符合淘汰标准（截至 {as_of}）",
            "en": "No-value customers: {n} meet elimination criteria (as of {as_of})"},
        "cli.value.scored": {
            "zh": "已保存 {rows} 个客户的价值评分（{version}）；分层：{tiers}",
            "en": "Stored value scores of {rows} customers ({version}); tiers: {tiers}"},
        "cli.value.decided": {
            "zh": "已记录：客户 {customer_id} 作为无价值客户作废（{treatment}），事件 #{event}",
            "en": "Recorded: customer {customer_id} voided as no-value ({treatment}), "
                  "event #{event}"},
        "cli.value.kept": {
            "zh": "已记录：保留客户 {customer_id}（符合的标准：{criteria}）；在其符合新的标准之前，"
                  "复核名单中显示为“已保留”",
            "en": "Recorded: customer {customer_id} is kept (criteria met: {criteria}); the "
                  "review shows them as kept until they meet a new criterion"},
        "cli.value.reverted": {
            "zh": "已撤销：客户 {customer_id} 恢复为活跃，事件 #{event}",
            "en": "Reverted: customer {customer_id} is active again, event #{event}"},
        "cli.value.col.segment": {"zh": "细分", "en": "segment"},
        "cli.value.col.tier": {"zh": "分层", "en": "tier"},
        "cli.value.col.customers": {"zh": "客户数", "en": "customers"},
        "cli.value.col.share": {"zh": "客户占比", "en": "share"},
        "cli.value.col.revenue": {"zh": "收入", "en": "revenue"},
        "cli.value.col.revenue_share": {"zh": "收入占比", "en": "revenue share"},
        "cli.value.col.profit": {"zh": "利润贡献", "en": "profit contribution"},
        "cli.value.col.customer": {"zh": "客户", "en": "customer"},
        "cli.value.col.name": {"zh": "名称", "en": "name"},
        "cli.value.col.criteria": {"zh": "符合的标准", "en": "criteria met"},
        "cli.value.col.treatment": {"zh": "建议处理", "en": "recommended treatment"},
        "cli.value.kept_tag": {"zh": "已保留（{who}）", "en": "kept ({who})"},
        "cli.value.col.clv": {"zh": "预测CLV", "en": "predicted CLV"},
        "cli.value.col.clv_range": {"zh": "{level:.0%} 区间", "en": "{level:.0%} interval"},
        "cli.value.col.p_alive": {"zh": "存活概率", "en": "P(alive)"},
        "cli.value.col.purchases": {"zh": "预计购买次数", "en": "expected purchases"},
    }
)  # fmt: skip

value_app = typer.Typer(
    help="Customer value: RFM segments, value tiers, CLV, no-value customers. "
    "(客户价值：RFM 细分、价值分层、生命周期价值、无价值客户。)",
    no_args_is_help=True,
)
app.add_typer(value_app, name="value")

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Date of the figures (default: today) / 截止日期")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
Limit = Annotated[int, typer.Option(min=1, help="Rows to show / 显示行数")]
Actor = Annotated[str | None, typer.Option(help="Who decides (default: the login name) / 操作人")]
Note = Annotated[str, typer.Option(help="Why (recorded with the event) / 说明")]


#: The models' names as they are written (not translated: they are names).
_MODELS = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD", "gamma_gamma": "Gamma-Gamma"}


def _col(lang: Lang, key: str, kind: fmt.ColumnKind = "text", key_col: bool = False) -> Col:
    return Col(t(f"cli.value.col.{key}", lang), kind, key_col)


@value_app.command("calibration")
def calibration_cmd(
    ctx: typer.Context,
    calibration_end: Annotated[
        str, typer.Option(help="Last day of the calibration period / 校准期末")
    ],
    observation_end: Annotated[str, typer.Option(help="Last day of the holdout period / 验证期末")],
    unit: Annotated[str, typer.Option(help="days or weeks / 时间单位")] = "weeks",
    chart: Annotated[
        Path | None, typer.Option(help="Write an SVG chart here / 输出 SVG 图")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """BG/NBD calibration/holdout check: predicted vs actual purchases by frequency. / 模型校验。"""
    lang = state(ctx).lang
    cal_end, obs_end = parse_day(calibration_end), parse_day(observation_end)
    with open_workspace(ctx) as ws:
        check = ws.value.calibration(cal_end, obs_end, unit=unit)
    if chart is not None:
        labels = (t("cli.value.cal.actual", lang), t("cli.value.cal.predicted", lang))
        title = t("cli.value.cal.title", lang, cal=cal_end, obs=obs_end)
        chart.write_text(check.svg(title, labels), encoding="utf-8")
    if as_json:
        echo_json(check.to_dict())
        return
    cols = [Col(t("cli.value.cal.frequency", lang), "num", True), _col(lang, "customers", "num"),
            Col(t("cli.value.cal.actual", lang), "num"),
            Col(t("cli.value.cal.predicted", lang), "num")]  # fmt: skip
    last = int(check.table.index.max())
    rows = [[f"{freq}+" if int(str(freq)) == last else str(freq), fmt.count(row["n_customers"]),
             fmt.score(row["actual"]), fmt.score(row["predicted"])]
            for freq, row in check.table.iterrows()]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang,
                    title=t("cli.value.cal.title", lang, cal=cal_end, obs=obs_end))  # fmt: skip
    for note in check.notes:
        typer.echo(note.text(lang), err=True)


@value_app.command("rfm")
def rfm_cmd(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """RFM scores and segments. / RFM 评分与客户细分。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        report = ws.value.rfm(as_of_day(ctx, ws, as_of))
    if as_json:
        echo_json(report.to_dict())
        return
    cols = [_col(lang, "segment", key_col=True), _col(lang, "customers", "num"),
            _col(lang, "share", "num"), _col(lang, "revenue", "num"),
            _col(lang, "revenue_share", "num")]  # fmt: skip
    rows = [[t(f"value.segment.{r.rfm_segment}", lang), fmt.count(r.customers),
             fmt.pct(r.customer_share), fmt.amount(r.revenue), fmt.pct(r.revenue_share)]
            for r in report.segments.itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, title=t("cli.value.rfm.title", lang, as_of=report.as_of))


@value_app.command("tiers")
def tiers_cmd(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Value tiers: high / mid / low / no value, revenue and profit, Pareto share. / 价值分层。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        report = ws.value.tiers(as_of_day(ctx, ws, as_of))
        months = ws.value.settings().window_months
    if as_json:
        echo_json(report.to_dict())
        return
    cols = [_col(lang, "tier", key_col=True), _col(lang, "customers", "num"),
            _col(lang, "share", "num"), _col(lang, "revenue", "num"),
            _col(lang, "revenue_share", "num"), _col(lang, "profit", "num")]  # fmt: skip
    rows = [[t(f"value.tier.{r.value_tier}", lang), fmt.count(r.customers),
             fmt.pct(r.customer_share), fmt.amount(r.revenue), fmt.pct(r.revenue_share),
             fmt.amount(r.profit_contribution)] for r in report.tiers.itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang,
                    title=t("cli.value.tiers.title", lang, as_of=report.as_of,
                            tier_by=t(f"cli.value.by.{report.tier_by}", lang)))  # fmt: skip
    typer.echo(t("cli.value.pareto", lang, share=fmt.pct(report.pareto_share), months=months))
    for note in report.notes:
        typer.echo(note.text(lang), err=True)


@value_app.command("clv")
def clv_cmd(
    ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False, limit: Limit = 20
) -> None:
    """BG/NBD + Gamma-Gamma: P(alive), expected purchases, predicted CLV. / 预测生命周期价值。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        report = ws.value.clv(as_of_day(ctx, ws, as_of))
    if as_json:
        echo_json(report.to_dict())
        return
    params = [[_MODELS.get(model, model), name, fmt.text(f"{v:.4g}" if not fmt.is_empty(v) else v)]
              for model, values in report.params.items() for name, v in values.items()]  # fmt: skip
    fmt.print_table([_col(lang, "model", "word"), _col(lang, "param", "word"),
                     _col(lang, "value", "num")], params, lang=lang,
                    title=t("cli.value.params", lang))  # fmt: skip
    title = t("cli.value.clv.title", lang, months=report.horizon_months,
              rate=fmt.pct(report.discount_rate), total=fmt.amount(report.total_clv))  # fmt: skip
    cols = [_col(lang, "customer", "word", True), _col(lang, "p_alive", "num"),
            _col(lang, "purchases", "num"), _col(lang, "clv", "num"),
            Col(t("cli.value.col.clv_range", lang, level=report.interval_level), "num")]  # fmt: skip
    shown = report.customers.head(limit)
    rows = [[fmt.text(r.customer_id), fmt.pct(r.p_alive), fmt.amount(r.expected_purchases, 2),
             fmt.amount(r.predicted_clv), f"{fmt.amount(r.clv_low)} – {fmt.amount(r.clv_high)}"]
            for r in shown.itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, title=title, lang=lang,
                    hidden=len(report.customers) - len(shown))  # fmt: skip
    for note in report.notes:
        typer.echo(note.text(lang), err=True)


@value_app.command("no-value")
def no_value_cmd(
    ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False, limit: Limit = 50
) -> None:
    """No-value customers by the value.no_value criteria of keepwise.toml, with a treatment.
    / 无价值客户。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        df = ws.value.no_value(day)
    if as_json:
        echo_json({"as_of": day.isoformat(), "customers": fmt.records(df)})
        return
    cols = [_col(lang, "customer", "word", True), _col(lang, "name"), _col(lang, "criteria"),
            _col(lang, "revenue", "num"), _col(lang, "profit", "num"),
            _col(lang, "treatment")]  # fmt: skip
    rows = [[fmt.text(r["customer_id"]), fmt.text(r["name"]),
             fmt.join((t(f"value.criterion.{c}", lang) for c in r["criteria"]), lang),
             fmt.amount(r["revenue_last_periods"]),
             fmt.amount(r["profit_contribution_last_periods"]),
             _treatment(r, lang)]
            for r in df.head(limit).to_dict(orient="records")]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, hidden=max(0, len(df) - limit),
                    title=t("cli.value.novalue.title", lang, n=fmt.count(len(df)), as_of=day))  # fmt: skip


def _treatment(row: dict[Any, Any], lang: Lang) -> str:
    """The recommended treatment, and under it who decided to keep the customer, if anyone
    did (``value keep``)."""
    text = t(f"value.treatment.{row['treatment']}", lang)
    if row.get("review") == "kept":
        text += "\n" + t("cli.value.kept_tag", lang, who=row.get("reviewed_by") or "-")
    return text


@value_app.command("score")
def score_cmd(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Compute and store every value score (re-running replaces). / 计算并保存价值评分。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        result, rows = ws.value.score(as_of_day(ctx, ws, as_of, writing=True))
    counts = result.frame["value_tier"].value_counts().to_dict()
    if as_json:
        echo_json({"model_version": result.model_version, "as_of": result.as_of.isoformat(),
                    "rows": rows, "tiers": counts, "params": result.params,
                    "notes": [n.to_dict() for n in result.notes]})  # fmt: skip
        return
    tiers = ", ".join(f"{t(f'value.tier.{k}', lang)} {fmt.count(v)}" for k, v in counts.items())
    typer.echo(t("cli.value.scored", lang, rows=fmt.count(rows), version=result.model_version,
                 tiers=tiers))  # fmt: skip


@value_app.command("decide")
def decide_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer id / 客户编号")],
    note: Note,
    treatment: Annotated[
        str, typer.Option(help="reduce_service | stop_discounts | end_relationship / 处理方式")
    ] = "end_relationship",
    actor: Actor = None,
    as_of: AsOf = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Void a customer who does not meet the criteria (needs "
            "--note) / 强制作废不符合标准的客户（需 --note）",
        ),
    ] = False,
) -> None:
    """Let a no-value customer go: a void event, reason no_value. / 作废无价值客户。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        event = ws.value.decide(customer, as_of=as_of_day(ctx, ws, as_of, writing=True),
                                actor=actor_name(actor, ctx),
                                note=note, treatment=treatment, force=force)  # fmt: skip
    typer.echo(t("cli.value.decided", lang, customer_id=customer, event=event,
                 treatment=t(f"value.treatment.{treatment}", lang)))  # fmt: skip


@value_app.command("keep")
def keep_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer id / 客户编号")],
    note: Annotated[str | None, typer.Option(help="Why (recorded) / 说明")] = None,
    actor: Actor = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Keep a no-value candidate: the proposal to let them go is rejected. / 保留无价值候选
    客户（驳回作废建议）。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        kept = ws.value.keep(customer, as_of=as_of_day(ctx, ws, as_of, writing=True),
                             actor=actor_name(actor, ctx), note=note)  # fmt: skip
    if as_json:
        echo_json(kept)
        return
    criteria = fmt.join((t(f"value.criterion.{c}", lang) for c in kept["criteria"]), lang)
    typer.echo(t("cli.value.kept", lang, customer_id=customer, criteria=criteria or "-"))


@value_app.command("revert")
def revert_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer id / 客户编号")],
    note: Note,
    actor: Actor = None,
) -> None:
    """Revert a no-value void: back to active. / 撤销无价值作废。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        event = ws.value.revert(customer, actor=actor_name(actor, ctx), note=note)
    typer.echo(t("cli.value.reverted", lang, customer_id=customer, event=event))
