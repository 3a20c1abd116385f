"""``keepwise playbooks``: write the built-in playbooks, list them, run them (targets, hold-out,
tasks) and judge whether they worked (treated against hold-out)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from keepwise._core.clock import parse_day
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, as_of_day, echo_json, open_workspace, state
from keepwise.cli.fmt import Col

if TYPE_CHECKING:
    from keepwise.playbooks import Playbook, RunResult
    from keepwise.playbooks.evaluate import Evaluation

register(
    {
        "cli.pb.written": {
            "zh": "已写入 {n} 个内置行动方案到 {folder}，可编辑后运行 keepwise playbooks run",
            "en": "Wrote {n} built-in playbooks to {folder}; edit them, then run keepwise "
            "playbooks run",
        },
        "cli.pb.id": {"zh": "编号", "en": "id"},
        "cli.pb.name": {"zh": "名称", "en": "name"},
        "cli.pb.trigger": {"zh": "触发条件", "en": "trigger"},
        "cli.pb.actions": {"zh": "任务", "en": "tasks"},
        "cli.pb.measure": {"zh": "评估指标", "en": "measure"},
        "cli.pb.holdout": {"zh": "对照组", "en": "hold-out"},
        "cli.pb.enabled": {"zh": "启用", "en": "enabled"},
        "cli.pb.source": {"zh": "来源", "en": "source"},
        "cli.pb.builtin": {"zh": "内置", "en": "built-in"},
        "cli.pb.targets": {"zh": "目标客户", "en": "targets"},
        "cli.pb.held_out": {"zh": "对照组", "en": "held out"},
        "cli.pb.tasks": {"zh": "新任务", "en": "new tasks"},
        "cli.pb.already": {"zh": "已在冷却期", "en": "already targeted"},
        "cli.pb.run_done": {
            "zh": "截至 {as_of}：{targets} 个目标客户（对照组 {held}），新建任务 {tasks} 项",
            "en": "As of {as_of}: {targets} targets ({held} held out), {tasks} new tasks",
        },
        "cli.pb.closed": {
            "zh": "已关闭 {n} 项待办任务：客户已流失或作废（{detail}）",
            "en": "Closed {n} open tasks whose customer was churned or voided ({detail})",
        },
        "cli.pb.judged": {"zh": "已评估", "en": "judged"},
        "cli.pb.pending": {"zh": "未到期", "en": "pending"},
        "cli.pb.treated_rate": {"zh": "执行组", "en": "treated"},
        "cli.pb.holdout_rate": {"zh": "对照组", "en": "hold-out"},
        "cli.pb.diff": {"zh": "差异", "en": "difference"},
        "cli.pb.ci": {"zh": "95% 置信区间", "en": "95% CI"},
        "cli.pb.p": {"zh": "p 值", "en": "p"},
        "cli.pb.revenue": {"zh": "挽留收入", "en": "revenue retained"},
        "cli.pb.cost": {"zh": "成本", "en": "cost"},
        "cli.pb.verdict": {"zh": "结论", "en": "verdict"},
        "cli.pb.eval_title": {
            "zh": "行动方案效果（截至 {as_of}，目标客户之后 {days} 天）",
            "en": "Did the playbooks work (as of {as_of}, over {days} days after targeting)",
        },
        "cli.pb.method": {
            "zh": "置信区间：Newcombe 混合得分区间（基于 Wilson）；p 值：双比例 z 检验"
            "（期望频数 < 5 时用 Fisher 精确检验）",
            "en": "Interval: Newcombe's hybrid score interval (from Wilson's); p: two-proportion "
            "z-test (Fisher's exact test when an expected count is below 5)",
        },
        "cli.pb.none": {"zh": "没有行动方案", "en": "No playbooks"},
        "cli.pb.every_days": {"zh": "{n} 天", "en": "{n} days"},
        "cli.pb.verdict.worked": {"zh": "有效", "en": "worked"},
        "cli.pb.verdict.harmful": {"zh": "有害", "en": "harmful"},
        "cli.pb.verdict.no_effect": {"zh": "无效果", "en": "no effect"},
        "cli.pb.verdict.too_few": {"zh": "客户太少", "en": "too few to tell"},
        "cli.pb.verdict.no_holdout": {"zh": "无法判断", "en": "cannot tell yet"},
    }
)

playbooks_app = typer.Typer(
    help="Retention playbooks: targets, hold-out, tasks and measured uplift. "
    "(挽留行动方案：目标客户、对照组、任务与效果评估。)",
    no_args_is_help=True,
)
app.add_typer(playbooks_app, name="playbooks")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Day of the run (default: the day after the data ends) / 日期"),
]


@playbooks_app.command("init")
def init_cmd(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option(help="Overwrite existing files / 覆盖已有文件")] = False,
) -> None:
    """Write the built-in playbooks to playbooks/*.yaml for editing. / 写出内置行动方案以便编辑。"""
    with open_workspace(ctx) as ws:
        paths = ws.playbooks.init(force=force)
    typer.echo(t("cli.pb.written", state(ctx).lang, n=len(paths),
                 folder=str(paths[0].parent) if paths else ""))  # fmt: skip


@playbooks_app.command("list")
def list_cmd(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Show the playbooks in force (playbooks/*.yaml, or the built-ins) and check the files.
    / 查看生效的行动方案并检查文件。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        found = ws.playbooks.find()
    if as_json:
        echo_json([p.to_dict() | {"file": p.file or None} for p in found])
        return
    if not found:
        typer.echo(t("cli.pb.none", lang))
        return
    cols = [Col(t("cli.pb.id", lang), "word", True), Col(t("cli.pb.name", lang)),
            Col(t("cli.pb.trigger", lang), "word"), Col(t("cli.pb.actions", lang)),
            Col(t("cli.pb.measure", lang)), Col(t("cli.pb.holdout", lang), "num"),
            Col(t("cli.pb.enabled", lang)),
            Col(t("cli.pb.source", lang), "word")]  # fmt: skip
    rows = [[p.id, p.name(lang), _trigger(p), _actions(p, lang),
             _word("measure", p.measure, lang), fmt.pct(p.holdout, 0),
             "✓" if p.enabled else fmt.EMPTY, p.file or t("cli.pb.builtin", lang)]
            for p in found]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang)


def _word(group: str, key: str | None, lang: Lang) -> str:
    from keepwise.playbooks.catalogue import word

    return word(group, key, lang)


def _trigger(p: Playbook) -> str:
    parts = [f"{k}={','.join(v)}" for k, v in vars(p.trigger).items()
             if isinstance(v, tuple) and v and k != "holidays"]  # fmt: skip
    parts += [f"{k}={','.join(v)}" for k, v in p.filter.items()]
    return "\n".join(parts)


def _actions(p: Playbook, lang: Lang) -> str:
    return "\n".join(f"{_word('task', a.type, lang)} · {a.owner} · "
                     f"{t('cli.pb.every_days', lang, n=a.due_days)} · {fmt.amount(a.cost)}"
                     for a in p.actions)  # fmt: skip


@playbooks_app.command("run")
def run_cmd(
    ctx: typer.Context,
    as_of: AsOf = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only this playbook (repeatable) / 仅运行"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Replay: run on every --every days from this date to the as-of date "
            "/ 从该日起按间隔补跑"
        ),
    ] = None,
    every: Annotated[
        int, typer.Option(min=1, help="Days between replayed runs / 补跑间隔天数")
    ] = 7,
    with_alerts: Annotated[
        bool,
        typer.Option(
            "--with-alerts", help="Run the early-warning rules first, each day / 每天先运行预警规则"
        ),
    ] = False,
    actor: Annotated[
        str | None, typer.Option(help="Who runs it (default: the login name) / 操作人")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Run the playbooks: choose targets, hold out a share, create tasks (running again the
    same day adds nothing; a future date is refused). / 运行行动方案：选出目标客户、留出对照组、创建任务。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of, writing=True)
        who = actor_name(actor, ctx)
        if since:
            results = ws.playbooks.replay(since=parse_day(since), until=day, every=every,
                                          actor=who, ids=only, alerts=with_alerts)  # fmt: skip
        else:
            if with_alerts:
                ws.alerts.run(day)
            results = [ws.playbooks.run(day, actor=who, ids=only)]
    if as_json:
        echo_json([r.to_dict() for r in results])
        return
    for result in results:
        _print_run(result, lang, table=len(results) == 1)


def _print_run(result: RunResult, lang: Lang, *, table: bool) -> None:
    if table:
        cols = [Col(t("cli.pb.id", lang), "word", True), Col(t("cli.pb.targets", lang), "num"),
                Col(t("cli.pb.held_out", lang), "num"), Col(t("cli.pb.tasks", lang), "num"),
                Col(t("cli.pb.already", lang), "num")]  # fmt: skip
        rows = [[r.playbook_id, fmt.count(r.targets), fmt.count(r.held_out), fmt.count(r.tasks),
                 fmt.count(r.already_targeted)] for r in result.runs]  # fmt: skip
        fmt.print_table(cols, rows, lang=lang)
    typer.echo(t("cli.pb.run_done", lang, as_of=result.as_of.isoformat(),
                 targets=fmt.count(sum(r.targets for r in result.runs)),
                 held=fmt.count(sum(r.held_out for r in result.runs)),
                 tasks=fmt.count(sum(r.tasks for r in result.runs))))  # fmt: skip
    if result.closed_tasks:
        detail = fmt.join([f"{fmt.label('status', k, lang)} {v}"
                           for k, v in result.closed_tasks.items()], lang)  # fmt: skip
        typer.echo(t("cli.pb.closed", lang, n=sum(result.closed_tasks.values()), detail=detail))


@playbooks_app.command("evaluate")
def evaluate_cmd(
    ctx: typer.Context,
    playbook: Annotated[
        str | None, typer.Argument(help="Playbook id (default: all) / 行动方案编号")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Judge over this many days after targeting (default: each "
            "playbook's evaluate_days) / 评估天数",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Judge with the data before this date (default: the day "
            "after the data ends) / 截止日期",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Did it work: treated against hold-out, the difference with its 95% interval and
    p-value, revenue retained, cost, and a verdict. / 评估效果：执行组与对照组对比。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        found = ws.playbooks.evaluate(as_of=day, ids=[playbook] if playbook else None, days=days)
    if as_json:
        echo_json({"as_of": day, "evaluations": [e.to_dict() for e in found]})
        return
    _print_evaluations(found, lang, day.isoformat(), days)


def _print_evaluations(found: list[Evaluation], lang: Lang, as_of: str, days: int | None) -> None:
    window = str(days) if days else "/".join(sorted({str(e.days) for e in found})) or "—"
    cols = [Col(t("cli.pb.id", lang), "word", True), Col(t("cli.pb.measure", lang)),
            Col(t("cli.pb.judged", lang), "num"), Col(t("cli.pb.pending", lang), "num"),
            Col(t("cli.pb.treated_rate", lang), "num"), Col(t("cli.pb.holdout_rate", lang), "num"),
            Col(t("cli.pb.diff", lang), "num"), Col(t("cli.pb.ci", lang), "num"),
            Col(t("cli.pb.p", lang), "num"), Col(t("cli.pb.revenue", lang), "num"),
            Col(t("cli.pb.cost", lang), "num"), Col(t("cli.pb.verdict", lang))]  # fmt: skip
    rows = []
    for e in found:
        u = e.uplift
        ci = fmt.EMPTY if u.ci_low is None else f"{_pts(u.ci_low)} … {_pts(u.ci_high)}"
        rows.append([
            e.playbook_id, _word("measure", e.measure, lang), fmt.count(u.n1 + u.n0),
            fmt.count(e.pending), f"{fmt.pct(u.rate1)} ({fmt.count(u.n1)})",
            f"{fmt.pct(u.rate0)} ({fmt.count(u.n0)})", _pts(u.difference), ci,
            fmt.score(u.p_value), fmt.amount(e.revenue_retained), fmt.amount(e.cost),
            t(f"cli.pb.verdict.{u.verdict}", lang),
        ])  # fmt: skip
    fmt.print_table(cols, rows, lang=lang,
                    title=t("cli.pb.eval_title", lang, as_of=as_of, days=window))  # fmt: skip
    for e in found:
        typer.echo(f"{e.playbook_id}: {e.verdict(lang)}")
    typer.echo(t("cli.pb.method", lang))


def _pts(x: float | None) -> str:
    return fmt.EMPTY if x is None or fmt.is_empty(x) else f"{x * 100:+.1f}"
