"""Workspace commands: init, status, import, demo."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from keepwise._core.clock import parse_day
from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.app import app, as_of_day, echo_json, open_workspace, state
from keepwise.cli.fmt import Col
from keepwise.ingest import KINDS

if TYPE_CHECKING:
    from keepwise.ingest import ImportResult
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
        "cli.status.col.kind": {"zh": "类型", "en": "kind"},
        "cli.status.col.file": {"zh": "文件", "en": "file"},
        "cli.status.col.read": {"zh": "读取", "en": "read"},
        "cli.status.col.loaded": {"zh": "导入", "en": "loaded"},
        "cli.status.col.rejected": {"zh": "拒绝", "en": "rejected"},
        "cli.status.col.finished": {"zh": "完成时间", "en": "finished"},
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
            "zh": "截至 {as_of}：客户 {customers} 个，其中在保 {kept} 个（活跃 {active}，"
            "有流失风险 {at_risk}，已挽回 {won_back}），流失 {churned} 个，作废 {voided} 个。\n"
            "近12个月（{start} 起）：订单 {orders} 笔，收入 {revenue}；"
            "期初客户 {at_start} 个，其中流失 {lost_churned} 个、作废 {lost_voided} 个，"
            "流失率 {churn}",
            "en": "As of {as_of}: {customers} customers, {kept} kept ({active} active, "
            "{at_risk} at risk, {won_back} won back), {churned} churned, {voided} voided.\n"
            "Last 12 months (from {start}): {orders} orders, revenue {revenue}; "
            "of the {at_start} customers at the start, {lost_churned} churned and "
            "{lost_voided} were voided: churn rate {churn}",
        },
        "cli.progress.read": {"zh": "读取", "en": "Reading"},
        "cli.progress.validate": {"zh": "校验", "en": "Validating"},
        "cli.progress.load": {"zh": "写入", "en": "Loading"},
    }
)


@app.command("init")
def init_cmd(
    ctx: typer.Context,
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Folder of the new workspace (or -w) / 新工作区目录（或 -w）", show_default=False
        ),
    ] = None,
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
    from keepwise.workspace import Workspace

    lang = state(ctx).lang
    directory = state(ctx).target_dir(directory, None)
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
        counts = ws.imports.table_counts()
        imports = ws.imports.recent()
    if as_json:
        payload = {
            "tables": {c.table: c.rows for c in counts},
            "imports": imports,
        }
        echo_json(payload)
        return
    fmt.print_table([Col(t("cli.status.table", lang), "word"), Col(t("cli.status.rows", lang), "num")],
                    [[c.table, fmt.count(c.rows)] for c in counts], lang=lang)  # fmt: skip
    if imports:
        kinds: list[tuple[str, fmt.ColumnKind]] = [
            ("kind", "word"), ("file", "text"), ("read", "num"), ("loaded", "num"),
            ("rejected", "num"), ("finished", "word")]  # fmt: skip
        cols = [Col("#", "num"), *(Col(t(f"cli.status.col.{k}", lang), kind) for k, kind in kinds)]
        rows = [[str(b["id"]), b["kind"], b["file_name"], fmt.count(b["rows_read"]),
                 fmt.count(b["rows_loaded"]), fmt.count(b["rows_rejected"]),
                 fmt.text(b["finished_at"])[:16]] for b in imports]  # fmt: skip
        fmt.print_table(cols, rows, title=t("cli.status.imports", lang), lang=lang)


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
        result = ws.imports.load(
            kind, file, today=ws.today(), mapping=mapping, encoding=encoding,
            delimiter=delimiter, lang=lang, progress=report,
        )  # fmt: skip
    _print_import(result, as_json, lang)


def _print_import(result: ImportResult, as_json: bool, lang: str) -> None:
    if as_json:
        echo_json(result.to_dict())
        return
    typer.echo(t("cli.import.summary", lang, kind=result.kind, read=fmt.count(result.rows_read),
                 loaded=fmt.count(result.rows_loaded), inserted=fmt.count(result.rows_inserted),
                 updated=fmt.count(result.rows_updated),
                 rejected=fmt.count(result.rows_rejected)))  # fmt: skip
    if result.rejects_file:
        typer.echo(t("cli.import.rejects", lang, path=result.rejects_file))
    if result.ignored_columns:
        typer.echo(t("cli.import.ignored", lang, columns=", ".join(result.ignored_columns)))


class _progress:
    """A progress bar on stderr for long imports (silent when output is JSON or not a TTY)."""

    def __init__(self, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True,
                            disable=not enabled)  # fmt: skip
        self.tasks: dict[str, Any] = {}

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
        Path | None,
        typer.Argument(
            help="Folder of the demo workspace (or -w; default: demo) / "
            "演示工作区目录（或 -w；默认 demo）",
            show_default=False,
        ),
    ] = None,
    customers: Annotated[int, typer.Option(min=1, help="Number of customers / 客户数")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same company / 随机种子")] = 0,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            show_default=False,
            help="The day the demo's history ends before (default: today, so the data "
            "reaches yesterday) / 演示数据截止日期（默认今天：数据到昨天为止）",
        ),
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="Database URL (default: DuckDB) / 数据库地址")
    ] = None,
) -> None:
    """Build a realistic demo company through the normal import path. / 生成演示公司数据。"""
    from keepwise.workspace import Workspace

    lang = state(ctx).lang
    directory = state(ctx).target_dir(directory, Path("demo"))
    with _removed_if_failed(directory):
        ws = Workspace.init(directory, db_url=db, name="Keepwise demo", lang=lang)
        try:
            day = parse_day(as_of) if as_of else ws.today()
            with _progress(enabled=True) as report:
                results = ws.imports.load_demo(
                    customers=customers, seed=seed, as_of=day, progress=report,
                    on_kind=lambda kind: typer.echo(t("cli.demo.loading", lang, kind=kind),
                                                    err=True),
                )  # fmt: skip
            for result in results:
                _print_import(result, False, lang)
            by_kind = {r.kind: r.rows_loaded for r in results}
            typer.echo(t("cli.demo.done", lang, path=str(directory),
                         customers=fmt.count(by_kind["customers"]),
                         orders=fmt.count(by_kind["orders"])))  # fmt: skip
            _print_headline(ws.metrics.headline(day), lang)
        finally:
            ws.close()


@contextmanager
def _removed_if_failed(directory: Path) -> Iterator[None]:
    """Undo a demo that did not finish (an error, Ctrl-C): remove what it created in
    ``directory`` — the folder itself when it made it — so no half-made workspace is left."""
    existed = directory.exists()
    before = set(directory.iterdir()) if existed and directory.is_dir() else set()
    try:
        yield
    except BaseException:
        if not existed:
            shutil.rmtree(directory, ignore_errors=True)
        elif directory.is_dir():
            for entry in set(directory.iterdir()) - before:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        raise


@app.command("summary")
def summary_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Date of the figures (default: the day after the data ends) / 截止日期"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Headline figures: customers by status, last 12 months' revenue and churn. / 主要指标。"""
    lang = state(ctx).lang
    with open_workspace(ctx) as ws:
        figures = ws.metrics.headline(as_of_day(ctx, ws, as_of))
    if as_json:
        echo_json(figures.to_dict())
    else:
        _print_headline(figures, lang)


def _print_headline(h: Headline, lang: Lang | str) -> None:
    c = fmt.count
    statuses = {k: c(v) for k, v in h.statuses.items()}
    typer.echo(t("cli.headline", lang, as_of=h.as_of.isoformat(), customers=c(h.customers),
                 kept=c(h.kept), **statuses, start=h.window_start.isoformat(),
                 orders=c(h.orders_12m), revenue=fmt.amount(h.revenue_12m),
                 at_start=c(h.customers_12m_ago), lost_churned=c(h.churned_12m),
                 lost_voided=c(h.voided_12m), churn=fmt.pct(h.churn_rate_12m)))  # fmt: skip
