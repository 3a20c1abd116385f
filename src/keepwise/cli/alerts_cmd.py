"""``keepwise alerts``: run the early-warning rules, list alerts, acknowledge and close them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from keepwise._core.i18n import register, t
from keepwise.cli.app import actor_name, app, as_of_day, echo_json, open_workspace, state
from keepwise.workspace import Alert

register(
    {
        "cli.alerts.help": {
            "zh": "客户流失预警：运行规则、查看、确认与关闭预警。",
            "en": "Early warning: run the rules, list, acknowledge and close alerts.",
        },
        "cli.alerts.run_done": {
            "zh": "截至 {as_of}：{rules} 条规则命中 {hits} 次；新增预警 {opened} 条，"
            "已有未关闭预警 {already} 条（不重复创建）",
            "en": "As of {as_of}: {rules} rules fired {hits} times; {opened} new alerts, "
            "{already} already open (not duplicated)",
        },
        "cli.alerts.rule": {"zh": "规则", "en": "rule"},
        "cli.alerts.label": {"zh": "名称", "en": "name"},
        "cli.alerts.fired": {"zh": "命中", "en": "fired"},
        "cli.alerts.customer": {"zh": "客户", "en": "customer"},
        "cli.alerts.severity": {"zh": "严重程度", "en": "severity"},
        "cli.alerts.status": {"zh": "状态", "en": "status"},
        "cli.alerts.evidence": {"zh": "依据", "en": "evidence"},
        "cli.alerts.playbook": {"zh": "建议行动", "en": "playbook"},
        "cli.alerts.none": {"zh": "没有符合条件的预警", "en": "No alerts match"},
        "cli.alerts.moved": {
            "zh": "预警 {alert_id} 的状态现为：{status_zh}",
            "en": "Alert {alert_id} is now {status}",
        },
        "cli.alerts.rules_written": {
            "zh": "已写入默认规则 {path}，可编辑后运行 keepwise alerts run",
            "en": "Wrote the default rules to {path}; edit it, then run keepwise alerts run",
        },
        "cli.alerts.params": {"zh": "参数", "en": "parameters"},
        "cli.alerts.enabled": {"zh": "启用", "en": "enabled"},
    }
)

_STATUS_ZH = {"open": "未处理", "acknowledged": "已确认", "closed": "已关闭"}
_SEVERITY_ZH = {"low": "低", "medium": "中", "high": "高"}

alerts_app = typer.Typer(
    help="Early warning: run the rules, list, acknowledge and close alerts. "
    "(客户流失预警：运行规则、查看、确认与关闭预警。)",
    no_args_is_help=True,
)
app.add_typer(alerts_app, name="alerts")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
ActorOpt = Annotated[
    str | None, typer.Option(help="Who does it (default: the login name) / 操作人")
]


def _word(value: str, lang: str, zh: dict[str, str]) -> str:
    return zh.get(value, value) if lang == "zh" else value


def _console() -> Console:
    """The terminal's width on a terminal; wide lines when piped to a file or a pager."""
    console = Console()
    return console if console.is_terminal else Console(width=200)


@alerts_app.command("run")
def run_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluate as of this date (default: today) / 日期")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Evaluate the rules and open new alerts (one open alert per customer and rule).
    / 运行预警规则并创建新预警。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        rules = ws.alert_rules()
        result = ws.alerts_run(day)
    if as_json:
        echo_json(result.to_dict())
        return
    table = Table(t("cli.alerts.rule", lang), t("cli.alerts.label", lang),
                  t("cli.alerts.fired", lang))  # fmt: skip
    for rule in rules:
        if rule.enabled:
            table.add_row(rule.id, rule.label(lang), str(result.fired.get(rule.id, 0)))
    _console().print(table)
    typer.echo(t("cli.alerts.run_done", lang, as_of=day.isoformat(), rules=len(result.rules),
                 hits=sum(result.fired.values()), opened=result.opened,
                 already=result.already_open))  # fmt: skip


