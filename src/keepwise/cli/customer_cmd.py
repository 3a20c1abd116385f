"""``keepwise customer``: one customer's lifecycle — show, follow-up, void (作废), revert, churn,
reactivate, reassign, history, and the voids waiting for a manager (approvals, approve, reject).
docs/lifecycle.md."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from keepwise._core.errors import InputError
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import customer_view as view
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, as_of_day, echo_json, open_workspace, state

if TYPE_CHECKING:
    from keepwise.lifecycle.actions import StatusChange

register(
    {
        "cli.customer.changed": {
            "zh": "客户 {customer_id}：{from_status} → {to_status}（事件 #{event_id}）",
            "en": "Customer {customer_id}: {from_status} → {to_status} (event #{event_id})",
        },
        "cli.customer.reverted": {
            "zh": "已撤销事件 #{undone}。客户 {customer_id}：{from_status} → {to_status}"
            "（事件 #{event_id}）",
            "en": "Reverted event #{undone}. Customer {customer_id}: {from_status} → "
            "{to_status} (event #{event_id})",
        },
        "cli.customer.requested": {
            "zh": "已提交作废申请 #{request_id}（客户 {customer_id}），等待经理审批："
            "keepwise customer approve {request_id}",
            "en": "Void request #{request_id} (customer {customer_id}) waits for a manager's "
            "approval: keepwise customer approve {request_id}",
        },
        "cli.customer.approved": {
            "zh": "已批准作废申请 #{request_id}。",
            "en": "Approved the void request #{request_id}.",
        },
        "cli.customer.rejected": {
            "zh": "已驳回作废申请 #{request_id}（客户 {customer_id}），客户未作改动",
            "en": "Rejected the void request #{request_id} (customer {customer_id}); the "
            "customer is unchanged",
        },
        "cli.customer.no_history": {
            "zh": "客户 {customer_id} 没有状态或负责人变更记录",
            "en": "Nothing is recorded about customer {customer_id}'s status or owner",
        },
        "cli.customer.no_requests": {
            "zh": "没有待审批的作废申请",
            "en": "No void request waits for approval",
        },
        "cli.customer.followed_up": {
            "zh": "已记录对客户 {customer_id} 的跟进（{kind}，{at}），编号 {interaction_id}",
            "en": "Recorded a follow-up of customer {customer_id} ({kind}, {at}), id "
            "{interaction_id}",
        },
        "cli.customer.bad_at": {
            "zh": "无效的时间 {text}（格式：YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）",
            "en": "Invalid time {text} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
        },
    }
)

customer_app = typer.Typer(
    help="One customer's lifecycle: show, follow-up, void, revert, churn, reactivate, reassign, "
    "history, approvals. (客户生命周期：查看、跟进、作废、撤销、流失、挽回、重新分配、历史、审批。)",
    no_args_is_help=True,
)
app.add_typer(customer_app, name="customer")

Customer = Annotated[str, typer.Argument(help="Customer id / 客户编号")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
Actor = Annotated[str | None, typer.Option(help="Who does it (default: the login name) / 操作人")]
Note = Annotated[str | None, typer.Option(help="Note, kept with the change / 说明")]
Reason = Annotated[
    str | None,
    typer.Option(help="Reason code or label of the taxonomy (keepwise metrics reasons) / 原因"),
]
Destination = Annotated[
    str | None,
    typer.Option(help="Where the customer went (a competitor, …) / 去向（如竞争对手）"),
]
At = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When it happened, YYYY-MM-DD[THH:MM] (default: now; never in the future) / 发生时间",
    ),
]


def parse_at(text: str | None) -> dt.datetime | None:
    """``--at``: a date (midnight) or a date and time."""
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError("cli.customer.bad_at", text=text) from None


@customer_app.command("show")
def show_cmd(
    ctx: typer.Context,
    customer: Customer,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Status under the churn definition as of this date / 日期"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Profile, status, history, latest scores, open alerts and tasks. / 客户档案。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        shown = ws.customers.show(customer, as_of=day)
        reasons = ws.customers.reason_labels()
        rules = ws.alerts.rule_labels()
    if as_json:
        echo_json(shown)
        return
    view.print_profile(shown, reasons, lang, rules)


@customer_app.command("history")
def history_cmd(ctx: typer.Context, customer: Customer, as_json: AsJson = False) -> None:
    """Status changes (reverted ones marked), owner changes and void requests, oldest first.
    / 客户的状态与负责人变更记录。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        items = ws.customers.history(customer)
        reasons = ws.customers.reason_labels()
    if as_json:
        echo_json(items)
        return
    if not items:
        typer.echo(t("cli.customer.no_history", lang, customer_id=customer))
        return
    view.print_history(items, reasons, lang)


