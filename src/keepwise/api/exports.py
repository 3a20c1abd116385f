"""CSV and XLSX downloads of rows, with every text cell inert in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read by
Excel, WPS or LibreOffice as a formula (``=HYPERLINK("http://x","y")`` in a customer's name).
CSV cells get a leading apostrophe (OWASP's advice; plain numbers such as ``-5`` are left as
they are); XLSX cells are written as text with the "quote prefix" style, so the name shows as
typed and is never evaluated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from keepwise._core.jsondata import jsonable

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: text that a spreadsheet would run is prefixed with ``'``."""
    value = jsonable(value)
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.match(value):
        return "'" + value
    if isinstance(value, dict | list):
        return str(value)
    return value


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads UTF-8 then


def to_xlsx(columns: Sequence[str], rows: Sequence[dict[str, Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(columns))
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(columns, start=1):
            value = jsonable(row.get(column))
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                cell.quotePrefix = True
            elif isinstance(value, dict | list):
                cell.value = str(value)
                cell.data_type = "s"
            else:
                cell.value = value
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(
    columns: Sequence[str], rows: Sequence[dict[str, Any]], *, name: str, fmt: str
) -> Response:
    if fmt == "xlsx":
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        body = to_xlsx(columns, rows, name)
    else:
        media, body = "text/csv; charset=utf-8", to_csv(columns, rows)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)
