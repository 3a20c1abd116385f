"""What the routes share beyond dependencies: the JSON response every route answers with,
stored-result answers, pages of rows and the as-of date."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.responses import JSONResponse

from keepwise._core.jsondata import jsonable
from keepwise.workspace import Workspace


class KeepwiseJSON(JSONResponse):
    """Strict JSON (NaN and infinities become null, dates ISO text), UTF-8 as is, and ``<``,
    ``>``, ``&`` written as ``\\u003c`` … so that no text from the data (a customer named
    ``<script>``) can ever be read as markup, even pasted into a page."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(jsonable(content), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"))  # fmt: skip
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return text.encode("utf-8")


def as_of_day(ws: Workspace, requested: dt.date | None, *, writing: bool = False) -> dt.date:
    """The as-of date of a request: the one asked for, by default the day after the data
    ends (``writing``: of a request that writes results, never after today; see
    :meth:`Workspace.as_of`)."""
    return ws.as_of(requested, writing=writing).day


def iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def stored(ws: Workspace, report: str, params: dict[str, Any]) -> dict[str, Any]:
    """A stored report result as an answer: its data with when (and on which data version) it
    was computed."""
    result = ws.results.get(report, jsonable(params))
    return {**result.meta(), "data": result.payload}


def paged(rows: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"total": len(rows), "limit": limit, "offset": offset,
            "items": rows[offset : offset + limit]}  # fmt: skip
