"""The Typer application, global options and error handling.

Errors a user can cause are :class:`KeepwiseError`s: they are printed in the user's language,
without a traceback, and the command exits with status 2.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from keepwise._core.clock import parse_day
from keepwise._core.errors import KeepwiseError
from keepwise._core.i18n import Lang, lang_from_env, normalise, register, t
from keepwise.workspace import Workspace

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


@dataclass
class State:
    workspace_dir: Path
    lang: Lang


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
        Path,
        typer.Option("--workspace", "-w", help="Workspace folder.", envvar="KEEPWISE_WORKSPACE"),
    ] = Path("."),
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of messages: zh or en (default: from the locale)."),
    ] = None,
) -> None:
    ctx.obj = State(workspace, normalise(lang) if lang else lang_from_env())


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


@contextmanager
def open_workspace(ctx: typer.Context) -> Iterator[Workspace]:
    # How long to wait for another process that holds the embedded database.
    busy_timeout = float(os.environ.get("KEEPWISE_BUSY_TIMEOUT", "5"))
    ws = Workspace.open(state(ctx).workspace_dir, busy_timeout=busy_timeout)
    try:
        yield ws
    finally:
        ws.close()


def as_of_day(ctx: typer.Context, ws: Workspace, text: str | None) -> dt.date:
    """The ``--as-of`` date, by default the day after the workspace's data ends (today at the
    latest); a date past the data is used as given, with a note on stderr saying where the
    data ends."""
    chosen = ws.as_of(parse_day(text) if text else None)
    note = chosen.note(state(ctx).lang)
    if note:
        typer.echo(note, err=True)
    return chosen.day


def actor_name(actor: str | None) -> str:
    """Who does it: ``--actor``, else the login name."""
    if actor:
        return actor
    try:
        return getpass.getuser()
    except Exception:
        return "cli"


def echo_json(payload: Any) -> None:
    """Every ``--json`` output: UTF-8 text as is (Chinese stays readable), dates as ISO text."""
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def main(argv: list[str] | None = None) -> None:
    lang = lang_from_env()
    args = sys.argv[1:] if argv is None else argv
    if "--lang" in args[:-1]:
        lang = normalise(args[args.index("--lang") + 1])
    try:
        app(args=args, standalone_mode=False)
    except KeepwiseError as exc:
        typer.echo(t("cli.error", lang, message=exc.message(lang)), err=True)
        raise SystemExit(exc.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except SystemExit:
        raise
    except Exception as exc:
        import click

        if os.environ.get("KEEPWISE_DEBUG"):
            raise
        if isinstance(exc, click.ClickException):
            exc.show()
            raise SystemExit(exc.exit_code) from None
        typer.echo(t("cli.unexpected", lang, error=f"{type(exc).__name__}: {exc}"), err=True)
        raise SystemExit(1) from None


from keepwise.cli import alerts_cmd, commands, metrics_cmd, risk_cmd, runs_cmd, value_cmd  # noqa: E402,F401  (registers the commands)
