"""``keepwise risk …``: train, score, list, back-test; snapshot mode on a file; survival view."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from keepwise._core.clock import parse_day
from keepwise._core.errors import InputError
from keepwise._core.i18n import Lang, has, register, t
from keepwise.cli import fmt
from keepwise.cli.app import app, as_of_day, open_workspace, state
from keepwise.cli.fmt import Col

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
        "cli.risk.col.as_of": {"zh": "评分日期", "en": "scored on"},
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


_echo_json = fmt.echo_json
#: Rows of the risk list's table unless --limit says otherwise (--json gives every row).
TABLE_LIMIT = 50


def _model(name: str, lang: Lang) -> str:
    """A model's name in ``lang`` (the back-test's words for them)."""
    key = f"backtest.model.{name}"
    return t(key, lang) if has(key) else name


def _print_summary(rows: list[dict[str, Any]], lang: Lang) -> None:
    cols = [Col(t("cli.risk.h.model", lang), "text", True),
            *(Col(t(f"cli.risk.h.{c}", lang), "num") for c in
              ("roc_auc", "pr_auc", "brier", "top_decile_capture"))]  # fmt: skip
    fmt.print_table(cols, [[_model(str(r["model"]), lang), fmt.score(r["roc_auc"], 4),
                            fmt.score(r["pr_auc"], 4), fmt.score(r["brier"], 4),
                            fmt.pct(r["top_decile_capture"])] for r in rows], lang=lang)  # fmt: skip


def _print_backtest(report: Any, lang: Lang) -> None:
    """The back-test's summary: a row per test date and model, then the means."""
    summary = report.summary()
    heads: list[tuple[str, fmt.ColumnKind]] = [
        ("backtest.split", "word"), ("backtest.model", "text"), ("backtest.customers", "num")]  # fmt: skip
    cols = [*(Col(t(k, lang), kind, i < 2) for i, (k, kind) in enumerate(heads)),
            Col("ROC-AUC", "num"), Col("PR-AUC", "num"), Col("Brier", "num"),
            *(Col(t(f"backtest.{k}", lang), "num") for k in ("capture", "flagged", "lead"))]  # fmt: skip
    rows = []
    for r in summary.itertuples():
        mean = r.test_date == "mean"
        rows.append([t("backtest.mean", lang) if mean else str(r.test_date), _model(r.model, lang),
                     fmt.EMPTY if mean else f"{fmt.count(r.customers)}/{fmt.count(r.churners)}",
                     fmt.score(r.roc_auc), fmt.score(r.pr_auc), fmt.score(r.brier, 4),
                     fmt.pct(r.top_decile_capture), fmt.pct(r.flagged_ahead),
                     fmt.count(r.median_lead_days)])  # fmt: skip
    title = t("backtest.title", lang, as_of=report.as_of.isoformat(), horizon=report.horizon,
              high=report.cutoffs[1])  # fmt: skip
    fmt.print_table(cols, rows, title=title, lang=lang)


def _print_evaluation(report: Any, lang: Lang) -> None:
    """Snapshot mode's report: the data set in a line, then a row per model."""
    summary = report.summary()
    k = len(next(iter(report.cv_auc.values()), []))
    typer.echo(t("evaluation.title", lang))
    typer.echo(t("evaluation.dataset", lang, rows=fmt.count(report.rows),
                 positives=fmt.count(report.churners), label=report.label,
                 rate=fmt.pct(report.churners / max(report.rows, 1))))  # fmt: skip
    cols = [Col(t("evaluation.model", lang), "text", True),
            *(Col(t(f"evaluation.{c}", lang), "num")
              for c in ("split_auc", "split_pr_auc", "split_brier")),
            Col(t("evaluation.cv_auc", lang, k=k), "num"),
            Col(t("evaluation.top_capture", lang), "num")]  # fmt: skip
    rows = [[report._model_name(str(r.model), lang), fmt.score(r.roc_auc, 4),
             fmt.score(r.pr_auc, 4), fmt.score(r.brier, 4),
             f"{fmt.score(r.cv_auc_mean, 4)} ± {fmt.score(r.cv_auc_std, 4)}",
             fmt.pct(r.top_decile_capture)] for r in summary.itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang)


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
        day = as_of_day(ctx, ws, as_of, writing=True)
        result = ws.risk.train(day, horizon=horizon)
    if as_json:
        _echo_json(result.to_dict())
        return
    dates = ", ".join(d.isoformat() for d in [result.test_date, *result.train_dates])
    typer.echo(t("cli.risk.trained", lang, version=result.model_version,
                 rows=fmt.count(result.rows), dates=dates,
                 churners=fmt.count(result.churners)))  # fmt: skip
    reports = result.evaluation.get("reports")
    if reports:
        typer.echo(t("cli.risk.holdout", lang, date=result.test_date.isoformat()))
        _print_summary(summary_rows(reports), lang)


