"""Usage mistakes: click's usage line and suggestion with our words in the user's language, and
the global options (``--lang``, ``-w``) accepted after the command too."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from keepwise._core.i18n import Lang, register, t
from keepwise.cli.lang import parse_lang, resolve_lang

register(
    {
        "cli.usage.try": {
            "zh": "运行 '{command} --help' 查看帮助。",
            "en": "Try '{command} --help' for help.",
        },
        "cli.usage.no_such_command": {
            "zh": "没有命令 {name}。", "en": "No such command {name}."},
        "cli.usage.did_you_mean": {
            "zh": "您是不是要用 {names}？", "en": "Did you mean {names}?"},
        "cli.usage.no_such_option": {"zh": "没有选项 {name}", "en": "No such option: {name}"},
        "cli.usage.possible": {"zh": "（可用：{names}）", "en": " (Possible options: {names})"},
        "cli.usage.missing_command": {"zh": "缺少命令。", "en": "Missing command."},
        "cli.usage.missing_argument": {"zh": "缺少参数 {name}。", "en": "Missing argument {name}."},
        "cli.usage.two_folders": {
            "zh": "两个不同的目录：参数 {argument} 与 -w {option}；只给一个",
            "en": "Two different folders: the argument {argument} and -w {option}; give one",
        },
        "cli.usage.missing_option": {"zh": "缺少选项 {name}。", "en": "Missing option {name}."},
        "cli.usage.invalid": {
            "zh": "{name} 的值无效：{detail}", "en": "Invalid value for {name}: {detail}"},
        "cli.usage.extra": {
            "zh": "多余的参数：{args}", "en": "Got unexpected extra argument(s) ({args})"},
        "cli.usage.needs_value": {
            "zh": "选项 {name} 需要一个值。", "en": "Option {name} requires an argument."},
        "cli.usage.at_least": {"zh": "应大于或等于 {n}", "en": "must be at least {n}"},
        "cli.usage.at_most": {"zh": "应小于或等于 {n}", "en": "must be at most {n}"},
        "cli.usage.integer": {"zh": "应为整数", "en": "must be a whole number"},
        "cli.usage.number": {"zh": "应为数字", "en": "must be a number"},
        "cli.bad_lang": {
            "zh": "不支持的语言 {value!r}：请用 zh 或 en",
            "en": "unsupported language {value!r}: use zh or en",
        },
    }
)  # fmt: skip


def _click_class(name: str) -> type[Exception]:
    """click's exception classes, whether typer ships its own click (>= 0.20) or not."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


UsageError = _click_class("UsageError")
ClickException = _click_class("ClickException")


class LocalisedBadParameter(typer.BadParameter):
    """A bad value whose explanation is one of our messages, shown in the user's language."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(t(key, "en", **params))
        self.key, self.params = key, params


class LocalisedUsageError(UsageError):  # type: ignore[misc,valid-type]
    """A usage mistake whose explanation is one of our messages (exit 2, usage line shown)."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(t(key, "en", **params))
        self.key, self.params = key, params


def check_lang(value: str | None) -> Lang | None:
    """The ``--lang`` callback: zh or en, or a usage error (exit 2) naming the choices."""
    if value is None:
        return None
    lang = parse_lang(value)
    if lang is None:
        raise LocalisedBadParameter("cli.bad_lang", value=value)
    return lang


# --- the global options after the command -----------------------------------------------------


def _late_lang(ctx: typer.Context, value: str | None) -> None:
    if value is not None:
        ctx.find_root().obj.explicit_lang = check_lang(value)


def _late_workspace(ctx: typer.Context, value: Path | None) -> None:
    if value is not None:
        ctx.find_root().obj.workspace_dir = value
        ctx.find_root().obj.workspace_given = True


def _late_user(ctx: typer.Context, value: str | None) -> None:
    if value is not None:
        ctx.find_root().obj.as_user = value


def _global_params() -> list[Any]:
    """``--lang``, ``-w`` and ``--as-user`` as hidden options of every command (typer builds
    them)."""
    carrier = typer.Typer()

    @carrier.command()
    def _carrier(
        lang: Annotated[str | None, typer.Option("--lang", hidden=True, expose_value=False,
                                                 callback=_late_lang)] = None,
        workspace: Annotated[Path | None, typer.Option("--workspace", "-w", hidden=True,
                                                       expose_value=False,
                                                       callback=_late_workspace)] = None,
        as_user: Annotated[str | None, typer.Option("--as-user", hidden=True, expose_value=False,
                                                    callback=_late_user)] = None,
    ) -> None:  # fmt: skip
        """Never run: only its options are used."""

    return list(typer.main.get_command(carrier).params)


