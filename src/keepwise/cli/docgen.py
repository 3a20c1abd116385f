"""The CLI reference (docs/cli.md) generated from the commands' own ``--help`` (datasette style);
a test fails when the committed file drifts from the code."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from keepwise.cli.app import app

HEADER = """# CLI reference

Generated from `keepwise … --help` by `python -m keepwise.cli.docgen > docs/cli.md`;
`tests/test_cli.py` fails when this file and the code disagree.
"""


def _paths(command: Any, ctx: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    if hasattr(command, "list_commands"):  # typer's groups are not click.Group instances
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
                found += _paths(sub, sub_ctx, [*path, name])
    return found


def _help(args: list[str]) -> str:
    # A fixed width and no colour make the rendering independent of the terminal.
    env = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "KEEPWISE_LANG": "en"}
    result = CliRunner().invoke(app, [*args, "--help"], env=env, color=False)
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def render() -> str:
    root = typer.main.get_command(app)
    sections = [
        f"## `{' '.join(['keepwise', *path])}`\n\n```\n{_help(path)}\n```\n"
        for path in _paths(root, root.context_class(root, info_name="keepwise"), [])
    ]
    return HEADER + "\n" + "\n".join(sections)


if __name__ == "__main__":
    print(render(), end="")
