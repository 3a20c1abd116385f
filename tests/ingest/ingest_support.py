from __future__ import annotations

import datetime as dt
from pathlib import Path

TODAY = dt.date(2026, 11, 25)

CUSTOMERS_CSV = (
    "客户编号,客户名称,客户分类,负责人,创建时间,获客成本\n"
    'C1,上海恒泰贸易,smb,张三,2024/1/5,"￥1,200"\n'
    "C2,Northwind Ltd,enterprise,李四,2024年2月3日 10:30,300\n"
    "C3,深圳嘉禾,smb,张三,45000,￥88.5\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
