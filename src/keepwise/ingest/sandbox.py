"""Mapping files are code: their SQL (``query:`` and ``{sql: …}`` expressions) runs in a
sandbox.

Mapping files are shared between colleagues and uploaded through the web, so their SQL must
not reach anything but the file being imported. Validation runs on its own in-memory DuckDB
connection (never the workspace's), and before any of the mapping's SQL runs:

- file system and network access are switched off (``enable_external_access = false``): no
  ``read_text``/``read_csv`` of other files, ``glob``, ``COPY … TO``, ``ATTACH``, ``INSTALL``
  or ``LOAD``; the imported file is already in memory (an Arrow table registered as
  ``source``), and DuckDB spills to a folder fixed beforehand;
- Python objects are not looked up by name (``python_enable_replacements = false``);
- the configuration is locked (``lock_configuration = true``), so no ``SET`` undoes the above;
- ``query:`` must be one ``SELECT`` statement and each expression one expression.

FACTS.md, "Sandboxing user SQL in DuckDB", has the checked recipe.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.ingest.mapping import Mapping

register(
    {
        "mapping.sql_forbidden": {
            "zh": "映射文件中的 SQL 只能读取正在导入的文件（表 source），不能访问其他文件、目录、"
            "数据库、扩展或设置：{error}",
            "en": "The SQL of a mapping file may only read the file being imported (the table "
            "source), not other files, folders, databases, extensions or settings: {error}",
        },
        "mapping.sql_several": {
            "zh": "映射文件的 query 只能是一条 SELECT 语句，但其中有 {count} 条用 ; 分隔的语句",
            "en": "The query of a mapping file must be one SELECT statement, but it holds "
            "{count} statements separated by ';'",
        },
        "mapping.sql_not_select": {
            "zh": "映射文件的 query 只能是 SELECT 语句（可以以 WITH 开头），不能是 {keyword} 语句",
            "en": "The query of a mapping file must be a SELECT statement (WITH … SELECT is "
            "fine), not {keyword}",
        },
        "mapping.sql_not_expression": {
            "zh": "映射文件中 {target} 的 sql 只能是一个表达式（例如 abs(Quantity)）：{sql}",
            "en": "The sql of {target} in the mapping file must be one expression (such as "
            "abs(Quantity)): {sql}",
        },
    }
)

_LOCKDOWN = (
    "SET python_enable_replacements = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def connect(spill_dir: Path | None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory connection with the sandbox in force; DuckDB spills to ``spill_dir``
    (a folder that need not exist yet) when the data outgrows memory."""
    config: dict[str, str | bool | int | float | list[str]] = {}
    if spill_dir is not None:
        config["temp_directory"] = str(spill_dir)
    con = duckdb.connect(config=config)
    for statement in _LOCKDOWN:
        con.execute(statement)
    return con


def check_mapping_sql(mapping: Mapping) -> None:
    """Refuse a query that is not one SELECT, or an expression that is not one expression,
    before any of it runs. SQL that does not parse is left to DuckDB to explain when it runs
    (DuckDB parses every statement before running the first)."""
    if mapping.query is not None:
        statements = _parse(str(mapping.query))
        if statements is not None and len(statements) != 1:
            raise InputError("mapping.sql_several", count=len(statements))
        if statements and statements[0].type != duckdb.StatementType.SELECT:
            keyword = (statements[0].query.split() or ["?"])[0].upper()
            raise InputError("mapping.sql_not_select", keyword=keyword)
    for target, source in mapping.columns.items():
        if isinstance(source, dict) and "sql" in source:
            sql = str(source["sql"])
            statements = _parse(f"SELECT ({sql})")
            several = statements is not None and len(statements) != 1
            if several or ";" in _QUOTED.sub("", sql):
                raise InputError("mapping.sql_not_expression", target=target, sql=sql)


def forbidden(exc: duckdb.Error) -> InputError | None:
    """The sandbox's refusal as a clear message, or None when ``exc`` is something else."""
    if isinstance(exc, duckdb.PermissionException):
        return InputError("mapping.sql_forbidden", error=_first_line(exc))
    return None


def _parse(sql: str) -> list[duckdb.Statement] | None:
    try:
        return duckdb.extract_statements(sql)
    except duckdb.Error:
        return None


#: Quoted text and identifiers, where a ';' separates nothing.
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