def command_with_global_options(app: typer.Typer) -> Any:
    """The click command of ``app`` whose every sub-command also takes the global options."""
    root = typer.main.get_command(app)
    extra = _global_params()
    pending = list(getattr(root, "commands", {}).values())
    while pending:
        command = pending.pop()
        command.params.extend(extra)
        pending.extend(getattr(command, "commands", {}).values())
    return root


# --- showing usage errors ----------------------------------------------------------------------


def _option_value(args: list[str], *names: str) -> str | None:
    """The last value given to one of ``names`` (``--x v``, ``--x=v``), before a ``--``."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        for name in names:
            if arg == name and i + 1 < len(args):
                found = args[i + 1]
            elif arg.startswith(name + "=") and name.startswith("--"):
                found = arg.split("=", 1)[1]
    return found


def error_lang(args: list[str]) -> Lang:
    """The language of an error, from the arguments as given (the command may not have been
    parsed, or may have failed while parsing)."""
    lang = _option_value(args, "--lang")
    workspace = _option_value(args, "-w", "--workspace") or os.environ.get("KEEPWISE_WORKSPACE")
    return resolve_lang(parse_lang(lang) if lang else None, Path(workspace or "."))


def show(exc: Exception, lang: Lang) -> None:
    """Print a usage error as click does (usage line, help hint, message), in ``lang``."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        text = exc.format_message()  # type: ignore[attr-defined]  # typer has printed it already
        if text.strip():
            typer.echo(text, err=True)
        return
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        if ctx.command.get_help_option(ctx) is not None:
            typer.echo(t("cli.usage.try", lang, command=ctx.command_path), err=True)
    try:
        text = message(exc, lang)
    except Exception:  # a click we do not know: its own English words rather than none
        text = str(exc.format_message())  # type: ignore[attr-defined]
    typer.echo(t("cli.error", lang, message=text), err=True)


_NO_COMMAND = re.compile(r"No such command (.+?)\.(?: Did you mean (.+)\?)?$")
_EXTRA = re.compile(r"Got unexpected extra arguments? \((.*)\)$")
_NEEDS_VALUE = re.compile(r"Option (\S+) requires an argument\.?$")
_DETAILS = [
    (re.compile(r"Input should be greater than or equal to (\S+)"), "cli.usage.at_least"),
    (re.compile(r"Input should be less than or equal to (\S+)"), "cli.usage.at_most"),
    (re.compile(r"Input should be a valid integer.*"), "cli.usage.integer"),
    (re.compile(r"Input should be a valid number.*"), "cli.usage.number"),
]


def message(exc: Exception, lang: Lang) -> str:
    """click's message of ``exc``, with its words translated where we know them."""
    kind = type(exc).__name__
    text = str(getattr(exc, "message", "") or "")
    if isinstance(exc, LocalisedUsageError):
        return t(exc.key, lang, **exc.params)
    if isinstance(exc, LocalisedBadParameter):
        return t("cli.usage.invalid", lang, name=_hint(exc), detail=t(exc.key, lang, **exc.params))
    if kind == "NoSuchOption":
        names = sorted(getattr(exc, "possibilities", None) or [])
        out = t("cli.usage.no_such_option", lang, name=getattr(exc, "option_name", ""))
        return out + (t("cli.usage.possible", lang, names=", ".join(names)) if names else "")
    if kind == "MissingParameter":
        key = "cli.usage.missing_option" if _param_type(exc) == "option" else (
            "cli.usage.missing_argument")  # fmt: skip
        return t(key, lang, name=_hint(exc))
    if kind == "BadParameter":
        return t("cli.usage.invalid", lang, name=_hint(exc), detail=_detail(text, lang))
    if text == "Missing command.":
        return t("cli.usage.missing_command", lang)
    if match := _NO_COMMAND.match(text):
        out = t("cli.usage.no_such_command", lang, name=match.group(1))
        return out + (" " + t("cli.usage.did_you_mean", lang, names=match.group(2))
                      if match.group(2) else "")  # fmt: skip
    if match := _EXTRA.match(text):
        return t("cli.usage.extra", lang, args=match.group(1))
    if match := _NEEDS_VALUE.match(text):
        return t("cli.usage.needs_value", lang, name=match.group(1))
    return str(exc.format_message())  # type: ignore[attr-defined]


def _hint(exc: Any) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    if exc.param is not None:
        try:
            return str(exc.param.get_error_hint())  # typer's own click
        except TypeError:
            return str(exc.param.get_error_hint(exc.ctx))  # click
    return ""


def _param_type(exc: Any) -> str:
    if exc.param_type:
        return str(exc.param_type)
    return str(getattr(exc.param, "param_type_name", "argument"))


def _detail(text: str, lang: Lang) -> str:
    for pattern, key in _DETAILS:
        if match := pattern.fullmatch(text):
            return t(key, lang, n=match.group(1)) if match.groups() else t(key, lang)
    return text
