"""``keepwise owner leave`` (an owner's departure and the hand-over of their customers) and
``keepwise pool`` (the customer pool, 公海: refresh, list, claim, report). docs/lifecycle.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from keepwise._core.errors import InputError
from keepwise._core.i18n import register, t
from keepwise.cli import customer_view as view
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, as_of_day, echo_json, open_workspace, state
from keepwise.cli.fmt import Col

if TYPE_CHECKING:
    from keepwise.lifecycle.pool import PoolOutcome

register(
    {
        "cli.owner.left": {
            "zh": "负责人 {owner_id} 已于 {day} 离职：{count} 个客户已交接，新开负责人离职预警 {alerts} 条"
            "（{lost} 个已流失或作废的客户只交接、不预警）",
            "en": "Owner {owner_id} left on {day}: {count} customers handed over, {alerts} "
            "owner-left alerts opened ({lost} churned or voided customers handed over without "
            "an alert)",
        },
        "cli.owner.to_or_rule": {
            "zh": "--to 与 --rule 只能选一个",
            "en": "Give either --to or --rule, not both",
        },
        "cli.owner.bad_rule": {
            "zh": "未知的分配规则 {rule}：可用 round-robin",
            "en": "Unknown rule {rule}: use round-robin",
        },
        "cli.owner.col.new_owner": {"zh": "新负责人", "en": "new owner"},
        "cli.pool.refreshed": {
            "zh": "截至 {as_of}：{count} 个客户超过 {days} 天未被负责人跟进，已退回公海",
            "en": "As of {as_of}: {count} customers not followed up by their owner for {days} "
            "days returned to the pool",
        },
        "cli.pool.empty": {"zh": "公海中没有客户", "en": "The customer pool is empty"},
        "cli.pool.col.from": {"zh": "原负责人", "en": "previous owner"},
        "cli.pool.col.since": {"zh": "退回日期", "en": "in the pool since"},
        "cli.pool.col.group": {"zh": "分组", "en": "group"},
        "cli.pool.col.returns": {"zh": "退回次数", "en": "returns"},
        "cli.pool.col.ordered": {"zh": "再次下单", "en": "ordered again"},
        "cli.pool.col.won_back": {"zh": "挽回", "en": "won back"},
        "cli.pool.col.lost": {"zh": "流失/作废", "en": "lost"},
        "cli.pool.group.all": {"zh": "全部", "en": "all"},
        "cli.pool.group.claimed": {"zh": "后被认领", "en": "claimed later"},
        "cli.pool.group.unclaimed": {"zh": "未被认领", "en": "not claimed"},
        "cli.pool.report_title": {
            "zh": "公海客户的后续（截至 {as_of}）",
            "en": "What followed returns to the pool (as of {as_of})",
        },
    }
)

owner_app = typer.Typer(
    help="Account owners: an owner's departure and the hand-over of their customers. "
    "(负责人：离职与客户交接。)",
    no_args_is_help=True,
)
app.add_typer(owner_app, name="owner")
pool_app = typer.Typer(
    help="The customer pool (公海): customers not followed up return to it; reps claim them. "
    "(公海：长期未跟进的客户退回公海，由销售认领。)",
    no_args_is_help=True,
)
app.add_typer(pool_app, name="pool")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Date (default: the day after the data ends) / 日期"),
]
Actor = Annotated[str | None, typer.Option(help="Who does it (default: the login name) / 操作人")]


@owner_app.command("leave")
def leave_cmd(
    ctx: typer.Context,
    owner: Annotated[str, typer.Argument(help="The leaving owner's id / 离职负责人")],
    to: Annotated[
        str | None, typer.Option("--to", help="Give every customer to this owner / 接手人")
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            help="round-robin (the default): in turn among active owners of the same region "
            "and segment / 轮流分配",
        ),
    ] = None,
    as_of: AsOf = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Mark an owner as left, hand their customers over (recorded) and open the owner_left
    alert. / 负责人离职：交接客户并发出预警。"""
    if to is not None and rule is not None:
        raise InputError("cli.owner.to_or_rule")
    if rule is not None and rule != "round-robin":
        raise InputError("cli.owner.bad_rule", rule=rule)
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of, writing=True)
        done = ws.owners.leave(owner, as_of=day, actor=actor_name(actor, ctx), to=to)
    if as_json:
        echo_json(done.to_dict())
        return
    if done.changes:
        cols = [Col(t("cli.customer.col.customer", lang), "word", True),
                Col(t("cli.owner.col.new_owner", lang), "word")]  # fmt: skip
        fmt.print_table(cols, [[c.customer_id, fmt.text(c.to_owner)] for c in done.changes],
                        lang=lang)  # fmt: skip
    typer.echo(t("cli.owner.left", lang, owner_id=owner, day=day.isoformat(),
                 count=len(done.changes), alerts=done.alerts_opened,
                 lost=len(done.not_alerted)))  # fmt: skip