@alerts_app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open, acknowledged or closed / 状态")] = None,
    rule: Annotated[str | None, typer.Option(help="Rule id / 规则编号")] = None,
    severity: Annotated[str | None, typer.Option(help="low, medium or high / 严重程度")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner id of the customer / 负责人")] = None,
    customer: Annotated[str | None, typer.Option(help="Customer id / 客户编号")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many / 最多条数")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List alerts, newest first. / 查看预警（最新在前）。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        found = ws.alerts_list(status=status, rule=rule, severity=severity, owner=owner,
                               customer=customer, limit=limit)  # fmt: skip
    if as_json:
        echo_json([a.to_dict() for a in found])
        return
    if not found:
        typer.echo(t("cli.alerts.none", lang))
        return
    _print_alerts(found, lang)


def _print_alerts(found: list[Alert], lang: str) -> None:
    table = Table("#", t("cli.alerts.customer", lang), t("cli.alerts.rule", lang),
                  t("cli.alerts.severity", lang), t("cli.alerts.status", lang),
                  t("cli.alerts.evidence", lang), t("cli.alerts.playbook", lang),
                  "as_of")  # fmt: skip
    for column in table.columns:
        column.no_wrap = column.header != t("cli.alerts.evidence", lang)
    for a in found:
        evidence = ", ".join(f"{k}={v}" for k, v in a.evidence.items())
        table.add_row(str(a.id), a.customer_id, a.rule,
                      _word(a.severity, lang, _SEVERITY_ZH), _word(a.status, lang, _STATUS_ZH),
                      evidence, a.suggested_playbook or "", a.as_of.isoformat())  # fmt: skip
    _console().print(table)


@alerts_app.command("ack")
def ack_cmd(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="Alert id / 预警编号")],
    note: Annotated[str | None, typer.Option(help="Note / 说明")] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Acknowledge an open alert (someone is on it). / 确认预警。"""
    with open_workspace(ctx) as ws:
        alert = ws.alert_ack(alert_id, actor=actor_name(actor), note=note)
    _print_moved(alert, state(ctx).lang, as_json)


@alerts_app.command("close")
def close_cmd(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="Alert id / 预警编号")],
    note: Annotated[
        str | None, typer.Option(help="Why it is closed (required) / 关闭说明（必填）")
    ] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close an alert with a note; it stays in the history. / 关闭预警（保留历史）。"""
    with open_workspace(ctx) as ws:
        alert = ws.alert_close(alert_id, actor=actor_name(actor), note=note or "")
    _print_moved(alert, state(ctx).lang, as_json)


def _print_moved(alert: Alert, lang: str, as_json: bool) -> None:
    if as_json:
        echo_json(alert.to_dict())
        return
    typer.echo(t("cli.alerts.moved", lang, alert_id=alert.id, status=alert.status,
                 status_zh=_STATUS_ZH.get(alert.status, alert.status)))  # fmt: skip


@alerts_app.command("history")
def history_cmd(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="Alert id / 预警编号")],
    as_json: JsonOpt = False,
) -> None:
    """When an alert was opened, acknowledged and closed, by whom. / 预警的处理记录。"""
    with open_workspace(ctx) as ws:
        steps = ws.alert_history(alert_id)
    if as_json:
        echo_json(steps)
        return
    for step in steps:
        line = f"{step['at'][:19]}  {step['to']}"
        if step["actor"]:
            line += f"  {step['actor']}"
        if step["note"]:
            line += f"  {step['note']}"
        typer.echo(line)


@alerts_app.command("rules")
def rules_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Show the rules in force (rules.yaml, or the defaults) and check the file.
    / 查看生效的预警规则并检查规则文件。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        rules = ws.alert_rules()
    if as_json:
        echo_json([r.__dict__ for r in rules])
        return
    table = Table(t("cli.alerts.rule", lang), t("cli.alerts.label", lang),
                  t("cli.alerts.severity", lang), t("cli.alerts.playbook", lang),
                  t("cli.alerts.enabled", lang), t("cli.alerts.params", lang))  # fmt: skip
    for r in rules:
        params = ", ".join(f"{k}={v}" for k, v in r.params.items())
        table.add_row(r.id, r.label(lang), _word(r.severity, lang, _SEVERITY_ZH), r.playbook,
                      "✓" if r.enabled else "—", params)  # fmt: skip
    _console().print(table)


@alerts_app.command("init-rules")
def init_rules_cmd(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option(help="Overwrite rules.yaml / 覆盖已有文件")] = False,
) -> None:
    """Write the built-in rules to rules.yaml for editing. / 写出默认规则文件以便编辑。"""
    with open_workspace(ctx) as ws:
        path = ws.alerts_init_rules(force=force)
    typer.echo(t("cli.alerts.rules_written", state(ctx).lang, path=str(path)))