@customer_app.command("void")
def void_cmd(
    ctx: typer.Context,
    customer: Customer,
    reason: Reason = None,
    note: Note = None,
    destination: Destination = None,
    actor: Actor = None,
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Void a customer (a reason is required); with [lifecycle] void_needs_approval, a request
    for a manager. / 作废客户（须填写原因）。"""
    with open_workspace(ctx) as ws:
        done = ws.customers.void(customer, reason=reason, actor=actor_name(actor, ctx), note=note,
                                 destination=destination, at=parse_at(at))  # fmt: skip
    from keepwise.lifecycle.approvals import StatusRequest

    lang = state(ctx).lang
    if isinstance(done, StatusRequest):
        if as_json:
            echo_json({"pending": True, **done.to_dict()})
            return
        typer.echo(t("cli.customer.requested", lang, request_id=done.id,
                     customer_id=done.customer_id))  # fmt: skip
        return
    _print_change(done, lang, as_json)


@customer_app.command("follow-up")
def follow_up_cmd(
    ctx: typer.Context,
    customer: Customer,
    kind: Annotated[
        str, typer.Option("--kind", help="call | visit | meeting | email | message | other / 方式")
    ] = "call",
    note: Note = None,
    actor: Actor = None,
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Record a follow-up of the customer (a call, a visit …). / 记录一次客户跟进。"""
    with open_workspace(ctx) as ws:
        done = ws.customers.follow_up(customer, kind, note, actor_name(actor, ctx),
                                      at=parse_at(at))  # fmt: skip
    if as_json:
        echo_json(done)
        return
    lang = state(ctx).lang
    when = done["occurred_at"]
    typer.echo(t("cli.customer.followed_up", lang, customer_id=customer,
                 kind=t(f"lifecycle.follow_up.{kind}", lang), interaction_id=done["interaction_id"],
                 at=when.isoformat(sep=" ", timespec="minutes")))  # fmt: skip


@customer_app.command("churn")
def churn_cmd(
    ctx: typer.Context,
    customer: Customer,
    reason: Reason = None,
    note: Note = None,
    destination: Destination = None,
    actor: Actor = None,
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Record that a customer churned. / 标记客户流失。"""
    with open_workspace(ctx) as ws:
        done = ws.customers.churn(customer, reason=reason, actor=actor_name(actor, ctx), note=note,
                                  destination=destination, at=parse_at(at))  # fmt: skip
    _print_change(done, state(ctx).lang, as_json)


@customer_app.command("reactivate")
def reactivate_cmd(
    ctx: typer.Context,
    customer: Customer,
    note: Note = None,
    actor: Actor = None,
    at: At = None,
    as_json: AsJson = False,
) -> None:
    """Win a churned or voided customer back. / 挽回已流失或作废的客户。"""
    with open_workspace(ctx) as ws:
        done = ws.customers.reactivate(customer, actor=actor_name(actor, ctx), note=note,
                                       at=parse_at(at))  # fmt: skip
    _print_change(done, state(ctx).lang, as_json)


@customer_app.command("revert")
def revert_cmd(
    ctx: typer.Context,
    customer: Customer,
    note: Note = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Undo the customer's last status change (a mistake): recorded, and every KPI as if it had
    never happened. / 撤销最近一次状态变更。"""
    with open_workspace(ctx) as ws:
        done = ws.customers.revert(customer, actor=actor_name(actor, ctx), note=note)
    _print_change(done, state(ctx).lang, as_json)


@customer_app.command("reassign")
def reassign_cmd(
    ctx: typer.Context,
    customer: Customer,
    to: Annotated[str, typer.Option("--to", help="The new owner's id / 新负责人")],
    as_manager: Annotated[
        bool,
        typer.Option(
            "--as-manager",
            help="A manager's reassignment (needed for a customer in the pool) / 以经理身份分配",
        ),
    ] = False,
    note: Note = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Give the customer to another owner (recorded). / 重新分配负责人。"""
    with open_workspace(ctx) as ws:
        change = ws.customers.reassign(customer, to, actor=actor_name(actor, ctx), note=note,
                                       as_manager=as_manager)  # fmt: skip
    if as_json:
        echo_json(change.to_dict())
        return
    view.print_owner_change(change, state(ctx).lang)


@customer_app.command("approvals")
def approvals_cmd(
    ctx: typer.Context,
    every: Annotated[
        bool, typer.Option("--all", help="Decided requests too / 包括已审批的申请")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Void requests waiting for a manager. / 待审批的作废申请。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        found = ws.customers.approvals(state=None if every else "pending")
        reasons = ws.customers.reason_labels()
    if as_json:
        echo_json([r.to_dict() for r in found])
        return
    if not found:
        typer.echo(t("cli.customer.no_requests", lang))
        return
    view.print_requests(found, reasons, lang)


@customer_app.command("approve")
def approve_cmd(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="Request id / 申请编号")],
    note: Note = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Approve a void request: the customer is voided now. / 批准作废申请。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        request, change = ws.customers.approve(request_id, actor=actor_name(actor, ctx), note=note)
    if as_json:
        echo_json({"request": request.to_dict(), "change": change.to_dict()})
        return
    typer.echo(t("cli.customer.approved", lang, request_id=request.id))
    _print_change(change, lang, False)


@customer_app.command("reject")
def reject_cmd(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="Request id / 申请编号")],
    note: Annotated[
        str | None, typer.Option(help="Why it is rejected (required) / 驳回理由（必填）")
    ] = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Reject a void request with a note. / 驳回作废申请。"""
    with open_workspace(ctx) as ws:
        request = ws.customers.reject(request_id, actor=actor_name(actor, ctx), note=note)
    if as_json:
        echo_json(request.to_dict())
        return
    typer.echo(t("cli.customer.rejected", state(ctx).lang, request_id=request.id,
                 customer_id=request.customer_id))  # fmt: skip


def _print_change(change: StatusChange, lang: Lang, as_json: bool) -> None:
    if as_json:
        echo_json({"pending": False, **change.to_dict()})
        return
    words: dict[str, Any] = {
        "customer_id": change.customer_id, "event_id": change.event_id,
        "from_status": fmt.label("status", change.from_status, lang),
        "to_status": fmt.label("status", change.to_status, lang),
    }  # fmt: skip
    if change.reverts is not None:
        typer.echo(t("cli.customer.reverted", lang, undone=change.reverts, **words))
        return
    typer.echo(t("cli.customer.changed", lang, **words))