@pool_app.command("refresh")
def refresh_cmd(
    ctx: typer.Context, as_of: AsOf = None, actor: Actor = None, as_json: AsJson = False
) -> None:
    """Return customers not followed up for [lifecycle] pool_after_days to the pool.
    / 将长期未跟进的客户退回公海。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of, writing=True)
        changes = ws.owners.pool_refresh(as_of=day, actor=actor_name(actor, ctx))
        days = ws.customers.settings().pool_after_days
    if as_json:
        echo_json({"as_of": day, "returned": [c.to_dict() for c in changes]})
        return
    if changes:
        cols = [Col(t("cli.customer.col.customer", lang), "word", True),
                Col(t("cli.pool.col.from", lang), "word")]  # fmt: skip
        fmt.print_table(cols, [[c.customer_id, fmt.text(c.from_owner)] for c in changes],
                        lang=lang)  # fmt: skip
    typer.echo(t("cli.pool.refreshed", lang, as_of=day.isoformat(), count=len(changes),
                 days=days))  # fmt: skip


@pool_app.command("list")
def list_cmd(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The customers in the pool, longest there first. / 公海客户。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        members = ws.owners.pool()
    if as_json:
        echo_json([m.to_dict() for m in members])
        return
    if not members:
        typer.echo(t("cli.pool.empty", lang))
        return
    cols = [Col(t("cli.customer.col.customer", lang), "word", True),
            Col(t("cli.customer.f.name", lang)), Col(t("cli.customer.f.segment", lang)),
            Col(t("cli.customer.f.region", lang)), Col(t("cli.pool.col.from", lang), "word"),
            Col(t("cli.pool.col.since", lang), "word")]  # fmt: skip
    rows = [[m.customer_id, fmt.text(m.name), fmt.text(m.segment), fmt.text(m.region),
             fmt.text(m.from_owner), fmt.day(m.pooled_at)] for m in members]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang)


@pool_app.command("claim")
def claim_cmd(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="Customer id / 客户编号")],
    actor: Annotated[
        str | None,
        typer.Option(help="The claiming rep's owner id (default: the login name) / 认领人"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Claim a customer from the pool (at most [lifecycle] pool_claim_limit held).
    / 从公海认领客户。"""
    with open_workspace(ctx) as ws:
        change = ws.owners.claim(customer, owner_id=actor_name(actor))
    if as_json:
        echo_json(change.to_dict())
        return
    view.print_owner_change(change, state(ctx).lang)


@pool_app.command("report")
def report_cmd(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """What followed each return to the pool: ordered again, won back, lost.
    / 公海客户的后续：再次下单、挽回、流失。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        outcomes = ws.owners.pool_report(as_of=day)
    if as_json:
        echo_json({"as_of": day, "groups": [o.to_dict() for o in outcomes]})
        return
    cols = [Col(t("cli.pool.col.group", lang), "word", True),
            Col(t("cli.pool.col.returns", lang), "num"), Col(t("cli.pool.col.ordered", lang), "num"),
            Col(t("cli.pool.col.won_back", lang), "num"), Col(t("cli.pool.col.lost", lang), "num")]  # fmt: skip

    def cell(o: PoolOutcome, n: int) -> str:
        share = o.share(n)
        return fmt.count(n) if share is None else f"{fmt.count(n)} ({fmt.pct(share)})"

    rows = [[t(f"cli.pool.group.{o.group}", lang), fmt.count(o.returns), cell(o, o.ordered_again),
             cell(o, o.won_back), cell(o, o.lost)] for o in outcomes]  # fmt: skip
    fmt.print_table(cols, rows, title=t("cli.pool.report_title", lang, as_of=day.isoformat()),
                    lang=lang)  # fmt: skip
