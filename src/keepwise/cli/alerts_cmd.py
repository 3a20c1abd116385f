"""``keepwise alerts``: run the early-warning rules, list alerts, acknowledge and close them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, as_of_day, echo_json, open_workspace, state
from keepwise.cli.fmt import Col

if TYPE_CHECKING:
    from keepwise.rules import Alert

register(
    {
        "cli.alerts.help": {
            "zh": "客户流失预警：运行规则、查看、确认与关闭预警。",
            "en": "Early warning: run the rules, list, acknowledge and close alerts.",
        },
        "cli.alerts.run_done": {
            "zh": "截至 {as_of}：{rules} 条规则中有 {fired} 条命中，共 {hits} 次；新增预警 {opened} 条，"
            "已有未关闭预警 {already} 条（不重复创建）",
            "en": "As of {as_of}: {fired} of {rules} rules fired, {hits} hits in all; "
            "{opened} new alerts, {already} already open (not duplicated)",
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
            "zh": "预警 {alert_id} 的状态现为：{status}",
            "en": "Alert {alert_id} is now {status}",
        },
        "cli.alerts.as_of": {"zh": "日期", "en": "as of"},
        "cli.alerts.rules_written": {
            "zh": "已写入默认规则 {path}，可编辑后运行 keepwise alerts run",
            "en": "Wrote the default rules to {path}; edit it, then run keepwise alerts run",
        },
        "cli.alerts.params": {"zh": "参数", "en": "parameters"},
        "cli.alerts.enabled": {"zh": "启用", "en": "enabled"},
    }
)

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
        day = as_of_day(ctx, ws, as_of, writing=True)
        rules = ws.alerts.rules()
        result = ws.alerts.run(day)
    if as_json:
        echo_json(result.to_dict())
        return
    cols = [Col(t("cli.alerts.rule", lang), "word"), Col(t("cli.alerts.label", lang)),
            Col(t("cli.alerts.fired", lang), "num")]  # fmt: skip
    rows = [[rule.id, rule.label(lang), fmt.count(result.fired.get(rule.id, 0))]
            for rule in rules if rule.enabled]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang)
    fired = sum(1 for rule in result.rules if result.fired.get(rule, 0) > 0)
    typer.echo(t("cli.alerts.run_done", lang, as_of=day.isoformat(), rules=len(result.rules),
                 fired=fired, hits=fmt.count(sum(result.fired.values())),
                 opened=fmt.count(result.opened),
                 already=fmt.count(result.already_open)))  # fmt: skip


@alerts_app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open, acknowledged or closed / 状态")] = None,
    rule: Annotated[str | None, typer.Option(help="Rule id / 规则编号")] = None,
    severity: Annotated[str | None, typer.Option(help="low, medium or high / 严重程度")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner id of the customer / 负责人")] = None,
    customer: Annotated[str | None, typer.Option(help="Customer id / 客户编号")] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1, help="At most this many (default: 50 in the table, all with --json) / 最多条数"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List alerts, newest first. / 查看预警（最新在前）。"""
    lang = state(ctx).lang
    # The table shows TABLE_LIMIT alerts unless told otherwise; one more is fetched to know
    # whether any are hidden (their count then comes from a second, unlimited query).
    shown = limit or (None if as_json else TABLE_LIMIT)
    query: dict[str, Any] = {"status": status, "rule": rule, "severity": severity,
                             "owner": owner, "customer": customer}  # fmt: skip
    with open_workspace(ctx) as ws:
        found = ws.alerts.find(**query, limit=shown + 1 if shown else None)
        hidden = 0
        if not as_json and shown is not None and len(found) > shown:
            hidden = len(ws.alerts.find(**query)) - shown
        found = found[:shown] if shown else found
        labels = ws.alerts.rule_labels()
    if as_json:
        echo_json([a.to_dict() for a in found])
        return
    if not found:
        typer.echo(t("cli.alerts.none", lang))
        return
    _print_alerts(found, lang, labels, hidden)


TABLE_LIMIT = 50


def _print_alerts(
    found: list[Alert], lang: Lang, labels: dict[str, dict[str, str]], hidden: int = 0
) -> None:
    # The evidence last, one item a line: on a narrow terminal it moves to a second part of the
    # table (with # and customer) and keeps the whole width there.
    cols = [Col("#", "num", True), Col(t("cli.alerts.customer", lang), "word", True),
            Col(t("cli.alerts.rule", lang), "word"), Col(t("cli.alerts.severity", lang)),
            Col(t("cli.alerts.status", lang)), Col(t("cli.alerts.playbook", lang)),
            Col(t("cli.alerts.as_of", lang), "word"),
            Col(t("cli.alerts.evidence", lang), "word")]  # fmt: skip
    rows = [[str(a.id), a.customer_id, labels.get(a.rule, {}).get(lang, a.rule),
             fmt.label("band", a.severity, lang),
             fmt.label("alert", a.status, lang), fmt.label("playbook", a.suggested_playbook, lang),
             fmt.day(a.as_of),
             "\n".join(f"{k}={_evidence(v)}" for k, v in a.evidence.items()) or fmt.EMPTY]
            for a in found]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, hidden=hidden)


def _evidence(value: object) -> str:
    if isinstance(value, float):
        return fmt.number(value)
    return fmt.text(value)


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
        alert = ws.alerts.ack(alert_id, actor=actor_name(actor, ctx), note=note)
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
        alert = ws.alerts.close(alert_id, actor=actor_name(actor, ctx), note=note or "")
    _print_moved(alert, state(ctx).lang, as_json)


def _print_moved(alert: Alert, lang: Lang, as_json: bool) -> None:
    if as_json:
        echo_json(alert.to_dict())
        return
    typer.echo(t("cli.alerts.moved", lang, alert_id=alert.id,
                 status=fmt.label("alert", alert.status, lang)))  # fmt: skip


@alerts_app.command("history")
def history_cmd(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="Alert id / 预警编号")],
    as_json: JsonOpt = False,
) -> None:
    """When an alert was opened, acknowledged and closed, by whom. / 预警的处理记录。"""
    with open_workspace(ctx) as ws:
        steps = ws.alerts.history(alert_id)
    if as_json:
        echo_json(steps)
        return
    lang = state(ctx).lang
    for step in steps:
        line = f"{step['at'][:19]}  {fmt.label('alert', step['to'], lang)}"
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
        rules = ws.alerts.rules()
    if as_json:
        echo_json([r.__dict__ for r in rules])
        return
    cols = [Col(t("cli.alerts.rule", lang), "word", True), Col(t("cli.alerts.label", lang)),
            Col(t("cli.alerts.severity", lang)), Col(t("cli.alerts.playbook", lang)),
            Col(t("cli.alerts.enabled", lang)), Col(t("cli.alerts.params", lang), "word")]  # fmt: skip
    rows = [[r.id, r.label(lang), fmt.label("band", r.severity, lang),
             fmt.label("playbook", r.playbook, lang), "✓" if r.enabled else fmt.EMPTY,
             "\n".join(f"{k}={v}" for k, v in r.params.items()) or fmt.EMPTY]
            for r in rules]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang)


@alerts_app.command("init-rules")
def init_rules_cmd(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option(help="Overwrite rules.yaml / 覆盖已有文件")] = False,
) -> None:
    """Write the built-in rules to rules.yaml for editing. / 写出默认规则文件以便编辑。"""
    with open_workspace(ctx) as ws:
        path = ws.alerts.init_rules(force=force)
    typer.echo(t("cli.alerts.rules_written", state(ctx).lang, path=str(path)))
