"""Bad input: each case gives a clear message or a rejects row; nothing half-loaded, nothing
silently dropped (rows_read = rows_loaded + rows_rejected)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from ingest_support import CUSTOMERS_CSV, TODAY, write

from keepwise import Workspace
from keepwise._core.errors import InputError
from keepwise.ingest.importer import ImportResult


def rejects(result: ImportResult) -> list[dict[str, str]]:
    assert result.rejects_file is not None
    raw = Path(result.rejects_file).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "rejects must be UTF-8 with BOM for Excel"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def reconciles(result: ImportResult) -> bool:
    return result.rows_read == result.rows_loaded + result.rows_rejected


def count(ws: Workspace, table: str) -> int:
    return int(ws.store.table(table).count().execute())


def test_empty_file(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        ws.imports.load("customers", write(tmp_path / "c.csv", ""), today=TODAY)


def test_header_only(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no data rows") as err:
        ws.imports.load("customers", write(tmp_path / "c.csv", "customer_id,name\n"), today=TODAY)
    assert "只有表头" in err.value.message("zh")


def test_wrong_delimiter_named_explicitly(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "customer_id;name\nC1;A\n")
    with pytest.raises(InputError, match="delimiter"):
        ws.imports.load("customers", path, today=TODAY, delimiter=",")
    assert count(ws, "customers") == 0


def test_mixed_encodings(ws: Workspace, tmp_path: Path) -> None:
    head = "customer_id,name\nC1,上海恒泰\n".encode()
    tail = "C2,深圳嘉禾\n".encode("gb18030")
    path = tmp_path / "c.csv"
    path.write_bytes(head + tail)
    with pytest.raises(InputError) as err:
        ws.imports.load("customers", path, today=TODAY)
    assert "line 2 is UTF-8 but line 3 is not" in err.value.message("en")
    assert count(ws, "customers") == 0


def test_gb18030_file_then_utf8_lines_is_mixed_too(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("customer_id,name\nC1,上海恒泰\n".encode("gb18030") + "C2,深圳嘉禾\n".encode())
    with pytest.raises(InputError, match="mixes encodings"):
        ws.imports.load("customers", path, today=TODAY)


def test_truncated_last_row_is_rejected_with_its_line(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "customer_id,name,segment\nC1,A,smb\nC2,B,smb\nC3,C")
    result = ws.imports.load("customers", path, today=TODAY)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    [row] = rejects(result)
    assert row["line"] == "4" and "number of fields" in row["reason"]


def test_truncated_inside_a_quote_is_a_clear_error(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", 'customer_id,name\nC1,A\nC2,"unclosed\n')
    with pytest.raises(InputError, match="truncated"):
        ws.imports.load("customers", path, today=TODAY)
    assert count(ws, "customers") == 0


def test_duplicate_ids_inside_one_file(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "customer_id,name\nC1,A\nC2,B\nC1,again\n")
    result = ws.imports.load("customers", path, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    [row] = rejects(result)
    assert row["line"] == "4" and "first seen on line 2" in row["reason"]
    assert (
        ws.store.table("customers").filter(lambda t: t.customer_id == "C1").name.execute()[0] == "A"
    )


def _with_customers(ws: Workspace, tmp_path: Path) -> None:
    ws.imports.load("customers", write(tmp_path / "c.csv", CUSTOMERS_CSV), today=TODAY)


def test_negative_and_non_numeric_amounts(ws: Workspace, tmp_path: Path) -> None:
    _with_customers(ws, tmp_path)
    path = write(tmp_path / "o.csv", "order_id,customer_id,ordered_at,amount\n"
                 "O1,C1,2024-01-01,100\nO2,C1,2024-01-02,-5\nO3,C1,2024-01-03,abc\n"
                 "O4,C1,2024-01-04,\n")  # fmt: skip
    result = ws.imports.load("orders", path, today=TODAY)
    assert reconciles(result) and result.rows_loaded == 1
    reasons = {r["line"]: (r["column"], r["reason"]) for r in rejects(result)}
    assert reasons == {
        "3": ("amount", "must not be negative: -5"),
        "4": ("amount", "not a number: abc"),
        "5": ("amount", "required value is missing"),
    }


def test_dates_in_the_future_or_before_1900(ws: Workspace, tmp_path: Path) -> None:
    _with_customers(ws, tmp_path)
    path = write(
        tmp_path / "o.csv",
        "order_id,customer_id,ordered_at,amount\n"
        "O1,C1,2030-01-01,1\nO2,C1,1899-12-31,1\nO3,C1,2024-02-30,1\nO4,C1,2026-11-25,1\n",
    )
    result = ws.imports.load("orders", path, today=TODAY)
    assert result.rows_loaded == 1
    reasons = [r["reason"] for r in rejects(result)]
    assert reasons == ["date in the future (after 2026-11-25): 2030-01-01",
                       "date before 1900: 1899-12-31", "not a date: 2024-02-30"]  # fmt: skip


def test_contract_end_may_be_in_the_future(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "customer_id,contract_end\nC1,2030-06-30\n")
    assert ws.imports.load("customers", path, today=TODAY).rows_loaded == 1


def test_orders_of_unknown_customers_are_rejected(ws: Workspace, tmp_path: Path) -> None:
    _with_customers(ws, tmp_path)
    path = write(
        tmp_path / "o.csv",
        "订单编号,客户编号,下单时间,金额\nO1,C1,2024-01-01,1\nO2,C9,2024-01-01,1\n",
    )
    result = ws.imports.load("orders", path, today=TODAY, lang="zh")
    [row] = rejects(result)
    assert row["行号"] == "3" and row["原因"] == "客户不存在：C9（请先导入客户）"


def test_formula_cells_are_escaped_in_the_rejects_file(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "customer_id,name,acquisition_cost\n"
                 "C1,\"=cmd|' /C calc'!A0\",x\nC2,@SUM(A1),-1\nC3,-2+3+cmd,-1+1\n")  # fmt: skip
    result = ws.imports.load("customers", path, today=TODAY)
    rows = rejects(result)
    assert [r["name"] for r in rows] == ["'=cmd|' /C calc'!A0", "'@SUM(A1)", "'-2+3+cmd"]
    assert [r["acquisition_cost"] for r in rows] == ["x", "-1", "'-1+1"]  # a number stays one
    for row in rows:
        assert not any(v.startswith(("=", "+", "@")) for v in row.values())


def test_a_failure_half_way_leaves_the_database_as_it_was(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_customers(ws, tmp_path)
    before = {c.table: c.rows for c in ws.imports.table_counts()}
    import keepwise.ingest.importer as importer

    def explode(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_finish_batch", explode)  # after the rows were upserted
    path = write(tmp_path / "c2.csv", "customer_id,name\nC1,changed\nC9,new\n")
    with pytest.raises(RuntimeError):
        ws.imports.load("customers", path, today=TODAY)
    assert {c.table: c.rows for c in ws.imports.table_counts()} == before
    names = dict(ws.store.table("customers").select("customer_id", "name").execute().values)
    assert names["C1"] == "上海恒泰贸易" and "C9" not in names


def test_reimport_upserts_without_duplicates(ws: Workspace, tmp_path: Path) -> None:
    first = ws.imports.load("customers", write(tmp_path / "c.csv", CUSTOMERS_CSV), today=TODAY)
    again = ws.imports.load("customers", tmp_path / "c.csv", today=TODAY)
    updated = write(tmp_path / "c2.csv", "客户编号,客户名称\nC1,新名字\nC4,Fourth\n")
    third = ws.imports.load("customers", updated, today=TODAY)
    assert (first.rows_inserted, again.rows_inserted, again.rows_updated) == (3, 0, 3)
    assert (third.rows_inserted, third.rows_updated) == (1, 1)
    assert count(ws, "customers") == 4
    assert first.checksum == again.checksum != third.checksum
    batches = ws.imports.recent()
    assert [b["rows_loaded"] for b in batches] == [2, 3, 3]


def test_unknown_kind_and_missing_file(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Unknown import kind"):
        ws.imports.load("invoices", tmp_path / "x.csv", today=TODAY)
    with pytest.raises(InputError, match="File not found"):
        ws.imports.load("customers", tmp_path / "nope.csv", today=TODAY)
    with pytest.raises(InputError, match="Unsupported file type"):
        ws.imports.load("customers", write(tmp_path / "x.json", "{}"), today=TODAY)


def test_missing_required_column_names_it(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        ws.imports.load("orders", write(tmp_path / "o.csv", "order_id,amount\nO1,3\n"),
                       today=TODAY)  # fmt: skip
    assert "customer_id, ordered_at" in err.value.message("en")


@pytest.mark.slow
def test_a_200_mb_file(ws: Workspace, tmp_path: Path) -> None:
    """Large files stream through; counts reconcile with one bad row near the end."""
    ws.imports.load("customers", write(tmp_path / "c.csv", "customer_id\nC1\nC2\n"), today=TODAY)
    path = tmp_path / "orders.csv"
    line = "O{:09d},C{},2024-01-{:02d} 10:00:00,{}.50,{}.00,product-{}-with-a-long-name-x,false\n"
    n = 0
    with path.open("w") as fh:
        fh.write("order_id,customer_id,ordered_at,amount,cost,product,cancelled\n")
        while fh.tell() < 200 * 1024 * 1024:
            fh.writelines(
                line.format(n + i, 1 + (n + i) % 2, 1 + i % 28, i % 997, i % 500, i % 50)
                for i in range(100_000)
            )
            n += 100_000
        fh.write("BAD,C1,2024-01-01,oops,1,p,false\n")
    assert path.stat().st_size > 200 * 1024 * 1024
    result = ws.imports.load("orders", path, today=TODAY)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (n + 1, n, 1)
    assert count(ws, "orders") == n
