"""How report values are shown (docs/reports.md, "Numbers"): the same rule in HTML, PDF and
the XLSX number formats, so a reader sees the same figure in each.

* ``pct``: a share as a percentage with one decimal (0.1234 → ``12.3%``);
* ``money``: two decimals with thousands separators (``12,345.60``);
* ``int``: whole, with thousands separators (``1,234``);
* ``num``: whole numbers as ``int``, others with two decimals;
* ``p``: a p-value with three decimals (``0.003``);
* ``date``: ISO (``2026-08-01``);
* empty (None, NaN, ±inf) is ``—``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from keepwise.reports.document import Kind, Val

EMPTY = "—"

#: The XLSX number format of each kind (the cell holds the number itself).
XLSX_FORMATS: dict[Kind, str] = {
    "pct": "0.0%",
    "money": "#,##0.00",
    "int": "#,##0",
    "num": "General",
    "p": "0.000",
    "date": "yyyy-mm-dd",
    "text": "@",
}


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | bool | dt.date):
        return False
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def unwrap(value: Any, kind: Kind) -> tuple[Any, Kind]:
    """A cell's value and kind (its own when it is a :class:`Val`, else the column's)."""
    return (value.value, value.kind) if isinstance(value, Val) else (value, kind)


def show(value: Any, kind: Kind) -> str:
    """``value`` as text in a report."""
    value, kind = unwrap(value, kind)
    if is_empty(value):
        return EMPTY
    if kind == "text":
        return str(value)
    if kind == "date":
        day = as_date(value)
        return day.isoformat() if day else str(value)
    number = float(value)
    if kind == "pct":
        return f"{number * 100:.1f}%"
    if kind == "money":
        return f"{number:,.2f}"
    if kind == "p":
        return f"{number:.3f}"
    if kind == "int" or (kind == "num" and number.is_integer()):
        return f"{round(number):,}"
    return f"{number:,.2f}"


def as_date(value: Any) -> dt.date | None:
    """A date, datetime, pandas Timestamp or ISO text as a date (None otherwise)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()  # type: ignore[no-any-return]
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def cell(value: Any, kind: Kind) -> Any:
    """``value`` as it is stored in a spreadsheet cell: numbers as numbers, days as dates,
    text as text; empty as an empty cell."""
    value, kind = unwrap(value, kind)
    if is_empty(value):
        return None
    if kind == "date":
        return as_date(value) or str(value)
    if kind == "text":
        return str(value)
    return float(value) if kind != "int" else round(float(value))
