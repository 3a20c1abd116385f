"""``keepwise report TYPE --out FILE``: the retention, void-effect and no-value reports as
HTML, XLSX or PDF (docs/reports.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keepwise._core.clock import parse_day
from keepwise._core.i18n import register, t
from keepwise.cli import fmt
from keepwise.cli.app import app, as_of_day, open_workspace, state

register(
    {
        "cli.report.done": {
            "zh": "已写入 {kind} 报告：{path}（{size}）",
            "en": "Wrote the {kind} report: {path} ({size})",
        },
    }
)

TYPE_HELP = "retention, void-effect or no-value / 报告类型：留存、作废效果、无价值客户"


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="TYPE", help=TYPE_HELP)],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Output file: .html, .xlsx or .pdf / 输出文件"),
    ],
    grain: Annotated[
        str, typer.Option(help="month or quarter (retention, void-effect) / 周期：月或季度")
    ] = "month",
    start: Annotated[
        str | None,
        typer.Option(help="First day of the range (default: 12 periods before --end) / 起始日期"),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            help="End of the range, exclusive (default: the start of the period "
            "containing --as-of) / 结束日期（不含）"
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date of the figures (default: the day after the data ends) / 截止日期"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Write a report as HTML, XLSX or PDF. / 生成报告（HTML、XLSX 或 PDF）。

    The report is in the language of --lang (zh or en). Its numbers equal `keepwise metrics
    --json` for the same periods. / 报告语言由 --lang 决定；报告中的数字与同一周期的
    keepwise metrics --json 相同。
    """
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        day = as_of_day(ctx, ws, as_of)
        path = ws.reports.write(kind, out, as_of=day, lang=lang, grain=grain,  # type: ignore[arg-type]
                                start=parse_day(start) if start else None,
                                end=parse_day(end) if end else None)  # fmt: skip
    size = path.stat().st_size
    if as_json:
        fmt.echo_json({"type": kind, "path": str(path), "bytes": size, "as_of": day,
                       "lang": lang})  # fmt: skip
        return
    typer.echo(t("cli.report.done", lang, kind=kind, path=str(path), size=_size(size)))


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"
