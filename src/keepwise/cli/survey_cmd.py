"""``keepwise survey send``: survey links for customers (docs/reports.md, "Surveys")."""

from __future__ import annotations

from typing import Annotated

import typer

from keepwise._core.i18n import register, t
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, open_workspace, state

register(
    {
        "cli.survey.link": {
            "zh": "{customer}：{url}（{expires} 前有效，只能提交一次）",
            "en": "{customer}: {url} (valid until {expires}, can be answered once)",
        },
    }
)

survey_app = typer.Typer(
    help="Satisfaction surveys with single-use links. (满意度问卷：一次性链接。)",
    no_args_is_help=True,
)
app.add_typer(survey_app, name="survey")


@survey_app.command("send")
def send_cmd(
    ctx: typer.Context,
    customers: Annotated[list[str], typer.Argument(help="Customer ids / 客户编号")],
    days: Annotated[
        int | None,
        typer.Option(
            min=1, max=365, help="Days the link is valid (default: [surveys] days or 14) / 有效天数"
        ),
    ] = None,
    survey_lang: Annotated[
        str | None,
        typer.Option(
            "--survey-lang",
            help="Language of the survey page: zh or en (default: the workspace's) / 问卷语言",
        ),
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Who sends it / 操作人")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Make a unique, expiring, single-use survey link for each customer (to send them). /
    为每个客户生成唯一、有时限、只能提交一次的问卷链接。"""
    from keepwise.cli.usage import check_lang

    lang = state(ctx).lang
    page_lang = check_lang(survey_lang)
    out = []
    with open_workspace(ctx) as ws:
        for customer in customers:
            link = ws.surveys.create(customer, lang=page_lang, days=days, actor=actor_name(actor))
            out.append({**link.to_dict(), "url": ws.surveys.url(link.token)})
    if as_json:
        fmt.echo_json(out)
        return
    for item in out:
        typer.echo(t("cli.survey.link", lang, customer=item["customer_id"], url=item["url"],
                     expires=item["expires_at"][:16].replace("T", " ")))  # fmt: skip
