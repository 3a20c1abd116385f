"""``keepwise serve``: the REST API (and the web pages, when installed) with uvicorn.

On DuckDB the server holds the workspace's database file while it runs: a CLI command that
writes meanwhile waits a few seconds and then says the file is in use (work through the
server's API instead, or stop it). On PostgreSQL, the CLI and several server processes
(``--workers``) work side by side.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keepwise._core.errors import InputError
from keepwise._core.i18n import register, t
from keepwise.cli.app import app, state

if TYPE_CHECKING:
    from fastapi import FastAPI

register(
    {
        "cli.serve.start": {
            "zh": "Keepwise 正在提供工作区 {path}：http://{host}:{port}/ （API 文档：/api/docs；"
            "Ctrl+C 停止）",
            "en": "Keepwise serves the workspace {path} on http://{host}:{port}/ (API docs: "
            "/api/docs; Ctrl+C to stop)",
        },
        "cli.serve.no_users": {
            "zh": "还没有任何用户：先运行 keepwise -w {path} users add admin --role admin",
            "en": "There are no users yet: run keepwise -w {path} users add admin --role admin",
        },
        "cli.serve.duckdb_workers": {
            "zh": "DuckDB 工作区只能由一个服务器进程打开：--workers 需要 PostgreSQL",
            "en": "A DuckDB workspace is opened by one server process only: --workers needs "
            "PostgreSQL",
        },
    }
)

#: The workspace folder of the app the factory builds (each uvicorn worker builds its own).
ENV_DIR = "KEEPWISE_SERVE_DIR"


def build_app(workspace: Path) -> FastAPI:
    """The API, with the web pages when the ``keepwise.web`` package is there."""
    from keepwise.api import create_app

    application = create_app(workspace)
    try:
        from keepwise.web import install  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return application
    install(application)
    return application


def app_from_env() -> FastAPI:
    """uvicorn's factory for ``--workers``: the workspace from :data:`ENV_DIR`."""
    return build_app(Path(os.environ[ENV_DIR]))


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on / 监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port / 端口")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (PostgreSQL only) / 进程数")
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level / 日志级别")] = "info",
) -> None:
    """Serve the REST API (and the dashboard) of the workspace. / 启动 API 与看板服务。"""
    import uvicorn

    from keepwise.workspace import Workspace

    lang = state(ctx).lang
    path = state(ctx).workspace_dir.resolve()
    ws = Workspace.open(path)
    try:
        if workers > 1 and ws.backend == "duckdb":
            raise InputError("cli.serve.duckdb_workers")
        has_users = bool(ws.users.find())
    finally:
        ws.close()
    if not has_users:
        typer.echo(t("cli.serve.no_users", lang, path=path), err=True)
    typer.echo(t("cli.serve.start", lang, path=path, host=host, port=port), err=True)
    if workers > 1:
        os.environ[ENV_DIR] = str(path)
        uvicorn.run("keepwise.cli.serve_cmd:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level=log_level)  # fmt: skip
    else:
        uvicorn.run(build_app(path), host=host, port=port, log_level=log_level)
