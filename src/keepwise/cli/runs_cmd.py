"""Deleting a run made by mistake: ``risk delete-scores``, ``value delete-scores`` and
``alerts delete-run``. The date is always given explicitly (no default), and every deletion is
written to the audit log."""

from __future__ import annotations

from typing import Annotated

import typer

from keepwise._core.clock import parse_day
from keepwise._core.i18n import register, t
from keepwise.cli.alerts_cmd import alerts_app
from keepwise.cli.app import actor_name, echo_json, open_workspace, state
from keepwise.cli.risk_cmd import risk_app
from keepwise.cli.value_cmd import value_app

register(
    {
        "cli.runs.scores_deleted": {
            "zh": "已删除 {as_of} 的 {count:,} 条评分",
            "en": "Deleted {count:,} scores dated {as_of}",
        },
        "cli.runs.alerts_deleted": {
            "zh": "已删除 {as_of} 的 {deleted:,} 条未处理预警；已确认或已关闭的 {kept:,} 条保留",
            "en": "Deleted {deleted:,} open alerts dated {as_of}; {kept:,} acknowledged or "
            "closed ones are kept",
        },
    }
)

RunDate = Annotated[
    str, typer.Option("--as-of", help="Date of the run to delete / 要删除的批次日期")
]
Actor = Annotated[str | None, typer.Option(help="Who does it (default: the login name) / 操作人")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]


def _delete_scores(
    ctx: typer.Context, kind: str, as_of: str, version: str | None, actor: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    day = parse_day(as_of)
    with open_workspace(ctx) as ws:
        if kind == "churn":
            count = ws.risk.delete_scores(day, model_version=version, actor=actor_name(actor, ctx))
        else:
            count = ws.value.delete_scores(day, actor=actor_name(actor, ctx))
    if as_json:
        echo_json({"as_of": day.isoformat(), "deleted": count})
    else:
        typer.echo(t("cli.runs.scores_deleted", state(ctx).lang, count=count,
                     as_of=day.isoformat()))  # fmt: skip


@risk_app.command("delete-scores")
def risk_delete_cmd(
    ctx: typer.Context,
    as_of: RunDate,
    model: Annotated[
        str | None, typer.Option(help="Only this model version / 仅此模型版本")
    ] = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Delete the churn scores of one scoring run. / 删除一次流失风险评分。"""
    _delete_scores(ctx, "churn", as_of, model, actor, as_json)


@value_app.command("delete-scores")
def value_delete_cmd(
    ctx: typer.Context, as_of: RunDate, actor: Actor = None, as_json: AsJson = False
) -> None:
    """Delete the value scores of one scoring run. / 删除一次价值评分。"""
    _delete_scores(ctx, "value", as_of, None, actor, as_json)


@alerts_app.command("delete-run")
def alerts_delete_cmd(
    ctx: typer.Context, as_of: RunDate, actor: Actor = None, as_json: AsJson = False
) -> None:
    """Delete the open alerts of one rule run (acknowledged and closed ones are kept).
    / 删除一次预警运行产生的未处理预警。"""
    day = parse_day(as_of)
    with open_workspace(ctx) as ws:
        deleted, kept = ws.alerts.delete_run(day, actor=actor_name(actor, ctx))
    if as_json:
        echo_json({"as_of": day.isoformat(), "deleted": deleted, "kept": kept})
    else:
        typer.echo(t("cli.runs.alerts_deleted", state(ctx).lang, deleted=deleted, kept=kept,
                     as_of=day.isoformat()))  # fmt: skip
