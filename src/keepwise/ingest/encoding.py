"""Telling UTF-8 from GB18030 on the whole file, not on a sample (FACTS.md).

Neither encoding can be told from validity alone: some GB18030 text is valid UTF-8 too (郑伟 is
the bytes of '֣ΰ', 谢平 those of 'лƽ'), and UTF-8 Chinese is mostly valid GB18030 ('上海' reads
as '涓婃捣'). Where both readings of a line are valid, the plausible one wins: common Chinese
characters (GB2312 level 1), CJK punctuation and words of one alphabet, rather than rare
characters, combining marks, or Hebrew, Greek and Cyrillic letters wedged between Chinese ones.
Lines that clearly read as different encodings make the file *mixed*; a file whose readings are
equally implausible is refused with both readings shown, never loaded as mojibake.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

from keepwise._core.errors import InputError
from keepwise._core.i18n import register

CHUNK = 16 << 20
#: A reading at most this odd (weighted share of its non-ASCII characters) is plausible text.
PLAUSIBLE = 0.25
#: A line whose readings differ by more than this is evidence for one encoding.
MARGIN = 0.3
#: Over the ambiguous lines of a file, a plausible reading must be better by this much to win.
DECISIVE = 0.1

register(
    {
        "read.mixed_encoding": {
            "zh": "文件混用了多种编码：第 {utf8_line} 行是 UTF-8，第 {other_line} 行不是。"
            "请将整个文件另存为同一种编码（推荐 UTF-8）后重试，或用 --encoding 指定",
            "en": "The file mixes encodings: line {utf8_line} is UTF-8 but line {other_line} "
            "is not. Save the whole file in one encoding (UTF-8 recommended) and retry, "
            "or name it with --encoding",
        },
        "read.ambiguous_encoding": {
            "zh": "无法判断文件的编码：第 {line} 行按 UTF-8 读作「{utf8}」，按 GB18030 读作「{gb}」。"
            "请用 --encoding utf-8 或 --encoding gb18030 指定",
            "en": "Cannot tell the file's encoding: line {line} reads as '{utf8}' in UTF-8 and "
            "as '{gb}' in GB18030. Name it with --encoding utf-8 or --encoding gb18030",
        },
    }
)

_NON_ASCII = re.compile(rb"[\x80-\xff]")
_ASCII_EDGE = r"(?:(?<![^\x00-\x7f]){w}+|{w}+(?![^\x00-\x7f]))"
#: Accented Latin words (Café, Müller, £5): the run touches an ASCII letter or digit.
_LATIN_WORD = r"(?<=[A-Za-z0-9])[\u00a0-\u017f]+|[\u00a0-\u017f]+(?=[A-Za-z0-9])"
#: ¥ · ° × ÷ beside a Chinese character (约翰·史密斯); alone they are odd.
_CJK_SYMBOL = r"(?<=[\u4e00-\u9fff])[¥·°×÷]|[¥·°×÷](?=[\u4e00-\u9fff])"
_IN_CONTEXT = re.compile(f"{_LATIN_WORD}|{_CJK_SYMBOL}")
_GREEK_CYRILLIC_WORD = re.compile(
    _ASCII_EDGE.format(w=r"[\u0370-\u03ff]") + "|" + _ASCII_EDGE.format(w=r"[\u0400-\u04ff]")
)
#: Punctuation and symbols of Chinese and other business text, plausible in any position.
_COMMON = r"\u2000-\u206f\u2100-\u27bf\u3000-\u30ff\ufeff\uff01-\uffef\U0001f000-\U0001faff"
#: What a UTF-8 reading may contain without a closer look (any CJK ideograph included).
_UNREMARKABLE = re.compile(rf"[^\x00-\x7f{_COMMON}\u4e00-\u9fff]")


@dataclass
class _Evidence:
    utf8_line: int = 0  # first line that reads as UTF-8 only (or clearly better)
    gb_line: int = 0  # first line that is not UTF-8 (or reads clearly better as GB18030)
    ambiguous: tuple[int, str, str] | None = None
    odd_utf8: float = 0.0  # over the ambiguous lines: weighted odd characters …
    odd_gb: float = 0.0
    chars_utf8: int = 0  # … and non-ASCII characters of each reading
    chars_gb: int = 0


def detect_encoding(path: Path) -> tuple[str, str]:
    """(encoding, sha256) of a CSV file: ``utf-8-sig``, ``utf-8`` or ``gb18030``."""
    digest = hashlib.sha256()
    evidence = _Evidence()
    with path.open("rb") as fh:
        bom = fh.read(3) == b"\xef\xbb\xbf"
        fh.seek(0)
        for first_line, block in _blocks(fh, digest.update):
            _examine_block(first_line, block, evidence)
    return _decide(evidence, bom), digest.hexdigest()


def _blocks(fh: BinaryIO, update: Callable[[bytes], object]) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, block of whole lines) over the file; lines end in CR, LF or
    CRLF, so old Mac files split into lines as well."""
    line, rest = 1, b""
    while chunk := fh.read(CHUNK):
        update(chunk)
        data = rest + chunk
        cut = data.rfind(b"\n") + 1 or data.rfind(b"\r", 0, len(data) - 1) + 1
        block, rest = data[:cut], data[cut:]
        if block:
            yield line, block
            line += count_breaks(block)
    if rest:
        yield line, rest


