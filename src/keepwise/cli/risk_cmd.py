"""``keepwise risk …``: train, score, list, back-test; snapshot mode on a file; survival view."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from keepwise._core.clock import parse_day
from keepwise._core.errors import InputError
from keepwise._core.i18n import Lang, register, t
from keepwise.cli.app import app, as_of_day, open_workspace, state
from keepwise.workspace import Workspace

register(
    {
        "cli.risk.help": {
            "zh": "流失风险：训练、评分、风险名单、回测、快照评估与生存分析。",
            "en": "Churn risk: train, score, risk list, back-test, snapshot evaluation, survival.",
        },
        "cli.risk.trained": {
            "zh": "已训练模型 {version}：{rows} 行快照（{dates}），其中流失 {churners} 行",
            "en": "Trained {version} on {rows} snapshot rows ({dates}), {churners} churned",
        },
        "cli.risk.holdout": {
            "zh": "按时间留出的快照 {date} 上的评估：",
            "en": "Evaluation on the snapshot held out by time, {date}:",
        },
        "cli.risk.scored": {
            "zh": "已用 {version} 为 {customers} 个活跃客户评分（{as_of}）：高 {high}，中 {medium}，"
            "低 {low}",
            "en": "Scored {customers} active customers with {version} as of {as_of}: "
            "{high} high, {medium} medium, {low} low",
        },
        "cli.risk.col.customer": {"zh": "客户", "en": "customer"},
        "cli.risk.col.name": {"zh": "名称", "en": "name"},
        "cli.risk.col.owner": {"zh": "负责人", "en": "owner"},
        "cli.risk.col.probability": {"zh": "流失概率", "en": "churn probability"},
        "cli.risk.col.band": {"zh": "风险等级", "en": "band"},
        "cli.risk.col.value_at_risk": {"zh": "风险价值", "en": "value at risk"},
        "cli.risk.col.driver": {"zh": "主要原因", "en": "top driver"},
        "cli.risk.empty": {"zh": "没有符合条件的客户", "en": "No customers match"},
        "cli.risk.survival.title": {
            "zh": "生存率 S(t)（{duration}，事件 {event}）",
            "en": "Survival S(t) ({duration}, event {event})",
        },
        "cli.risk.cox.title": {"zh": "Cox 风险比", "en": "Cox hazard ratios"},
        "cli.risk.survival.need": {
            "zh": "分析文件时需要 --duration 和 --event",
            "en": "A file needs --duration and --event",
        },
        "cli.risk.h.group": {"zh": "分组", "en": "group"},
        "cli.risk.h.time": {"zh": "时间", "en": "time"},
        "cli.risk.h.survival": {"zh": "生存率", "en": "survival"},
        "cli.risk.h.ci_lower": {"zh": "95%下限", "en": "95% lower"},
        "cli.risk.h.ci_upper": {"zh": "95%上限", "en": "95% upper"},
        "cli.risk.h.covariate": {"zh": "协变量", "en": "covariate"},
        "cli.risk.h.hazard_ratio": {"zh": "风险比", "en": "hazard ratio"},
        "cli.risk.h.p": {"zh": "p 值", "en": "p"},
        "cli.risk.h.model": {"zh": "模型", "en": "model"},
        "cli.risk.h.roc_auc": {"zh": "ROC-AUC", "en": "ROC-AUC"},
        "cli.risk.h.pr_auc": {"zh": "PR-AUC", "en": "PR-AUC"},
        "cli.risk.h.brier": {"zh": "Brier", "en": "Brier"},
        "cli.risk.h.top_decile_capture": {"zh": "前10%覆盖流失", "en": "churners in top 10 %"},
        "cli.risk.bad_times": {
            "zh": "无效的时间点 {text}：用逗号分隔的数字，如 12,24,48",
            "en": "Invalid times {text}: use comma-separated numbers, e.g. 12,24,48",
        },
    }
)

risk_app = typer.Typer(
    name="risk",
    help="Churn risk: train, score, risk list, back-test, snapshot evaluation, survival. "
    "(流失风险：训练、评分、风险名单、回测、快照评估与生存分析。)",
    no_args_is_help=True,
)
app.add_typer(risk_app, name="risk")

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Date of the model or scores (default: today) / 日期")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _summary_table(rows: list[dict[str, Any]], lang: Lang) -> Table:
    table = Table()
    for column in ("model", "roc_auc", "pr_auc", "brier", "top_decile_capture"):
        table.add_column(t(f"cli.risk.h.{column}", lang))
    for row in rows:
        table.add_row(
            str(row["model"]),
            f"{row['roc_auc']:.4f}",
            f"{row['pr_auc']:.4f}",
            f"{row['brier']:.4f}",
            f"{row['top_decile_capture']:.1%}",
        )
    return table


@risk_app.command("train")
def train_cmd(
    ctx: typer.Context,
    as_of: AsOf = None,
    horizon: Annotated[
        int | None, typer.Option(help="Days after a snapshot a churn counts (default 90) / 预测期")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Train the churn model on rolling snapshots before the date. / 训练流失模型。"""
    from keepwise.risk.training import summary_rows

    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        result = ws.risk_train(as_of_day(ctx, ws, as_of), horizon=horizon)
    if as_json:
        _echo_json(result.to_dict())
        return
    dates = ", ".join(d.isoformat() for d in [result.test_date, *result.train_dates])
    typer.echo(t("cli.risk.trained", lang, version=result.model_version, rows=result.rows,
                 dates=dates, churners=result.churners))  # fmt: skip
    reports = result.evaluation.get("reports")
    if reports:
        typer.echo(t("cli.risk.holdout", lang, date=result.test_date.isoformat()))
        Console().print(_summary_table(summary_rows(reports), lang))


