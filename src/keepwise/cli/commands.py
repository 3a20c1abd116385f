"""Workspace commands: init, status, import, demo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from keepwise._core.clock import parse_day, today
from keepwise._core.i18n import register, t
from keepwise.cli.app import app, as_of_day, echo_json, open_workspace, state
from keepwise.ingest import KINDS, ImportResult
from keepwise.workspace import Workspace

if TYPE_CHECKING:
    from keepwise.metrics.headline import Headline

register(
    {
        "cli.init.done": {
            "zh": "已创建工作区 {path}（数据库：{backend}）",
            "en": "Created the workspace {path} (database: {backend})",
        },
        "cli.status.table": {"zh": "表", "en": "table"},
        "cli.status.rows": {"zh": "行数", "en": "rows"},
        "cli.status.imports": {"zh": "最近的导入", "en": "Recent imports"},
        "cli.import.summary": {
            "zh": "{kind}：读取 {read} 行，导入 {loaded} 行（新增 {inserted}，更新 {updated}），"
            "拒绝 {rejected} 行",
            "en": "{kind}: read {read} rows, loaded {loaded} ({inserted} new, {updated} updated), "
            "rejected {rejected}",
        },
        "cli.import.rejects": {
            "zh": "被拒绝的行及原因见 {path}",
            "en": "Rejected rows and reasons are in {path}",
        },
        "cli.import.ignored": {
            "zh": "未使用的列：{columns}",
            "en": "Columns not used: {columns}",
        },
        "cli.demo.loading": {"zh": "正在导入 {kind} …", "en": "Importing {kind} …"},
        "cli.demo.done": {
            "zh": "演示工作区 {path} 已就绪：{customers} 个客户，{orders} 个订单",
            "en": "The demo workspace {path} is ready: {customers} customers, {orders} orders",
        },
        "cli.headline": {
            "zh": "截至 {as_of}：客户 {customers:,} 个，其中在保 {kept:,} 个（活跃 {active:,}，"
            "有流失风险 {at_risk:,}，已挽回 {won_back:,}），流失 {churned:,} 个，作废 {voided:,} 个。\n"
            "近12个月（{start} 起）：订单 {orders:,} 笔，收入 {revenue:,.0f}；"
            "期初客户 {at_start:,} 个，其中流失 {lost_churned:,} 个、作废 {lost_voided:,} 个，"
            "流失率 {churn}",
            "en": "As of {as_of}: {customers:,} customers, {kept:,} kept ({active:,} active, "
            "{at_risk:,} at risk, {won_back:,} won back), {churned:,} churned, {voided:,} voided.\n"
            "Last 12 months (from {start}): {orders:,} orders, revenue {revenue:,.0f}; "
            "of the {at_start:,} customers at the start, {lost_churned:,} churned and "
            "{lost_voided:,} were voided: churn rate {churn}",
        },
        "cli.progress.read": {"zh": "读取", "en": "Reading"},
        "cli.progress.validate": {"zh": "校验", "en": "Validating"},
        "cli.progress.load": {"zh": "写入", "en": "Loading"},
    }
)


@app.command("init")
def init_cmd(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder of the new workspace / 新工作区目录")],
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL, e.g. postgresql://user:pw@host/db "
            "(default: embedded DuckDB) / 数据库地址"
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Workspace name / 工作区名称")] = None,
) -> None:
    """Create a workspace: keepwise.toml and the database. / 创建工作区。"""
    lang = state(ctx).lang
    ws = Workspace.init(directory, db_url=db, name=name, lang=lang)
    try:
        typer.echo(t("cli.init.done", lang, path=str(directory), backend=ws.backend))
    finally:
        ws.close()


@app.command("status")
def status_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Table counts and the last imports. / 各表行数与最近的导入。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        counts = ws.table_counts()
        imports = ws.recent_imports()
    if as_json:
        payload = {
            "tables": {c.table: c.rows for c in counts},
            "imports": imports,
        }
        echo_json(payload)
        return
    console = Console()
    table = Table(t("cli.status.table", lang), t("cli.status.rows", lang))
    for c in counts:
        table.add_row(c.table, f"{c.rows:,}")
    console.print(table)
    if imports:
        recent = Table("#", "kind", "file", "read", "loaded", "rejected", "finished",
                       title=t("cli.status.imports", lang))  # fmt: skip
        for b in imports:
            recent.add_row(str(b["id"]), b["kind"], b["file_name"], str(b["rows_read"]),
                           str(b["rows_loaded"]), str(b["rows_rejected"]),
                           str(b["finished_at"])[:19])  # fmt: skip
        console.print(recent)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(KINDS)}")],
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or Parquet file / 文件")],
    mapping: Annotated[
        Path | None, typer.Option(help="Column mapping file (YAML/TOML) / 列映射文件")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="CSV encoding, e.g. gbk (default: detected) / 编码")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (default: detected) / 分隔符")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print counts as JSON / 输出 JSON")
    ] = False,
) -> None:
    """Import a CRM export into the workspace. / 导入 CRM 导出文件。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws, _progress(enabled=not as_json) as report:
        result = ws.import_file(
            kind, file, today=today(), mapping=mapping, encoding=encoding,
            delimiter=delimiter, lang=lang, progress=report,
        )  # fmt: skip
    _print_import(result, as_json, lang)


