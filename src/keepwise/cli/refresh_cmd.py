"""``keepwise refresh``: the daily chain, for cron or a systemd timer (docs/reports.md,
"Daily refresh")."""

from __future__ import annotations

from typing import Annotated

import typer

from keepwise._core.errors import BusyError
from keepwise._core.i18n import register, t
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, as_of_day, open_workspace, state
from keepwise.cli.fmt import Col

register(
    {
        # The chain's steps as the tables show them ([refresh] steps takes the English ids).
        "cli.refresh.step.import": {"zh": "导入", "en": "import"},
        "cli.refresh.step.value": {"zh": "价值评分", "en": "value"},
        "cli.refresh.step.risk": {"zh": "风险评分", "en": "risk"},
        "cli.refresh.step.alerts": {"zh": "预警", "en": "alerts"},
        "cli.refresh.step.playbooks": {"zh": "挽留行动", "en": "playbooks"},
        "cli.refresh.step.results": {"zh": "存储结果", "en": "results"},
        "cli.refresh.step.notify": {"zh": "通知", "en": "notify"},
        "cli.refresh.busy": {
            "zh": "refresh 需要独占内嵌的 DuckDB 数据库，但它正被另一个进程使用（{detail}）。"
            "DuckDB 只允许一个进程写入：请在服务器停止时运行 refresh，或把工作区迁移到 PostgreSQL"
            "（[database] url），之后 refresh 可以与 keepwise serve 同时运行。",
            "en": "refresh needs the embedded DuckDB database to itself, but another process "
            "holds it ({detail}). DuckDB lets one process write: run refresh while the server "
            "is stopped, or move the workspace to PostgreSQL ([database] url), where refresh "
            "runs beside keepwise serve.",
        },
        "cli.refresh.col.step": {"zh": "步骤", "en": "step"},
        "cli.refresh.col.status": {"zh": "结果", "en": "result"},
        "cli.refresh.col.seconds": {"zh": "用时（秒）", "en": "seconds"},
        "cli.refresh.col.note": {"zh": "说明", "en": "note"},
        "cli.refresh.status.done": {"zh": "完成", "en": "done"},
        "cli.refresh.status.skipped": {"zh": "跳过", "en": "skipped"},
        "cli.refresh.status.failed": {"zh": "失败", "en": "failed"},
        "cli.refresh.title": {"zh": "每日刷新 #{id}（截至 {as_of}）：{status}",
                              "en": "Daily refresh #{id} (as of {as_of}): {status}"},
    }
)  # fmt: skip


@app.command("refresh")
def refresh_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date of the run (default: the day after the data ends) / 截止日期"
        ),
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Who runs it / 操作人")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Run the daily chain: inbox imports, value and risk scores, alerts, playbooks,
    notifications; each step logged with its time. Exits 1 when a step failed. /
    运行每日刷新：导入收件目录的新文件、价值与风险评分、预警、挽留行动、通知。"""
    lang = state(ctx).lang
    try:
        with open_workspace(ctx) as ws:
            day = as_of_day(ctx, ws, as_of, writing=True)
            run = ws.refresh.run(day, actor=actor_name(actor), lang=lang)
    except BusyError as exc:
        raise BusyError("cli.refresh.busy", detail=exc.message(lang)) from None
    if as_json:
        fmt.echo_json(run.to_dict())
    else:
        cols = [Col(t("cli.refresh.col.step", lang), "word", True),
                Col(t("cli.refresh.col.status", lang), "word"),
                Col(t("cli.refresh.col.seconds", lang), "num"),
                Col(t("cli.refresh.col.note", lang))]  # fmt: skip
        rows = [[t(f"cli.refresh.step.{s.step}", lang), t(f"cli.refresh.status.{s.status}", lang), f"{s.seconds:.1f}",
                 fmt.text(s.note)] for s in run.steps]  # fmt: skip
        title = t("cli.refresh.title", lang, id=run.id, as_of=run.as_of.isoformat(),
                  status=t(f"cli.refresh.status.{run.status}", lang))  # fmt: skip
        fmt.print_table(cols, rows, title=title, lang=lang)
    if run.failed:
        raise typer.Exit(1)