@risk_app.command("score")
def score_cmd(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Score every active customer with the latest model. / 为活跃客户评分。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        result = ws.risk_score(day)
    if as_json:
        _echo_json(result.to_dict())
        return
    typer.echo(t("cli.risk.scored", lang, version=result.model_version, as_of=day.isoformat(),
                 customers=result.customers, **result.bands))  # fmt: skip


def _top_driver(drivers: str | None, lang: Lang) -> str:
    items = json.loads(drivers or "[]")
    return str(items[0][f"text_{lang}"]) if items else ""


@risk_app.command("list")
def list_cmd(
    ctx: typer.Context,
    band: Annotated[str | None, typer.Option(help="low, medium or high / 风险等级")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner id / 负责人")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Scores on or before this date / 评分日期")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many rows / 最多行数")] = None,
    as_json: AsJson = False,
) -> None:
    """The weekly risk list, by expected value at risk. / 每周风险名单。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        frame = ws.risk_list(
            as_of=parse_day(as_of) if as_of else None, band=band, owner=owner, limit=limit
        )
    if as_json:
        frame["as_of"] = frame["as_of"].astype(str)
        records = json.loads(frame.to_json(orient="records"))
        for record in records:
            record["drivers"] = json.loads(record["drivers"] or "[]")
        _echo_json(records)
        return
    if frame.empty:
        typer.echo(t("cli.risk.empty", lang))
        return
    table = Table()
    keys = ("customer", "name", "owner", "probability", "band", "value_at_risk", "driver")
    for key in keys:
        table.add_column(t(f"cli.risk.col.{key}", lang))
    for row in frame.itertuples():
        table.add_row(
            str(row.customer_id), str(row.name or ""), str(row.owner_id or ""),
            f"{row.churn_probability:.1%}", str(row.risk_band), f"{row.value_at_risk:,.0f}",
            _top_driver(str(row.drivers) if row.drivers else None, lang),
        )  # fmt: skip
    Console().print(table)


@risk_app.command("backtest")
def backtest_cmd(
    ctx: typer.Context,
    as_of: AsOf = None,
    horizon: Annotated[int | None, typer.Option(help="Prediction horizon in days / 预测期")] = None,
    splits: Annotated[int | None, typer.Option(help="Time splits (default 2) / 回测次数")] = None,
    as_json: AsJson = False,
) -> None:
    """Time-split back-test against recency and logistic baselines. / 按时间回测。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        report = ws.risk_backtest(as_of_day(ctx, ws, as_of), horizon=horizon, splits=splits)
    if as_json:
        _echo_json(report.to_dict())
    else:
        typer.echo(report.to_text(lang))


@risk_app.command("evaluate")
def evaluate_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled snapshot: CSV, XLSX or Parquet / 文件")],
    label: Annotated[str, typer.Option(help="Churn label column / 流失标签列")],
    id_col: Annotated[
        str | None, typer.Option("--id", help="Customer id column, left out / 客户编号列")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Snapshot mode: evaluate the churn model on one file (no workspace). / 快照评估。"""
    lang = state(ctx).lang
    report = Workspace.risk_evaluate_file(file, label, id_col)
    if as_json:
        typer.echo(report.to_json())
    else:
        typer.echo(report.to_text(lang))


def _times(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError("cli.risk.bad_times", text=text) from None


@risk_app.command("survival")
def survival_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="File; without it, the workspace's customers / 文件")
    ] = None,
    duration: Annotated[str | None, typer.Option(help="Duration column / 时长列")] = None,
    event: Annotated[str | None, typer.Option(help="Churn event column / 流失事件列")] = None,
    by: Annotated[str | None, typer.Option(help="Group column / 分组列")] = None,
    times: Annotated[
        str | None, typer.Option(help="Times for S(t), e.g. 12,24,48 / 时间点")
    ] = None,
    id_col: Annotated[str | None, typer.Option("--id", help="Id column / 编号列")] = None,
    as_of: AsOf = None,
    as_json: AsJson = False,
) -> None:
    """Kaplan-Meier survival and Cox hazard ratios. / 生存分析。"""
    lang = state(ctx).lang
    if file is not None:
        if not duration or not event:
            raise InputError("cli.risk.survival.need")
        view = Workspace.risk_survival_file(
            file, duration, event, by=by, times=_times(times), id_col=id_col
        )
    else:
        with open_workspace(ctx) as ws:
            view = ws.risk_survival(as_of_day(ctx, ws, as_of), by=by, times=_times(times))
    if as_json:
        _echo_json(view.to_dict())
        return
    console = Console()
    title = t("cli.risk.survival.title", lang, duration=view.duration, event=view.event)
    console.print(_frame_table(view.survival, title, lang))
    console.print(_frame_table(view.hazard_ratios, t("cli.risk.cox.title", lang), lang))


def _frame_table(frame: Any, title: str, lang: Lang) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(t(f"cli.risk.h.{column}", lang))
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    return table