def count_breaks(block: bytes) -> int:
    """Line breaks in ``block``: LF, CRLF or a CR alone."""
    return block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")


def _decode(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _unremarkable(text: str) -> bool:
    """Nothing in ``text`` needs a closer look: every character is ASCII, CJK or common
    punctuation, or an accented letter or symbol in its context (Café, ¥100, 约翰·史密斯)."""
    pos = 0
    while found := _UNREMARKABLE.search(text, pos):
        in_context = _IN_CONTEXT.match(text, found.start())  # its lookbehind sees before pos
        if in_context is None:
            return False
        pos = in_context.end()
    return True


def _examine_block(first_line: int, block: bytes, ev: _Evidence) -> None:
    if block.isascii():
        return
    text = _decode(block, "utf-8")
    if text is not None and _UNREMARKABLE.search(text) is None:
        if not ev.utf8_line:
            start = _NON_ASCII.search(block)
            ev.utf8_line = first_line + count_breaks(block[: start.start() if start else 0])
        return
    for offset, raw in enumerate(block.splitlines()):  # CR, LF and CRLF
        if not raw.isascii():
            _examine_line(first_line + offset, raw, ev)


def _examine_line(number: int, raw: bytes, ev: _Evidence) -> None:
    """A line that is not UTF-8 counts for GB18030 (whether it is valid GB18030 is found when
    the file is transcoded, with its line)."""
    utf8 = _decode(raw, "utf-8")
    if utf8 is None:
        ev.gb_line = ev.gb_line or number
        return
    gb = None if _unremarkable(utf8) else _decode(raw, "gb18030")
    if gb is None:
        ev.utf8_line = ev.utf8_line or number
        return
    (odd_u, n_u), (odd_g, n_g) = oddness(utf8), oddness(gb)
    if odd_u / n_u - odd_g / n_g > MARGIN:
        ev.gb_line = ev.gb_line or number
    elif odd_g / n_g - odd_u / n_u > MARGIN:
        ev.utf8_line = ev.utf8_line or number
    else:
        ev.ambiguous = ev.ambiguous or (number, utf8, gb)
        ev.odd_utf8 += odd_u
        ev.odd_gb += odd_g
        ev.chars_utf8 += n_u
        ev.chars_gb += n_g


def _decide(ev: _Evidence, bom: bool) -> str:
    utf8 = "utf-8-sig" if bom else "utf-8"
    if ev.utf8_line and ev.gb_line:
        raise InputError("read.mixed_encoding", utf8_line=ev.utf8_line, other_line=ev.gb_line)
    if ev.utf8_line:
        return utf8
    if ev.gb_line:
        return "gb18030"
    if ev.ambiguous is None:
        return utf8
    share_u, share_g = ev.odd_utf8 / ev.chars_utf8, ev.odd_gb / ev.chars_gb
    gap = abs(share_u - share_g)
    if gap > MARGIN or (min(share_u, share_g) <= PLAUSIBLE and gap >= DECISIVE):
        return utf8 if share_u < share_g else "gb18030"
    line, text_u, text_g = ev.ambiguous
    raise InputError("read.ambiguous_encoding", line=line, utf8=_shown(text_u), gb=_shown(text_g))


def _shown(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text.strip())[:60]


def oddness(text: str) -> tuple[float, int]:
    """(weighted count of implausible characters, count of non-ASCII characters) of a reading.

    Plausible (0): common Chinese characters, punctuation, accented Latin words. Half odd:
    level-2 GB2312 characters (rarer, yet frequent in names). A quarter odd: Greek or Cyrillic
    words (plausible, but unusual in Chinese business files). Odd (1): anything else — rare
    ideographs, combining marks, other scripts, letters wedged between Chinese characters.
    """
    chars = len(text) - len(text.encode("ascii", "ignore"))
    plausible = sum(map(len, _plausible_pattern().findall(text)))
    level2 = len(_level2_pattern().findall(text))
    words = sum(map(len, _GREEK_CYRILLIC_WORD.findall(text)))
    return chars - plausible - 0.5 * level2 - 0.75 * words, max(chars, 1)


def _gb2312_class(leads: range) -> str:
    chars = []
    for lead in leads:
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(sorted(chars))


@cache
def _plausible_pattern() -> re.Pattern[str]:
    level1 = _gb2312_class(range(0xB0, 0xD8))
    return re.compile(f"{_IN_CONTEXT.pattern}|[{_COMMON}{level1}]")


@cache
def _level2_pattern() -> re.Pattern[str]:
    return re.compile(f"[{_gb2312_class(range(0xD8, 0xF8))}]")
