"""``keepwise tasks``: the tasks playbooks create — list them, record what came of them, skip
them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from keepwise._core.clock import parse_day
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, as_of_day, echo_json, open_workspace, state
from keepwise.cli.fmt import Col

if TYPE_CHECKING:
    from keepwise.playbooks.tasks import Task

register(
    {
        "cli.tasks.customer": {"zh": "客户", "en": "customer"},
        "cli.tasks.playbook": {"zh": "行动方案", "en": "playbook"},
        "cli.tasks.type": {"zh": "任务", "en": "task"},
        "cli.tasks.owner": {"zh": "负责人", "en": "owner"},
        "cli.tasks.due": {"zh": "截止", "en": "due"},
        "cli.tasks.status": {"zh": "状态", "en": "status"},
        "cli.tasks.outcome": {"zh": "结果", "en": "outcome"},
        "cli.tasks.message": {"zh": "说明", "en": "message"},
        "cli.tasks.none": {"zh": "没有符合条件的任务", "en": "No tasks match"},
        "cli.tasks.moved": {
            "zh": "任务 {task_id} 现为：{status}{outcome}",
            "en": "Task {task_id} is now {status}{outcome}",
        },
    }
)

tasks_app = typer.Typer(
    help="Tasks from playbooks: list them, record outcomes, skip them. "
    "(行动方案任务：查看、记录结果、跳过。)",
    no_args_is_help=True,
)
app.add_typer(tasks_app, name="tasks")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
Actor = Annotated[str | None, typer.Option(help="Who does it (default: the login name) / 操作人")]
Note = Annotated[str | None, typer.Option(help="Note / 备注")]
On = Annotated[
    str | None, typer.Option("--on", help="The day it happened (default: today) / 发生日期")
]
TABLE_LIMIT = 50


@tasks_app.command("list")
def list_cmd(
    ctx: typer.Context,
    owner: Annotated[str | None, typer.Option(help="Owner id / 负责人")] = None,
    status: Annotated[
        str | None, typer.Option(help="open, overdue, done, skipped or closed / 状态")
    ] = None,
    playbook: Annotated[str | None, typer.Option(help="Playbook id / 行动方案")] = None,
    customer: Annotated[str | None, typer.Option(help="Customer id / 客户编号")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Overdue means due before this date (default: the day after the data ends) / 日期",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1, help="At most this many (default: 50 in the table, all with --json) / 最多条数"
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List tasks, the earliest due first. / 查看任务（按截止日期）。"""
    lang = state(ctx).lang
    shown = limit or (None if as_json else TABLE_LIMIT)
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        query = {"as_of": day, "owner": owner, "status": status, "playbook": playbook,
                 "customer": customer}  # fmt: skip
        found = ws.tasks.find(**query, limit=shown + 1 if shown else None)  # type: ignore[arg-type]
        hidden = 0
        if not as_json and shown is not None and len(found) > shown:
            hidden = len(ws.tasks.find(**query)) - shown  # type: ignore[arg-type]
        found = found[:shown] if shown else found
    if as_json:
        echo_json([x.to_dict() for x in found])
        return
    if not found:
        typer.echo(t("cli.tasks.none", lang))
        return
    _print_tasks(found, lang, hidden)


def _print_tasks(found: list[Task], lang: Lang, hidden: int) -> None:
    from keepwise.playbooks.catalogue import word

    cols = [Col("#", "num", True), Col(t("cli.tasks.customer", lang), "word", True),
            Col(t("cli.tasks.playbook", lang), "word"), Col(t("cli.tasks.type", lang)),
            Col(t("cli.tasks.owner", lang), "word"), Col(t("cli.tasks.due", lang), "word"),
            Col(t("cli.tasks.status", lang)), Col(t("cli.tasks.outcome", lang)),
            Col(t("cli.tasks.message", lang))]  # fmt: skip
    rows = [[str(x.id), x.customer_id, fmt.text(x.playbook_id), word("task", x.type, lang),
             fmt.text(x.owner_id), fmt.day(x.due), word("task_status", x.status, lang),
             _outcome(x, lang), fmt.text(x.message(lang))] for x in found]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang, hidden=hidden)


def _outcome(x: Task, lang: Lang) -> str:
    from keepwise.playbooks.catalogue import word

    if x.closed_reason:
        return fmt.label("status", x.closed_reason, lang)
    if not x.outcome:
        return fmt.EMPTY
    return word("outcome", x.outcome, lang) + (f" ({x.reason})" if x.reason else "")


@tasks_app.command("done")
def done_cmd(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="Task id / 任务编号")],
    outcome: Annotated[
        str,
        typer.Option(
            help="reached, not_reached, offer_accepted, feedback, won_back or lost / 结果"
        ),
    ],
    reason: Annotated[
        str | None, typer.Option(help="Reason code (needed with feedback) / 原因代码")
    ] = None,
    note: Note = None,
    on: On = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Record the outcome of a task (also recorded as a follow-up). / 记录任务结果（同时记为一次跟进）。"""
    with open_workspace(ctx) as ws:
        task = ws.tasks.done(task_id, outcome=outcome, reason=reason, note=note,
                             on=parse_day(on) if on else None, actor=actor_name(actor, ctx))  # fmt: skip
    _print_moved(task, state(ctx).lang, as_json)


@tasks_app.command("skip")
def skip_cmd(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="Task id / 任务编号")],
    note: Note = None,
    on: On = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Skip a task (no follow-up is recorded). / 跳过任务。"""
    with open_workspace(ctx) as ws:
        task = ws.tasks.skip(task_id, note=note, on=parse_day(on) if on else None,
                             actor=actor_name(actor, ctx))  # fmt: skip
    _print_moved(task, state(ctx).lang, as_json)


def _print_moved(task: Task, lang: Lang, as_json: bool) -> None:
    from keepwise.playbooks.catalogue import word

    if as_json:
        echo_json(task.to_dict())
        return
    outcome = f" · {word('outcome', task.outcome, lang)}" if task.outcome else ""
    typer.echo(t("cli.tasks.moved", lang, task_id=task.id,
                 status=word("task_status", task.status, lang), outcome=outcome))  # fmt: skip
