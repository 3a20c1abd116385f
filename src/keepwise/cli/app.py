"""The Typer application, global options and error handling.

Errors a user can cause are :class:`KeepwiseError`s: they are printed in the user's language,
without a traceback, and the command exits with status 2. So are usage mistakes (an unknown
command or option, a missing argument, a bad value): click's usage line and its suggestion,
our words around them in the user's language, exit status 2.

The global options ``--lang`` and ``-w/--workspace`` work before and after the command
(``keepwise summary --lang zh``). Start-up matters (every command pays it): nothing heavy is
imported here; each command imports what it uses.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from keepwise import __version__
from keepwise._core.clock import parse_day
from keepwise._core.errors import KeepwiseError
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import usage
from keepwise.cli.fmt import echo_json
from keepwise.cli.lang import resolve_lang
from keepwise.cli.usage import check_lang

if TYPE_CHECKING:
    from keepwise.workspace import Workspace

__all__ = [
    "State", "actor_name", "app", "as_of_day", "echo_json", "main", "open_workspace", "state",
]  # fmt: skip

register(
    {
        "cli.help": {
            "zh": "Keepwise 客户留存系统：流失指标、原因、风险、价值与挽留行动。",
            "en": "Keepwise customer retention: churn KPIs, reasons, risk, value and playbooks.",
        },
        "cli.error": {"zh": "错误：{message}", "en": "Error: {message}"},
        "cli.unexpected": {
            "zh": "内部错误（{error}）。数据未被修改；请带上此信息报告问题。",
            "en": "Internal error ({error}). Nothing was changed; please report it with this "
            "message.",
        },
    }
)

WORKSPACE_HELP = "Workspace folder (also after the command) / 工作区目录"
AS_USER_HELP = (
    "Run as this Keepwise user: their role, and for a rep only their own customers (default: "
    "the operator, who sees everything) / 以该用户身份运行"
)
LANG_HELP = (
    "Language: zh or en (also after the command; default: KEEPWISE_LANG, the workspace's "
    "language, then the locale) / 语言"
)


@dataclass
class State:
    """The global options. The language is resolved when asked for, because ``-w`` may still
    change after the root callback (``keepwise summary -w demo``)."""

    workspace_dir: Path
    explicit_lang: Lang | None = None
    #: ``--as-user``: run as this Keepwise user (their role and, for a rep, their customers).
    as_user: str | None = None
    #: Whether -w/--workspace (or KEEPWISE_WORKSPACE) named the folder: ``init`` and ``demo``
    #: then create the workspace there instead of in their own argument's default.
    workspace_given: bool = False

    def target_dir(self, argument: Path | None, default: Path | None) -> Path:
        """The folder a command that creates a workspace works on: its argument, else ``-w``,
        else ``default``; a usage error when the two name different folders or neither does."""
        from keepwise.cli.usage import LocalisedUsageError

        given = self.workspace_dir if self.workspace_given else None
        if argument is not None and given is not None and argument.resolve() != given.resolve():
            raise LocalisedUsageError("cli.usage.two_folders", argument=argument, option=given)
        folder = argument or given or default
        if folder is None:
            raise LocalisedUsageError("cli.usage.missing_argument", name="DIRECTORY")
        return folder

    @property
    def lang(self) -> Lang:
        return resolve_lang(self.explicit_lang, self.workspace_dir)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"keepwise {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="keepwise",
    help="Keepwise customer retention: churn KPIs, reasons, risk, value and playbooks. "
    "(Keepwise 客户留存系统：流失指标、原因、风险、价值与挽留行动。)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global(
    ctx: typer.Context,
    workspace: Annotated[
        Path, typer.Option("--workspace", "-w", help=WORKSPACE_HELP, envvar="KEEPWISE_WORKSPACE")
    ] = Path("."),
    lang: Annotated[str | None, typer.Option("--lang", help=LANG_HELP, callback=check_lang)] = None,
    as_user: Annotated[
        str | None, typer.Option("--as-user", help=AS_USER_HELP, envvar="KEEPWISE_USER")
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit / 版本", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    source = ctx.get_parameter_source("workspace")
    given = source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")
    # checked by check_lang
    ctx.obj = State(workspace, lang, as_user, given)  # type: ignore[arg-type]


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


@contextmanager
def open_workspace(ctx: typer.Context) -> Iterator[Workspace]:
    from keepwise.workspace import Workspace

    # How long to wait for another process that holds the embedded database.
    busy_timeout = float(os.environ.get("KEEPWISE_BUSY_TIMEOUT", "5"))
    ws = Workspace.open(state(ctx).workspace_dir, busy_timeout=busy_timeout)
    try:
        name = state(ctx).as_user
        yield ws if name is None else ws.as_user(ws.users.active(name).viewer())
    finally:
        ws.close()


def as_of_day(
    ctx: typer.Context, ws: Workspace, text: str | None, *, writing: bool = False
) -> dt.date:
    """The ``--as-of`` date, by default the day after the workspace's data ends (today at the
    latest, or tomorrow for reading a current workspace's own changes of today: see
    :meth:`Workspace.as_of`); a date past the data is used as given, with a note on stderr
    saying where the data ends. ``writing``: for commands that store results."""
    chosen = ws.as_of(parse_day(text) if text else None, writing=writing)
    note = chosen.note(state(ctx).lang)
    if note:
        typer.echo(note, err=True)
    return chosen.day


def actor_name(actor: str | None, ctx: typer.Context | None = None) -> str:
    """Who does it: ``--actor``, else the ``--as-user`` user, else the login name."""
    if actor:
        return actor
    if ctx is not None and state(ctx).as_user:
        return str(state(ctx).as_user)
    try:
        return getpass.getuser()
    except Exception:
        return "cli"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    command = usage.command_with_global_options(app)
    try:
        code = command.main(args=args, prog_name="keepwise", standalone_mode=False)
    except KeepwiseError as exc:
        lang = usage.error_lang(args)
        typer.echo(t("cli.error", lang, message=exc.message(lang)), err=True)
        raise SystemExit(exc.exit_code) from None
    except usage.UsageError as exc:
        usage.show(exc, usage.error_lang(args))
        raise SystemExit(2) from None
    except (typer.Abort, KeyboardInterrupt):
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except SystemExit:
        raise
    except Exception as exc:
        if os.environ.get("KEEPWISE_DEBUG"):
            raise
        if isinstance(exc, usage.ClickException):
            exc.show()  # type: ignore[attr-defined]
            raise SystemExit(exc.exit_code) from None  # type: ignore[attr-defined]
        error = f"{type(exc).__name__}: {exc}"
        typer.echo(t("cli.unexpected", usage.error_lang(args), error=error), err=True)
        raise SystemExit(1) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)


def _register_commands() -> Any:
    from keepwise.cli import (
        alerts_cmd,
        commands,
        customer_cmd,
        evaluate_cmd,
        metrics_cmd,
        notify_cmd,
        owner_cmd,
        playbooks_cmd,
        refresh_cmd,
        report_cmd,
        risk_cmd,
        runs_cmd,
        serve_cmd,
        survey_cmd,
        tasks_cmd,
        users_cmd,
        value_cmd,
    )

    return (alerts_cmd, commands, customer_cmd, evaluate_cmd, metrics_cmd, notify_cmd, owner_cmd,
            playbooks_cmd, refresh_cmd, report_cmd, risk_cmd, runs_cmd, serve_cmd, survey_cmd,
            tasks_cmd, users_cmd, value_cmd)  # fmt: skip


_register_commands()
