"""The ``contracts`` import kind: contract history with Chinese headers, a renewal as a new row,
dates in the future accepted, an end before the start or an unknown customer rejected."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from ingest_support import CUSTOMERS_CSV, TODAY, write

from keepwise import Workspace


def test_contract_history_with_chinese_headers(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file("customers", write(tmp_path / "c.csv", CUSTOMERS_CSV), today=TODAY)
    text = (
        "合同编号,客户编号,合同开始,合同结束,合同金额,续约自\n"
        'K1,C1,2024/1/5,2025/1/5,"￥12,000",\n'
        "K2,C1,2025年1月5日,2026-01-05,12600,K1\n"
        "K3,C1,2026-01-05,2027-01-05,13200,K2\n"  # runs past the import day: accepted
        "K4,C2,2025-03-01,2025-02-28,100,\n"  # ends before it starts
        "K5,C9,2025-03-01,2026-03-01,100,\n"  # unknown customer
        "K6,C2,2025-03-01,2025-03-01,100,\n"  # a one-day contract is fine
    )
    result = ws.import_file("contracts", write(tmp_path / "k.csv", text), today=TODAY, lang="zh")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 4, 2)
    assert result.rejects_file is not None
    raw = Path(result.rejects_file).read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.DictReader(raw))
    assert [(r["行号"], r["列"], r["原因"]) for r in rows] == [
        ("5", "end_date", "时间早于 start_date：2025-02-28"),
        ("6", "customer_id", "客户不存在：C9（请先导入客户）"),
    ]
    stored = ws.store.table("contracts").execute().sort_values("contract_id")
    assert stored.contract_id.tolist() == ["K1", "K2", "K3", "K6"]
    k3 = stored.set_index("contract_id").loc["K3"]
    assert (k3.start_date, k3.end_date) == (pd.Timestamp(2026, 1, 5), pd.Timestamp(2027, 1, 5))
    assert stored.value.tolist() == [12000.0, 12600.0, 13200.0, 100.0]
    assert stored.renewed_from.tolist()[:3] == [None, "K1", "K2"]
    assert stored.import_batch_id.notna().all()


def test_english_aliases_and_reimport_upserts(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file("customers", write(tmp_path / "c.csv", CUSTOMERS_CSV), today=TODAY)
    first = write(tmp_path / "k.csv", "contract_id,customer_id,start,end,value\n"
                  "K1,C3,2025-06-01,2026-06-01,500\n")  # fmt: skip
    assert ws.import_file("contracts", first, today=TODAY).rows_inserted == 1
    amended = write(tmp_path / "k2.csv", "contract_id,customer_id,start,end,value,renewed_from\n"
                    "K1,C3,2025-06-01,2026-06-01,550,\nK2,C3,2026-06-01,2027-06-01,600,K1\n")  # fmt: skip
    result = ws.import_file("contracts", amended, today=TODAY)
    assert (result.rows_inserted, result.rows_updated) == (1, 1)
    stored = ws.store.table("contracts").execute().sort_values("contract_id")
    pd.testing.assert_series_equal(
        stored.value.reset_index(drop=True), pd.Series([550.0, 600.0]), check_names=False
    )
