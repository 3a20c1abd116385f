"""``keepwise users``: the people who log in to the server — add, list, disable, API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from keepwise._core.errors import InputError
from keepwise._core.i18n import register, t
from keepwise.cli import fmt
from keepwise.cli.app import actor_name, app, echo_json, open_workspace, state
from keepwise.cli.fmt import Col

register(
    {
        "cli.users.none": {
            "zh": "还没有用户：keepwise users add NAME --role admin --password-stdin",
            "en": "No users yet: keepwise users add NAME --role admin --password-stdin",
        },
        "cli.users.added": {
            "zh": "已添加用户 {name}（角色 {role}）",
            "en": "Added the user {name} (role {role})",
        },
        "cli.users.disabled": {"zh": "已停用用户 {name}", "en": "Disabled the user {name}"},
        "cli.users.token": {
            "zh": "用户 {name} 的新 API 令牌（只显示这一次，请妥善保存）：",
            "en": "A new API token for {name} (shown this once; keep it safe):",
        },
        "cli.users.revoked": {
            "zh": "已撤销 {name} 的 {n} 个令牌",
            "en": "Revoked {n} tokens of {name}",
        },
        "cli.users.password_prompt": {"zh": "密码", "en": "Password"},
        "cli.users.no_password": {
            "zh": "标准输入中没有密码（--password-stdin）",
            "en": "No password on standard input (--password-stdin)",
        },
        "cli.users.col.user": {"zh": "用户", "en": "user"},
        "cli.users.col.role": {"zh": "角色", "en": "role"},
        "cli.users.col.owner": {"zh": "负责人编号", "en": "owner"},
        "cli.users.col.lang": {"zh": "语言", "en": "language"},
        "cli.users.col.active": {"zh": "启用", "en": "active"},
        "cli.users.col.created": {"zh": "创建时间", "en": "created"},
    }
)

users_app = typer.Typer(
    help="Users of the server and their API tokens. (服务器用户与 API 令牌。)",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

Actor = Annotated[str | None, typer.Option(help="Who does it (default: the login name) / 操作人")]


def _read_password(from_stdin: bool, lang: str) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InputError("cli.users.no_password")
        return line
    return str(typer.prompt(t("cli.users.password_prompt", lang), hide_input=True,
                            confirmation_prompt=True))  # fmt: skip


@users_app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (to log in) / 用户名")],
    role: Annotated[
        str,
        typer.Option(
            help="admin (settings, users), manager (every customer) or rep (own customers) / 角色"
        ),
    ] = "rep",
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="The user's owner id in the imported data; needed for a rep / 负责人编号",
        ),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from standard input "
            "(else it is asked for) / 从标准输入读取密码",
        ),
    ] = False,
    display_name: Annotated[str | None, typer.Option(help="Name shown / 显示名")] = None,
    user_lang: Annotated[
        str, typer.Option("--user-lang", help="The user's language: zh or en / 用户语言")
    ] = "zh",
    actor: Actor = None,
) -> None:
    """Add a user who can log in. / 添加用户。"""
    lang = state(ctx).lang
    password = _read_password(password_stdin, lang)
    with open_workspace(ctx) as ws:
        user = ws.users.add(name, role=role, owner_id=owner, password=password,
                            display_name=display_name, lang=user_lang,
                            actor=actor_name(actor, ctx))  # fmt: skip
    typer.echo(t("cli.users.added", lang, name=user.username, role=user.role))


@users_app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """List the users. / 列出用户。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        users = ws.users.find()
    if as_json:
        echo_json([u.to_dict() for u in users])
        return
    if not users:
        typer.echo(t("cli.users.none", lang))
        return
    yes, no = t("cli.metrics.yes", lang), t("cli.metrics.no", lang)
    cols = [Col(t("cli.users.col.user", lang), "word", True)]
    cols += [Col(t(f"cli.users.col.{k}", lang), "word")
             for k in ("role", "owner", "lang", "active", "created")]  # fmt: skip
    rows = [[u.username, t(f"role.{u.role}", lang), fmt.text(u.owner_id), u.lang, yes if u.active else no,
             fmt.day(u.created_at)] for u in users]  # fmt: skip
    fmt.print_table(cols, rows, lang=lang)


@users_app.command("disable")
def disable_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name / 用户名")],
    actor: Actor = None,
) -> None:
    """Disable a user: no more logins; sessions and tokens stop working. / 停用用户。"""
    with open_workspace(ctx) as ws:
        ws.users.disable(name, actor=actor_name(actor, ctx))
    typer.echo(t("cli.users.disabled", state(ctx).lang, name=name))


@users_app.command("token")
def token_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name / 用户名")],
    label: Annotated[str | None, typer.Option(help="What the token is for / 用途")] = None,
    actor: Actor = None,
) -> None:
    """Create an API token for a user and print it once (only its hash is stored).
    / 创建 API 令牌（只显示一次）。"""
    with open_workspace(ctx) as ws:
        token = ws.users.create_token(name, label=label, actor=actor_name(actor, ctx))
    typer.echo(t("cli.users.token", state(ctx).lang, name=name), err=True)
    typer.echo(token)


@users_app.command("revoke")
def revoke_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name / 用户名")],
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="The token's id (from users tokens; default: every token of the user) / 令牌编号",
        ),
    ] = None,
    actor: Actor = None,
) -> None:
    """Revoke a user's API tokens (one, or all). / 撤销 API 令牌。"""
    with open_workspace(ctx) as ws:
        count = ws.users.revoke_token(name, token, actor=actor_name(actor, ctx))
    typer.echo(t("cli.users.revoked", state(ctx).lang, name=name, n=count))


@users_app.command("tokens")
def tokens_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name / 用户名")],
) -> None:
    """A user's API tokens (ids, labels, last use; never the tokens). / 令牌列表。"""
    with open_workspace(ctx) as ws:
        echo_json(ws.users.tokens(name))
