"""Odd but valid CSV layouts: old Mac line ends, inch marks, line breaks in the header, and the
rejects file's header escaped like its cells."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from ingest_support import TODAY, write

from keepwise import Workspace
from keepwise._core.errors import InputError


def rows(ws: Workspace) -> list[tuple[str, str | None]]:
    frame = ws.store.table("customers").order_by("customer_id").execute()
    return list(zip(frame["customer_id"], frame["name"], strict=True))


def rejects_of(path: str | None) -> list[list[str]]:
    assert path is not None
    text = Path(path).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_cr_only_line_ends(ws: Workspace, tmp_path: Path) -> None:
    """Old Mac and Excel exports end lines with CR alone; a quoted value may hold one too."""
    path = write(tmp_path / "c.csv",
                 'customer_id;name;segment\rC1;A;smb\rC2;"B\rsecond line";smb\rC3;only two\r')  # fmt: skip
    result = ws.import_file("customers", path, today=TODAY)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert rows(ws) == [("C1", "A"), ("C2", "B\rsecond line")]
    [_, [line, _, reason, *_]] = rejects_of(result.rejects_file)
    assert line == "5" and "number of fields" in reason


@pytest.mark.parametrize("inches", [1, 2])
def test_inch_marks_are_text(ws: Workspace, tmp_path: Path, inches: int) -> None:
    """A quote inside an unquoted value opens nothing: one such row loads like two."""
    body = "".join(f'C{i},Monitor 2{i}"\n' for i in range(inches))
    path = write(tmp_path / "c.csv", f'customer_id,name\n{body}C9,"quoted, with comma"\n')
    result = ws.import_file("customers", path, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (inches + 1, 0)
    assert rows(ws) == [*((f"C{i}", f'Monitor 2{i}"') for i in range(inches)),
                        ("C9", "quoted, with comma")]  # fmt: skip


def test_an_unclosed_quote_after_an_inch_mark_names_its_line(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", 'customer_id,name\nC1,27"\nC2,"ok"\nC3,24"\nC4,"open\nC5,x\n')
    with pytest.raises(InputError, match="near line 5"):
        ws.import_file("customers", path, today=TODAY)


def test_a_line_break_inside_a_quoted_header_cell(ws: Workspace, tmp_path: Path) -> None:
    """Excel writes wrapped header text as a quoted line break: the header is one record, and
    the header cell still matches its alias (客户\\n编号 is 客户编号)."""
    path = write(tmp_path / "c.csv",
                 '"客户\n编号","name\n(full)"\nC1,A\nC2,B\nC3\n')  # fmt: skip
    result = ws.import_file("customers", path, today=TODAY)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert rows(ws) == [("C1", None), ("C2", None)]  # "name\n(full)" is no alias of name
    [header, [line, *_]] = rejects_of(result.rejects_file)
    assert line == "6"  # the header takes lines 1-3, so C3 is on line 6
    assert header[3:] == ["客户\n编号", "name\n(full)"]


def test_rejects_header_cells_are_formula_escaped(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", 'customer_id,"=HYPERLINK(""http://x"",""go"")",@cmd,+1+2,'
                 "acquisition_cost\nC1,a,b,c,abc\n")  # fmt: skip
    result = ws.import_file("customers", path, today=TODAY)
    [header, _] = rejects_of(result.rejects_file)
    assert header[3:] == ["customer_id", "'=HYPERLINK(\"http://x\",\"go\")", "'@cmd", "'+1+2",
                          "acquisition_cost"]  # fmt: skip
