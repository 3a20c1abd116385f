"""Plain JSON values from what the services return (DataFrames, dates, numpy numbers, NaN):
the CLI's ``--json``, the API and the stored report results share these rules."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any


def is_empty(value: Any) -> bool:
    """None, NaN, ±inf, pandas' NA and NaT."""
    if value is None:
        return True
    if isinstance(value, str | bool):
        return False
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def jsonable(value: Any) -> Any:
    """Plain JSON values: empty → None, dates → ISO text, numpy/pandas → Python values."""
    if isinstance(value, str | bool | int) or value is None:
        return value
    if is_empty(value):
        return None
    if isinstance(value, float):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return records(value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return jsonable(value.tolist())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as JSON-ready dicts."""
    return [jsonable(row) for row in frame.to_dict(orient="records")]


def dumps(payload: Any, *, indent: int | None = 2) -> str:
    # allow_nan=False: a NaN that slipped past jsonable fails here rather than reaching a parser
    return json.dumps(jsonable(payload), ensure_ascii=False, indent=indent, allow_nan=False)
