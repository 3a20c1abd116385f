"""Reading import files (CSV in UTF-8 / UTF-8 with BOM / GB18030, XLSX, Parquet) into Arrow.

The encoding of a CSV file is decided on the whole file (:mod:`keepwise.ingest.encoding`); lines
may end in LF, CRLF or CR alone (old Mac and Excel exports). Every value of a CSV or XLSX file is
read as text; parsing and validation happen later, in one place.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.ingest.encoding import count_breaks, detect_encoding

LINE = "_line"  # the record's line in the file (the header is line 1)
CHUNK = 16 << 20

register(
    {
        "read.missing": {"zh": "找不到文件 {path}", "en": "File not found: {path}"},
        "read.format": {
            "zh": "不支持的文件类型 {suffix}：请使用 CSV、XLSX 或 Parquet",
            "en": "Unsupported file type {suffix}: use CSV, XLSX or Parquet",
        },
        "read.empty": {"zh": "文件 {path} 是空的", "en": "The file {path} is empty"},
        "read.header_only": {
            "zh": "文件 {path} 只有表头，没有数据行",
            "en": "The file {path} has a header but no data rows",
        },
        "read.bad_encoding": {
            "zh": "无法按 {encoding} 解码文件（第 {line} 行附近）；请用 --encoding 指定正确的编码",
            "en": "The file cannot be decoded as {encoding} (near line {line}); "
            "name the right encoding with --encoding",
        },
        "read.unknown_encoding": {
            "zh": "未知的编码 {encoding}",
            "en": "Unknown encoding {encoding}",
        },
        "read.truncated": {
            "zh": "文件在第 {line} 行附近被截断或有未闭合的引号：{error}",
            "en": "The file is truncated or has an unclosed quote near line {line}: {error}",
        },
        "read.unreadable": {
            "zh": "无法读取文件 {path}：{error}",
            "en": "Cannot read the file {path}: {error}",
        },
        "read.duplicate_header": {
            "zh": "表头中列名 {name} 出现了不止一次",
            "en": "The header names the column {name} more than once",
        },
    }
)


@dataclass
class ReadResult:
    table: pa.Table  # source columns (text for CSV/XLSX) plus LINE
    encoding: str | None
    checksum: str
    delimiter: str | None = None
    #: Rows the parser could not split into the header's columns: (line, raw text, reason key).
    malformed: list[tuple[int, str, str]] = field(default_factory=list)


Progress = Callable[[int, int], None]


def read_file(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Progress | None = None,
    temp_dir: Path | None = None,
) -> ReadResult:
    """``temp_dir``: where a file in another encoding is copied as UTF-8 while it is read."""
    if not path.is_file():
        raise InputError("read.missing", path=str(path))
    if path.stat().st_size == 0:
        raise InputError("read.empty", path=path.name)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        result = _read_csv(path, encoding, delimiter, progress, temp_dir)
    elif suffix in (".xlsx", ".xlsm"):
        result = _read_xlsx(path)
    elif suffix in (".parquet", ".pq"):
        result = _read_parquet(path)
    else:
        raise InputError("read.format", suffix=suffix or path.name)
    if result.table.num_rows == 0 and not result.malformed:
        raise InputError("read.header_only", path=path.name)
    return result


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- CSV -----------------------------------------------------------------------------------


def _check_quotes_closed(source: Path, delimiter: str) -> None:
    """A file cut off inside a quoted value would be read with the rest of the file as that
    value. Only a quote at the start of a field opens one (as for Arrow's parser): an inch mark
    (``27"``) inside a value is text. Counting quotes finds the suspects (an odd number); only
    those files are scanned field by field."""
    odd = False
    with source.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            odd ^= chunk.count(b'"') % 2 == 1
    if not odd:
        return
    data = source.read_bytes()
    field_start = rb"(?:(?<=[" + re.escape(delimiter.encode()) + rb"\r\n])|(?<=\xef\xbb\xbf)|^)"
    quoted = re.compile(field_start + rb'"[^"]*(?:""[^"]*)*(")?')
    for match in quoted.finditer(data):
        if match.group(1) is None:
            line = 1 + count_breaks(data[: match.start()])
            raise InputError("read.truncated", line=line, error="unclosed quote")


def _transcode_to_utf8(path: Path, encoding: str, temp_dir: Path | None) -> Path:
    """Write a UTF-8 copy of a file in another encoding (Arrow's CSV reader reads UTF-8)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    out = tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False, dir=temp_dir)  # noqa: SIM115
    lines_done = 1
    try:
        with path.open("rb") as fh, out:
            while chunk := fh.read(CHUNK):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = lines_done + count_breaks(chunk[: exc.start])
                    raise InputError("read.bad_encoding", encoding=encoding, line=line) from None
                lines_done += count_breaks(chunk)
                out.write(text.encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except BaseException as exc:
        Path(out.name).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = out.name  # a failed write does not say which file (a full disk)
        raise
    return Path(out.name)


def _sniff_delimiter(sample: str) -> str:
    lines = sample.replace("\r\n", "\n").replace("\r", "\n")  # the sniffer splits on LF only
    try:
        return csv.Sniffer().sniff(lines, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _read_csv(
    path: Path,
    encoding: str | None,
    delimiter: str | None,
    progress: Progress | None,
    temp_dir: Path | None,
) -> ReadResult:
    if encoding:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise InputError("read.unknown_encoding", encoding=encoding) from None
        checksum = file_checksum(path)
    else:
        encoding, checksum = detect_encoding(path)
    utf8 = encoding in ("utf-8", "utf-8-sig")
    source = path if utf8 else _transcode_to_utf8(path, encoding, temp_dir)
    try:
        with source.open("r", encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(64 << 10)
        if not sample.strip():
            raise InputError("read.empty", path=path.name)
        delimiter = delimiter or _sniff_delimiter(sample)
        _check_quotes_closed(source, delimiter)
        # newline="": a header cell may hold a quoted line break, and lines may end in CR alone.
        header_reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        header = next(header_reader)
        table, malformed = _parse_csv(source, header, header_reader.line_num, delimiter, progress)
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    return ReadResult(table, encoding, checksum, delimiter, malformed)


def _unique_header(header: list[str]) -> list[str]:
    names = [h.strip().lstrip("\ufeff") or f"column_{i + 1}" for i, h in enumerate(header)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError("read.duplicate_header", name=name)
        seen.add(name)
    return names


def _parse_csv(
    source: Path, header: list[str], header_lines: int, delimiter: str, progress: Progress | None
) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    names = _unique_header(header)
    malformed: list[tuple[int, str, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        malformed.append((row.number or 0, row.text or "", "row.field_count"))
        return "skip"

    size = source.stat().st_size
    # skip_rows_after_names skips a parsed record (a quoted line break in the header included);
    # skip_rows would skip one physical line.
    read_opts = pacsv.ReadOptions(column_names=names, skip_rows_after_names=1, block_size=8 << 20)
    parse_opts = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
    )
    convert_opts = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
    )
    batches = []
    try:
        reader = pacsv.open_csv(source, read_opts, parse_opts, convert_opts)
        done = 0
        for batch in reader:
            batches.append(batch)
            done += batch.nbytes
            if progress:
                progress(min(done, size), size)
    except pa.ArrowInvalid as exc:
        rows = sum(b.num_rows for b in batches) + len(malformed)
        raise InputError("read.truncated", line=rows + 2, error=str(exc).splitlines()[0]) from None
    table = pa.Table.from_batches(batches, schema=reader.schema)
    if any(m[0] == 0 for m in malformed):
        malformed = _locate_malformed(source, malformed)
    # Line numbers: the header takes its lines, records follow. Malformed rows are counted apart,
    # so the numbering of good rows skips them (exact unless a value spans several lines).
    lines = _good_row_lines(table.num_rows, [m[0] for m in malformed], header_lines + 1)
    return table.append_column(LINE, lines), malformed


def _locate_malformed(
    source: Path, malformed: list[tuple[int, str, str]]
) -> list[tuple[int, str, str]]:
    """Find the line of each malformed row by its text: the parser cannot number rows when
    values may span lines, and malformed rows are rare enough for one scan of the file."""
    located: list[tuple[int, str, str]] = []
    pending = iter(malformed)
    current = next(pending, None)
    with source.open("r", encoding="utf-8-sig", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            if current is None:
                break
            if line.rstrip("\r\n") == current[1].rstrip("\r\n"):
                located.append((number, current[1], current[2]))
                current = next(pending, None)
    return located + ([current] if current else []) + list(pending)


def _good_row_lines(n_good: int, bad_lines: list[int], first: int) -> pa.Array:
    import numpy as np

    total = n_good + len(bad_lines)
    all_lines = np.arange(first, total + first, dtype=np.int64)
    if bad_lines:
        all_lines = all_lines[~np.isin(all_lines, np.asarray(bad_lines, dtype=np.int64))]
        all_lines = all_lines[:n_good]
    return pa.array(all_lines)


# --- XLSX and Parquet ----------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path) -> ReadResult:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip or XML damage
        raise InputError("read.unreadable", path=path.name, error=str(exc)) from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise InputError("read.empty", path=path.name)
    names = _unique_header([_cell_text(v) for v in header_row])
    columns: list[list[str]] = [[] for _ in names]
    lines: list[int] = []
    for number, row in enumerate(rows, start=2):
        if all(v is None or v == "" for v in row):
            continue
        for i in range(len(names)):
            columns[i].append(_cell_text(row[i]) if i < len(row) else "")
        lines.append(number)
    book.close()
    table = pa.table(
        {**{n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)}, LINE: lines}
    )
    return ReadResult(table, None, file_checksum(path))


def _read_parquet(path: Path) -> ReadResult:
    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise InputError("read.unreadable", path=path.name, error=str(exc)) from None
    lines = pa.array(range(1, table.num_rows + 1), pa.int64())  # Parquet rows: 1-based index
    return ReadResult(table.append_column(LINE, lines), None, file_checksum(path))