def _print_import(result: ImportResult, as_json: bool, lang: str) -> None:
    if as_json:
        echo_json(result.to_dict())
        return
    typer.echo(t("cli.import.summary", lang, kind=result.kind, read=result.rows_read,
                 loaded=result.rows_loaded, inserted=result.rows_inserted,
                 updated=result.rows_updated, rejected=result.rows_rejected))  # fmt: skip
    if result.rejects_file:
        typer.echo(t("cli.import.rejects", lang, path=result.rejects_file))
    if result.ignored_columns:
        typer.echo(t("cli.import.ignored", lang, columns=", ".join(result.ignored_columns)))


class _progress:
    """A progress bar on stderr for long imports (silent when output is JSON or not a TTY)."""

    def __init__(self, enabled: bool) -> None:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True,
                            disable=not enabled)  # fmt: skip
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _progress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(t(f"cli.progress.{stage}"), total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder of the demo workspace / 演示工作区目录")
    ] = Path("demo"),
    customers: Annotated[int, typer.Option(help="Number of customers / 客户数")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same company / 随机种子")] = 0,
    as_of: Annotated[
        str, typer.Option("--as-of", help="Last day of the demo history / 演示数据截止日期")
    ] = "2026-11-01",
    db: Annotated[
        str | None, typer.Option(help="Database URL (default: DuckDB) / 数据库地址")
    ] = None,
) -> None:
    """Build a realistic demo company through the normal import path. / 生成演示公司数据。"""
    lang = state(ctx).lang
    day = parse_day(as_of)
    ws = Workspace.init(directory, db_url=db, name="Keepwise demo", lang=lang)
    try:
        with _progress(enabled=True) as report:
            results = ws.load_demo(
                customers=customers, seed=seed, as_of=day, progress=report,
                on_kind=lambda kind: typer.echo(t("cli.demo.loading", lang, kind=kind), err=True),
            )  # fmt: skip
        for result in results:
            _print_import(result, False, lang)
        by_kind = {r.kind: r.rows_loaded for r in results}
        typer.echo(t("cli.demo.done", lang, path=str(directory), customers=by_kind["customers"],
                     orders=by_kind["orders"]))  # fmt: skip
        _print_headline(ws.headline(day), lang)
    finally:
        ws.close()


@app.command("summary")
def summary_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date of the figures (default: today) / 截止日期")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Headline figures: customers by status, last 12 months' revenue and churn. / 主要指标。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        figures = ws.headline(as_of_day(ctx, ws, as_of))
    if as_json:
        echo_json(figures.to_dict())
    else:
        _print_headline(figures, lang)


def _print_headline(h: Headline, lang: str) -> None:
    churn = f"{h.churn_rate_12m:.1%}" if h.churn_rate_12m is not None else "—"
    typer.echo(t("cli.headline", lang, as_of=h.as_of.isoformat(), customers=h.customers,
                 kept=h.kept, **h.statuses, start=h.window_start.isoformat(),
                 orders=h.orders_12m, revenue=h.revenue_12m, at_start=h.customers_12m_ago,
                 lost_churned=h.churned_12m, lost_voided=h.voided_12m, churn=churn))  # fmt: skip
