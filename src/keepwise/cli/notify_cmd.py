"""``keepwise notify``: send the alert and task digests, test a channel, show what was sent
(docs/reports.md, "Notifications")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import app, as_of_day, open_workspace, state
from keepwise.cli.fmt import Col

if TYPE_CHECKING:
    from keepwise.notify import Sent

register(
    {
        "cli.notify.none": {
            "zh": "还没有发送记录（配置通道见 docs/reports.md）",
            "en": "Nothing has been sent yet (channels: see docs/reports.md)",
        },
        "cli.notify.sent": {
            "zh": "{sent} 条消息已发送，{failed} 条失败（失败的消息会在下次发送时重试；详见 keepwise notify log）",
            "en": "{sent} messages sent, {failed} failed (failed ones are retried by the next send; "
            "see keepwise notify log)",
        },
        "cli.notify.nothing": {"zh": "没有需要发送的消息", "en": "Nothing to send"},
        "cli.notify.col.id": {"zh": "编号", "en": "id"},
        "cli.notify.col.channel": {"zh": "通道", "en": "channel"},
        "cli.notify.col.kind": {"zh": "类型", "en": "kind"},
        "cli.notify.col.recipient": {"zh": "接收方", "en": "recipient"},
        "cli.notify.col.created": {"zh": "创建时间", "en": "created"},
        "cli.notify.col.attempts": {"zh": "尝试次数", "en": "attempts"},
        "cli.notify.col.status": {"zh": "状态", "en": "status"},
        "cli.notify.col.error": {"zh": "错误", "en": "error"},
        "cli.notify.status.sent": {"zh": "已发送", "en": "sent"},
        "cli.notify.status.failed": {"zh": "失败", "en": "failed"},
        "cli.notify.status.pending": {"zh": "待发送", "en": "pending"},
    }
)  # fmt: skip

notify_app = typer.Typer(
    help="Notifications: alert and task digests by e-mail, WeCom, DingTalk and Feishu. "
    "(通知：通过邮件、企业微信、钉钉、飞书发送预警与任务摘要。)",
    no_args_is_help=True,
)
app.add_typer(notify_app, name="notify")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]


def _summary(sent: list[Sent], lang: Lang, as_json: bool) -> None:
    if as_json:
        fmt.echo_json([s.to_dict() for s in sent])
    elif not sent:
        typer.echo(t("cli.notify.nothing", lang))
    else:
        _table([s.to_dict() for s in sent], lang)
        failed = sum(s.status != "sent" for s in sent)
        typer.echo(t("cli.notify.sent", lang, sent=len(sent) - failed, failed=failed))
    if any(s.status != "sent" for s in sent):
        raise typer.Exit(1)


@notify_app.command("send")
def send_cmd(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date of the digest / 日期")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Send each recipient the alerts and tasks not yet sent to them, and retry failed
    messages. / 发送尚未通知的预警与任务，并重试失败的消息。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        sent = ws.notify.send(as_of_day(ctx, ws, as_of, writing=True))
    _summary(sent, lang, as_json)


@notify_app.command("test")
def test_cmd(
    ctx: typer.Context,
    channel: Annotated[str, typer.Argument(help="Channel name in [notify.channels] / 通道名称")],
    as_json: JsonOpt = False,
) -> None:
    """Send a test message through one channel. / 通过一个通道发送测试消息。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        sent = ws.notify.test(channel)
    _summary(sent, lang, as_json)


@notify_app.command("log")
def log_cmd(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="Messages to show / 显示条数")] = 50,
    status: Annotated[
        str | None, typer.Option(help="sent, failed or pending / 只显示该状态")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """What was sent, to whom, when, how many attempts, and the last error. / 发送记录。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        rows = ws.notify.log(limit=limit, status=status)
    if as_json:
        fmt.echo_json(rows)
        return
    if not rows:
        typer.echo(t("cli.notify.none", lang))
        return
    _table(rows, lang)


def _table(rows: list[dict[str, object]], lang: Lang) -> None:
    def col(key: str, kind: fmt.ColumnKind = "text", key_col: bool = False) -> Col:
        return Col(t(f"cli.notify.col.{key}", lang), kind, key_col)

    cols = [col("id", "num", True), col("channel", "word"), col("kind", "word"),
            col("recipient"), col("created", "word"), col("attempts", "num"),
            col("status", "word"), col("error")]  # fmt: skip
    body = [[fmt.text(r.get("id")), fmt.text(r.get("channel")), fmt.text(r.get("kind")),
             fmt.text(r.get("recipient")), fmt.day(r.get("created_at")) if r.get("created_at")
             else fmt.EMPTY, fmt.count(r.get("attempts")),
             t(f"cli.notify.status.{r.get('status')}", lang), fmt.text(r.get("error"))]
            for r in rows]  # fmt: skip
    fmt.print_table(cols, body, lang=lang)
