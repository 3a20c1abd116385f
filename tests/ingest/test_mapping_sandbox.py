"""Mapping files are code: their SQL may read the imported file and nothing else. Each attack of
issue 11 is refused with a clear message in both languages, reads and writes nothing, and
leaves the workspace unchanged; ordinary mappings keep working (tests/examples too)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from ingest_support import TODAY, write

from keepwise import Workspace
from keepwise._core.errors import InputError
from keepwise.ingest import sandbox

CSV = "customer_id,name\nC1,Alpha\nC2,Beta\n"


def _import_with(ws: Workspace, tmp_path: Path, mapping: dict[str, object]) -> InputError:
    """Import CSV with ``mapping`` (written as YAML: JSON is YAML); return the refusal."""
    source = write(tmp_path / "c.csv", CSV)
    path = write(tmp_path / "m.yaml", json.dumps(mapping))
    with pytest.raises(InputError) as err:
        ws.import_file("customers", source, today=TODAY, mapping=path)
    assert ws.table_counts() and _customers(ws) == 0, "nothing may be loaded"
    return err.value


def _customers(ws: Workspace) -> int:
    return int(ws.store.table("customers").count().execute())


# --- through the import: a query or an expression that reaches outside the file -------------

OUTSIDE_READS = [
    "SELECT content AS customer_id FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/shadow')",
    "SELECT file AS customer_id FROM glob('/*')",
    "SELECT * FROM read_parquet('/tmp/any.parquet')",
    "SELECT * FROM 'other.csv'",  # a file named as a table
]


@pytest.mark.parametrize("query", OUTSIDE_READS)
def test_a_query_cannot_read_other_files(ws: Workspace, tmp_path: Path, query: str) -> None:
    err = _import_with(ws, tmp_path, {"query": query, "columns": {}})
    assert err.key == "mapping.sql_forbidden"
    assert "may only read the file being imported" in err.message("en")
    assert "只能读取正在导入的文件" in err.message("zh")
    assert "root:" not in err.message("en")  # no content of /etc/passwd in the message


def test_an_expression_cannot_read_other_files(ws: Workspace, tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "the secret")
    sql = f"(SELECT content FROM read_text('{secret}'))"
    err = _import_with(ws, tmp_path, {"columns": {"customer_id": "customer_id",
                                                  "name": {"sql": sql}}})  # fmt: skip
    assert err.key == "mapping.sql_forbidden"
    assert "the secret" not in err.message("en")


@pytest.mark.parametrize(
    ("query", "keyword"),
    [
        ("COPY (SELECT 1) TO 'stolen.csv'", "COPY"),
        ("ATTACH 'other.duckdb' AS o", "ATTACH"),
        ("INSTALL httpfs", "INSTALL"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("CREATE TABLE t AS SELECT * FROM source", "CREATE"),
    ],
)
def test_a_query_is_a_select_statement(
    ws: Workspace, tmp_path: Path, query: str, keyword: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    err = _import_with(ws, tmp_path, {"query": query, "columns": {}})
    assert err.key == "mapping.sql_not_select"
    assert f"must be a SELECT statement (WITH … SELECT is fine), not {keyword}" in err.message()
    assert f"不能是 {keyword} 语句" in err.message("zh")
    assert not (tmp_path / "stolen.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_a_query_is_one_statement(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    query = "SELECT * FROM source; COPY (SELECT 42) TO 'stolen.csv'"
    err = _import_with(ws, tmp_path, {"query": query, "columns": {}})
    assert err.key == "mapping.sql_several"
    assert "holds 2 statements separated by ';'" in err.message("en")
    assert "2 条用 ; 分隔的语句" in err.message("zh")
    assert not (tmp_path / "stolen.csv").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "1) AS x FROM src; COPY (SELECT 42) TO 'stolen.csv'; SELECT (1",
        "upper(name);",
    ],
)
def test_an_expression_is_one_expression(
    ws: Workspace, tmp_path: Path, sql: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    err = _import_with(ws, tmp_path, {"columns": {"customer_id": "customer_id",
                                                  "name": {"sql": sql}}})  # fmt: skip
    assert err.key == "mapping.sql_not_expression"
    assert "The sql of name in the mapping file must be one expression" in err.message("en")
    assert "只能是一个表达式" in err.message("zh")
    assert not (tmp_path / "stolen.csv").exists()


@pytest.mark.parametrize(
    "mapping",
    [
        {"query": "SELECT * FROM ref_customers", "columns": {}},
        {"columns": {"product": {"sql": "(SELECT string_agg(k, ',') FROM ref_customers)"}}},
    ],
)
def test_the_mapping_sees_the_file_but_not_the_workspace(
    ws: Workspace, tmp_path: Path, mapping: dict[str, object]
) -> None:
    """The workspace's customer ids (loaded for the reference checks) are not the mapping's."""
    ws.import_file("customers", write(tmp_path / "known.csv", CSV), today=TODAY)
    orders = write(tmp_path / "o.csv", "order_id,customer_id,ordered_at,amount\n"
                   "O1,C1,2024-01-01,5\n")  # fmt: skip
    path = write(tmp_path / "m.yaml", json.dumps(mapping))
    with pytest.raises(InputError) as err:
        ws.import_file("orders", orders, today=TODAY, mapping=path)
    assert err.value.key == "mapping.sql_error" and "ref_customers" in err.value.message()
    assert int(ws.store.table("orders").count().execute()) == 0


def test_semicolons_inside_text_are_fine(ws: Workspace, tmp_path: Path) -> None:
    source = write(tmp_path / "c.csv", CSV)
    mapping = write(tmp_path / "m.yaml", json.dumps({
        "query": "SELECT *, 'a;b' AS note FROM source WHERE name <> ';'",
        "columns": {"customer_id": "customer_id", "name": {"sql": "name || ';' || note"}},
    }))  # fmt: skip
    result = ws.import_file("customers", source, today=TODAY, mapping=mapping)
    assert result.rows_loaded == 2
    names = sorted(ws.store.table("customers").name.execute())
    assert names == ["Alpha;a;b", "Beta;a;b"]


# --- the sandboxed connection itself (defence in depth behind the statement checks) ----------

ATTACKS = [
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/shadow')",
    "SELECT * FROM glob('/*')",
    "COPY (SELECT 1) TO '{tmp}/stolen.csv'",
    "ATTACH '{tmp}/other.duckdb' AS o",
    "INSTALL httpfs",
    "LOAD httpfs",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_sandbox_refuses_file_and_extension_access(tmp_path: Path, attack: str) -> None:
    con = sandbox.connect(tmp_path / "spill")
    con.register("source", pa.table({"a": ["1"]}))
    with pytest.raises(duckdb.PermissionException) as err:
        con.execute(attack.format(tmp=tmp_path))
    assert sandbox.forbidden(err.value) is not None
    assert list(tmp_path.iterdir()) == []
    assert con.execute("SELECT count(*) FROM source").fetchone() == (1,)  # still usable


def test_the_sandbox_cannot_be_switched_off(tmp_path: Path) -> None:
    con = sandbox.connect(tmp_path / "spill")
    for setting in ("enable_external_access = true", "lock_configuration = false",
                    "python_enable_replacements = true", "temp_directory = '/'"):  # fmt: skip
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.execute(f"SET {setting}")


def test_the_sandbox_does_not_see_python_objects(tmp_path: Path) -> None:
    secret = pa.table({"s": ["the secret"]})  # DuckDB would otherwise find it by its name
    con = sandbox.connect(tmp_path / "spill")
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM secret")
    assert secret.num_rows == 1
