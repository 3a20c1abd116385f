"""Import formats, encodings, header aliases, date and amount forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from ingest_support import CUSTOMERS_CSV, TODAY, write

from keepwise import Workspace


def customers(ws: Workspace) -> pd.DataFrame:
    return ws.store.table("customers").order_by("customer_id").execute()


EXPECTED_ACQUIRED = [
    dt.datetime(2024, 1, 5),
    dt.datetime(2024, 2, 3, 10, 30),
    dt.datetime(2023, 3, 15),  # Excel serial 45000
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_every_chinese_export_encoding(ws: Workspace, tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "c.csv", CUSTOMERS_CSV, encoding)
    result = ws.imports.load("customers", path, today=TODAY)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    expected_encoding = {"gbk": "gb18030"}.get(encoding, encoding)
    assert result.encoding == expected_encoding
    df = customers(ws)
    assert df["name"].tolist() == ["上海恒泰贸易", "Northwind Ltd", "深圳嘉禾"]
    assert df["acquired_at"].tolist() == EXPECTED_ACQUIRED
    assert df["acquisition_cost"].tolist() == [1200.0, 300.0, 88.5]
    assert df["owner_id"].tolist() == ["张三", "李四", "张三"]


def test_encoding_can_be_named(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", CUSTOMERS_CSV, "gbk")
    result = ws.imports.load("customers", path, today=TODAY, encoding="gbk")
    assert result.rows_loaded == 3 and result.encoding == "gbk"


def test_xlsx_with_real_dates_and_numbers(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["客户编号", "客户名称", "创建时间", "获客成本"])
    sheet.append(["C1", "上海恒泰贸易", dt.datetime(2024, 1, 5), 1200])
    sheet.append([101, "Northwind Ltd", "2024/2/3 10:30", "¥300"])
    sheet.append([None, None, None, None])  # blank rows at the end of a sheet are ignored
    book.save(tmp_path / "c.xlsx")
    result = ws.imports.load("customers", tmp_path / "c.xlsx", today=TODAY)
    assert (result.rows_read, result.rows_loaded) == (2, 2)
    df = customers(ws)
    assert df["customer_id"].tolist() == ["101", "C1"]
    assert df["acquired_at"].tolist() == [dt.datetime(2024, 2, 3, 10, 30), dt.datetime(2024, 1, 5)]


def test_parquet_keeps_integral_ids_as_text(ws: Workspace, tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "CustomerID": [17850.0, 13047.0, None],
        "Name": ["a", "b", "c"],
        "Since": pd.to_datetime(["2010-12-01 08:26", "2010-12-02 00:00", "2011-01-01 00:00"]),
    })  # fmt: skip
    frame.to_parquet(tmp_path / "c.parquet")
    mapping = write(tmp_path / "m.yaml", "columns:\n  customer_id: CustomerID\n  name: Name\n"
                    "  acquired_at: Since\n")  # fmt: skip
    result = ws.imports.load("customers", tmp_path / "c.parquet", today=TODAY, mapping=mapping)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert customers(ws)["customer_id"].tolist() == ["13047", "17850"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05", dt.datetime(2024, 1, 5)),
        ("2024/1/5", dt.datetime(2024, 1, 5)),
        ("2024年1月5日", dt.datetime(2024, 1, 5)),
        ("2024年1月5日 8:05", dt.datetime(2024, 1, 5, 8, 5)),
        ("2024-01-05 13:45:10", dt.datetime(2024, 1, 5, 13, 45, 10)),
        ("2024-01-05T13:45:10", dt.datetime(2024, 1, 5, 13, 45, 10)),
        ("2024.1.5", dt.datetime(2024, 1, 5)),
        ("20240105", dt.datetime(2024, 1, 5)),
        ("45296", dt.datetime(2024, 1, 5)),
        ("45296.5", dt.datetime(2024, 1, 5, 12, 0)),
    ],
)
def test_date_forms(ws: Workspace, tmp_path: Path, text: str, expected: dt.datetime) -> None:
    path = write(tmp_path / "c.csv", f"customer_id,acquired_at\nC1,{text}\n")
    assert ws.imports.load("customers", path, today=TODAY).rows_loaded == 1
    assert customers(ws)["acquired_at"].tolist() == [expected]


def test_mapping_file_maps_other_headers_and_computes_columns(
    ws: Workspace, tmp_path: Path
) -> None:
    write(tmp_path / "c.csv", "Kunde,Seit\nK1,2024-01-01\n")
    ws.imports.load("customers", tmp_path / "c.csv", today=TODAY,
                   mapping=write(tmp_path / "c.toml", '[columns]\ncustomer_id = "Kunde"\n'
                                 'acquired_at = "Seit"\n'))  # fmt: skip
    write(tmp_path / "o.csv", "Beleg,Kunde,Datum,Menge,Preis\nB1,K1,2024-02-01,3,2.5\n")
    mapping = write(tmp_path / "o.yaml", "columns:\n  order_id: Beleg\n  customer_id: Kunde\n"
                    "  ordered_at: Datum\n  amount: {sql: 'CAST(Menge AS DOUBLE) * CAST(Preis AS DOUBLE)'}\n")  # fmt: skip
    result = ws.imports.load("orders", tmp_path / "o.csv", today=TODAY, mapping=mapping)
    assert result.rows_loaded == 1
    assert ws.store.table("orders").amount.sum().execute() == pytest.approx(7.5)


def test_delimiter_is_detected(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "customer_id;name\nC1;A\nC2;B\n")
    result = ws.imports.load("customers", path, today=TODAY)
    assert result.rows_loaded == 2


def test_status_events_accept_chinese_labels_and_set_status(ws: Workspace, tmp_path: Path) -> None:
    ws.imports.load("customers", write(tmp_path / "c.csv", CUSTOMERS_CSV), today=TODAY)
    events = write(tmp_path / "e.csv", "客户编号,时间,状态,原因,去向\n"
                   "C1,2024-05-01,流失,价格因素,Acme\nC2,2024-06-01,作废,duplicate,\n"
                   "C2,2024-06-03,active,,\n")  # fmt: skip
    result = ws.imports.load("status-events", events, today=TODAY)
    assert result.rows_loaded == 3
    with ws.store.begin() as conn:
        status = dict(conn.execute(sa.text("SELECT customer_id, status FROM customers")).all())
        reasons = conn.execute(sa.text(
            "SELECT reason, from_status, destination FROM status_events ORDER BY occurred_at"
        )).all()  # fmt: skip
    assert status == {"C1": "churned", "C2": "active", "C3": "active"}
    assert [tuple(r) for r in reasons] == [
        ("price", "active", "Acme"),
        ("duplicate", "active", None),
        (None, "voided", None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("¥1,200", 1200.0), ("￥88.50", 88.5), ("1，234.5元", 1234.5), (" 42 ", 42.0), ("$7", 7.0)],
)
def test_amount_forms(ws: Workspace, tmp_path: Path, text: str, expected: float) -> None:
    path = write(tmp_path / "c.csv", f'customer_id,acquisition_cost\nC1,"{text}"\n')
    assert ws.imports.load("customers", path, today=TODAY).rows_loaded == 1
    assert customers(ws)["acquisition_cost"].tolist() == [expected]


def test_a_bad_mapping_expression_is_a_clear_error(ws: Workspace, tmp_path: Path) -> None:
    from keepwise._core.errors import InputError

    write(tmp_path / "c.csv", "Kunde,Menge\nK1,3\n")
    mapping = write(tmp_path / "c.yaml", "columns:\n  customer_id: Kunde\n"
                    "  acquisition_cost: {sql: 'Menge * Preis'}\n")  # fmt: skip
    with pytest.raises(InputError) as err:
        ws.imports.load("customers", tmp_path / "c.csv", today=TODAY, mapping=mapping)
    assert "Preis" in err.value.message("en") and "映射" in err.value.message("zh")
    assert ws.store.table("customers").count().execute() == 0
