"""The command line in the test's process, as the console script calls it (``main``), for the
tests of every area: exit code, standard output and standard error."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest

from keepwise.cli import main


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``keepwise ARGS…``: (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def run(ws: Any, capsys: pytest.CaptureFixture[str], *args: str,
        lang: str = "en") -> tuple[int, str, str]:  # fmt: skip
    """``keepwise --lang LANG -w WS ARGS…`` on a workspace (closed first: the command opens
    it itself)."""
    ws.close()
    return cli(capsys, "--lang", lang, "-w", str(ws.path), *args)


def run_cli(*args: str) -> tuple[int, str, str]:
    """``keepwise ARGS…`` without pytest's capsys (a module fixture has none): (exit code,
    stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()
