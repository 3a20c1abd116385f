"""Encoding detection on the whole file: short GB18030 files whose bytes happen to be valid UTF-8
are read as Chinese, not as mojibake, and an undecidable file is refused with both readings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_support import TODAY

from keepwise import Workspace
from keepwise._core.errors import InputError
from keepwise.ingest.encoding import detect_encoding


def names(ws: Workspace) -> list[str]:
    return list(ws.store.table("customers").order_by("customer_id").name.execute())


# 郑伟 is D6A3 CEB0 in GB18030, which UTF-8 reads as '֣ΰ'; 谢平 (D0BB C6BD) reads as 'лƽ'.
@pytest.mark.parametrize("people", [("张三", "郑伟"), ("郑伟", "谢平"), ("谢平",)])
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_chinese_names_in_either_encoding(
    ws: Workspace, tmp_path: Path, people: tuple[str, ...], encoding: str
) -> None:
    text = "customer_id,name\n" + "".join(f"C{i},{p}\n" for i, p in enumerate(people))
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode(encoding))
    result = ws.import_file("customers", path, today=TODAY)
    assert (result.encoding, result.rows_loaded) == (encoding, len(people))
    assert names(ws) == list(people)


def test_gb18030_with_old_mac_line_ends(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("客户编号,客户名称\rC1,郑伟\rC2,谢平\r".encode("gb18030"))
    result = ws.import_file("customers", path, today=TODAY)
    assert result.encoding == "gb18030" and names(ws) == ["郑伟", "谢平"]


def test_an_undecidable_file_asks_for_the_encoding(ws: Workspace, tmp_path: Path) -> None:
    # D691 D692: Hebrew accents in UTF-8, rare GBK ideographs in GB18030; neither is plausible.
    path = tmp_path / "c.csv"
    path.write_bytes(b"customer_id,name\nC1,\xd6\x91\xd6\x92\n")
    with pytest.raises(InputError) as err:
        ws.import_file("customers", path, today=TODAY)
    english, chinese = err.value.message("en"), err.value.message("zh")
    assert "line 2" in english and "--encoding gb18030" in english
    assert "第 2 行" in chinese and "--encoding" in chinese
    assert ws.store.table("customers").count().execute() == 0
    result = ws.import_file("customers", path, today=TODAY, encoding="gb18030")
    assert names(ws) == [b"\xd6\x91\xd6\x92".decode("gb18030")]
    assert result.encoding == "gb18030"


def test_a_gb18030_line_among_utf8_ones_is_mixed_even_if_valid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("id,name\nC1,上海恒泰\n".encode() + "C2,郑伟\n".encode("gb18030"))
    with pytest.raises(InputError) as err:
        detect_encoding(path)
    assert "line 2 is UTF-8 but line 3 is not" in err.value.message("en")


def test_accented_and_cyrillic_names_stay_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,name\nC1,Café Müller\nC2,Иван Петров\nC3,约翰·史密斯\nC4,¥100\n")
    assert detect_encoding(path)[0] == "utf-8"


GB2312_COMMON = bytes(range(0xB0, 0xD8))  # lead bytes of the 3,755 level-1 characters


@st.composite
def chinese_names(draw: st.DrawFn) -> str:
    chars = []
    for _ in range(draw(st.integers(1, 4))):
        lead = draw(st.sampled_from(GB2312_COMMON))
        trail = draw(st.integers(0xA1, 0xFE if lead != 0xD7 else 0xF9))
        chars.append(bytes((lead, trail)).decode("gb2312"))
    return "".join(chars)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=st.lists(chinese_names(), min_size=1, max_size=5),
       encoding=st.sampled_from(["utf-8", "gb18030"]))  # fmt: skip
def test_names_are_never_silently_misread(tmp_path: Path, people: list[str], encoding: str) -> None:
    """Any short list of common Chinese names, in either encoding, is read in that encoding
    (mixing is reported only where lines really differ, and these do not)."""
    path = tmp_path / "c.csv"
    path.write_bytes(("id,name\n" + "".join(f"C{i},{p}\n" for i, p in enumerate(people))).encode(
        encoding
    ))  # fmt: skip
    assert detect_encoding(path)[0] == encoding


def test_a_file_in_neither_encoding_names_its_line(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"customer_id,name\nC1,Cafe\nC2,Caf\xe9\n")  # Windows-1252
    with pytest.raises(InputError) as err:
        ws.import_file("customers", path, today=TODAY)
    assert "cannot be decoded as gb18030 (near line 3)" in err.value.message("en")