@risk_app.command("score")
def score_cmd(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Score every active customer with the latest model. / 为活跃客户评分。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of, writing=True)
        result = ws.risk.score(day)
    if as_json:
        _echo_json(result.to_dict())
        return
    bands = {band: fmt.count(n) for band, n in result.bands.items()}
    typer.echo(t("cli.risk.scored", lang, version=result.model_version, as_of=day.isoformat(),
                 customers=fmt.count(result.customers), **bands))  # fmt: skip


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
    limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="At most this many rows (default: 50 in the table, all with --json) / 最多行数",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The weekly risk list, by expected value at risk. / 每周风险名单。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        frame = ws.risk.risk_list(as_of=parse_day(as_of) if as_of else None, band=band, owner=owner,
                             limit=limit if as_json else None)  # fmt: skip
    if as_json:
        records = fmt.records(frame.assign(as_of=frame["as_of"].astype(str)))
        for record in records:
            record["drivers"] = json.loads(record["drivers"] or "[]")
        _echo_json(records)
        return
    if frame.empty:
        typer.echo(t("cli.risk.empty", lang))
        return
    shown = frame.head(limit or TABLE_LIMIT)
    keys: list[tuple[str, fmt.ColumnKind]] = [
        ("customer", "word"), ("name", "text"), ("owner", "word"), ("probability", "num"),
        ("band", "text"), ("value_at_risk", "num"), ("driver", "text")]  # fmt: skip
    cols = [Col(t(f"cli.risk.col.{key}", lang), kind, key == "customer") for key, kind in keys]
    rows = [[fmt.text(r.customer_id), fmt.text(r.name), fmt.text(r.owner_id),
             fmt.pct(r.churn_probability), fmt.label("band", r.risk_band, lang),
             fmt.amount(r.value_at_risk),
             _top_driver(str(r.drivers) if r.drivers else None, lang) or fmt.EMPTY]
            for r in shown.itertuples()]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, hidden=len(frame) - len(shown))


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
        day = as_of_day(ctx, ws, as_of)
        report = ws.risk.backtest(day, horizon=horizon, splits=splits)
    if as_json:
        _echo_json(report.to_dict())
    else:
        _print_backtest(report, lang)


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
    from keepwise.workspace.risk import RiskService

    lang = state(ctx).lang
    report = RiskService.evaluate_file(file, label, id_col)
    if as_json:
        _echo_json(json.loads(report.to_json()))  # strict JSON: NaN becomes null
    else:
        _print_evaluation(report, lang)


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
    from keepwise.workspace.risk import RiskService

    lang = state(ctx).lang
    if file is not None:
        if not duration or not event:
            raise InputError("cli.risk.survival.need")
        view = RiskService.survival_file(
            file, duration, event, by=by, times=_times(times), id_col=id_col
        )
    else:
        with open_workspace(ctx) as ws:
            day = as_of_day(ctx, ws, as_of)
            view = ws.risk.survival(day, by=by, times=_times(times))
    if as_json:
        _echo_json(view.to_dict())
        return
    duration, event = view.duration, view.event
    if file is None:  # the workspace's own columns: our words (a file's columns are the user's)
        duration, event = fmt.label("duration", duration, lang), fmt.label("status", event, lang)
    title = t("cli.risk.survival.title", lang, duration=duration, event=event)
    survival = view.survival
    if "group" in survival:  # "all" when not grouped: our word, not the data's
        survival = survival.assign(
            group=survival["group"].map(lambda g: fmt.label("group", g, lang))
        )
    _print_frame(survival, title, lang, _SURVIVAL)
    _print_frame(view.hazard_ratios, t("cli.risk.cox.title", lang), lang, _HAZARDS)


#: How the columns of the survival view's two tables are shown (others: as text).
_SURVIVAL = {"time": fmt.number, "survival": fmt.pct, "ci_lower": fmt.pct, "ci_upper": fmt.pct}
_HAZARDS = {"hazard_ratio": fmt.score, "ci_lower": fmt.score, "ci_upper": fmt.score,
            "p": lambda v: fmt.score(v, 4)}  # fmt: skip


def _print_frame(frame: Any, title: str, lang: Lang, shown: dict[str, Any]) -> None:
    names = [str(c) for c in frame.columns]
    cols = [Col(t(f"cli.risk.h.{c}", lang), "num" if c in shown else "text", i == 0)
            for i, c in enumerate(names)]  # fmt: skip
    rows = [[shown.get(c, fmt.text)(v) for c, v in zip(names, row, strict=True)]
            for row in frame.itertuples(index=False)]  # fmt: skip
    fmt.print_table(cols, rows, title=title, lang=lang)
