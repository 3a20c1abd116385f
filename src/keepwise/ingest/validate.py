"""Parse and validate every row of an import in one vectorised pass (an in-memory DuckDB).

Each canonical column becomes a typed value plus an error code; a row with any error is
rejected with all of its problems, and the rest are passed on typed. Formats Chinese exports
use are understood: 2024-01-05, 2024/1/5, 2024年1月5日, Excel serial days, with or without a
time; amounts with ¥/￥/commas.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from keepwise._core.config import DEFAULT_TIMEZONE
from keepwise._core.disk import disk_full_error
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.ingest import sandbox
from keepwise.ingest.contract import FALSE_WORDS, STATUS_ALIASES, TRUE_WORDS, Column, Kind
from keepwise.ingest.mapping import Mapping, quote_ident, resolve_columns
from keepwise.ingest.readers import LINE

#: Longest id (or other key value) accepted: PostgreSQL's B-tree index refuses entries over
#: 2,704 bytes, and a key of two text columns of 255 characters (4 bytes each at most) fits.
ID_MAX_CHARS = 255

register(
    {
        "mapping.sql_error": {
            "zh": "映射文件中的 SQL 无法执行：{error}（CSV 的每一列都是文本，计算前请用 CAST 转换）",
            "en": "The SQL in the mapping file failed: {error} (every CSV column is text: "
            "CAST it before arithmetic)",
        },
        "row.required": {"zh": "必填项为空", "en": "required value is missing"},
        "row.not_number": {"zh": "不是数字：{value}", "en": "not a number: {value}"},
        "row.not_finite": {
            "zh": "不是有限的数字：{value}",
            "en": "not a finite number: {value}",
        },
        "row.not_integer": {"zh": "不是整数：{value}", "en": "not a whole number: {value}"},
        "row.too_large": {"zh": "数值过大：{value}", "en": "number too large: {value}"},
        "row.negative": {"zh": "不能为负数：{value}", "en": "must not be negative: {value}"},
        "row.out_of_range": {
            "zh": "超出范围 {low}–{high}：{value}",
            "en": "outside the range {low}-{high}: {value}",
        },
        "row.bad_date": {"zh": "无法识别的日期：{value}", "en": "not a date: {value}"},
        "row.date_too_old": {"zh": "日期早于1900年：{value}", "en": "date before 1900: {value}"},
        "row.date_future": {
            "zh": "日期在将来（晚于 {today}）：{value}",
            "en": "date in the future (after {today}): {value}",
        },
        "row.not_bool": {
            "zh": "不是是/否值：{value}",
            "en": "not a yes/no value: {value}",
        },
        "row.bad_status": {
            "zh": "未知状态：{value}（可用：active, at_risk, churned, voided, won_back）",
            "en": "unknown status: {value} (use active, at_risk, churned, voided, won_back)",
        },
        "row.unknown_reason": {
            "zh": "未知原因：{value}（见 keepwise reasons 列表）",
            "en": "unknown reason: {value} (see keepwise reasons)",
        },
        "row.unknown_customers": {
            "zh": "客户不存在：{value}（请先导入客户）",
            "en": "unknown customer: {value} (import the customers first)",
        },
        "row.duplicate_key": {
            "zh": "文件内重复的编号 {value}（首次出现在第 {first} 行）",
            "en": "duplicate id {value} in the file (first seen on line {first})",
        },
        "row.before_start": {
            "zh": "时间早于 {other}：{value}",
            "en": "earlier than {other}: {value}",
        },
        "row.nul_char": {
            "zh": "含有 NUL 字符（字节 0），数据库无法保存",
            "en": "contains a NUL character (byte 0), which databases cannot store",
        },
        "row.too_long": {
            "zh": f"编号超过 {ID_MAX_CHARS} 个字符",
            "en": f"an id longer than {ID_MAX_CHARS} characters",
        },
        "row.field_count": {
            "zh": "列数与表头不一致：{value}",
            "en": "the number of fields differs from the header: {value}",
        },
    }
)

_CURRENCY = r"[¥￥$€£,，\s元]"


@dataclass
class Validated:
    accepted: pa.Table  # canonical typed columns + LINE
    rejected: pa.Table  # LINE, ERRORS (list of "column|code|value|extra"), source columns
    ignored_columns: list[str]
    #: source column → canonical column, as detected (aliases) or given (a mapping file)
    column_mapping: dict[str, str] = dataclasses.field(default_factory=dict)


def _raw(expr: str) -> str:
    return f"NULLIF(TRIM(CAST({expr} AS VARCHAR)), '')"


def _number(v: str) -> str:
    return f"TRY_CAST(regexp_replace({v}, '{_CURRENCY}', '', 'g') AS DOUBLE)"


#: The UTC offset that may follow a time: +08, +0800, +08:00, -05, Z (or UTC, GMT).
_OFFSET = r"[zZ]|UTC|GMT|utc|gmt|[+-]\d{2}(?::?\d{2})?"
_TIME_AND_OFFSET = rf":\d{{2}}(?:\.\d+)?\s*(?:{_OFFSET})$"


def _timestamp(v: str, timezone: str) -> str:
    """A naive timestamp in the workspace's time zone: a time with an offset is converted, a
    local time (no offset) is kept as it is."""
    offset = f"regexp_extract({v}, '({_OFFSET})$', 1)"
    local = _local_timestamp(f"rtrim(left({v}, length({v}) - length({offset})))")
    digits = f"regexp_replace({offset}, '[^0-9]', '', 'g')"
    hours = f"COALESCE(TRY_CAST(substr({digits}, 1, 2) AS INTEGER), 0)"
    minutes = f"COALESCE(TRY_CAST(substr({digits}, 3, 2) AS INTEGER), 0)"
    sign = f"CASE WHEN starts_with({offset}, '-') THEN -1 ELSE 1 END"
    utc = f"{local} - to_minutes({sign} * ({hours} * 60 + {minutes}))"
    zone = timezone.replace("'", "''")
    converted = (
        f"CASE WHEN {hours} <= 14 AND {minutes} < 60 "
        f"THEN timezone('{zone}', timezone('UTC', {utc})) END"
    )
    return (
        f"CASE WHEN regexp_matches({v}, '{_TIME_AND_OFFSET}') THEN {converted} "
        f"ELSE {_local_timestamp(v)} END"
    )


def _local_timestamp(v: str) -> str:
    norm = (
        f"regexp_replace(regexp_replace(regexp_replace(regexp_replace({v}, "
        r"'^(\d{4})\.(\d{1,2})\.(\d{1,2})', '\1-\2-\3'), '[年月/]', '-', 'g'), '日', '', 'g'), "
        r"'T', ' ')"
    )
    formats = (
        "['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d', '%Y%m%d']"
    )
    serial = (
        rf"CASE WHEN regexp_full_match({v}, '\d{{5}}(\.\d+)?') THEN TIMESTAMP '1899-12-30' + "
        f"to_microseconds(CAST(round(CAST({v} AS DOUBLE) * 86400) AS BIGINT) * 1000000) END"
    )
    # ISO text (most exports, and every typed Parquet column) takes the fast cast. A date starts
    # with a digit: DuckDB reads the word 'epoch' as 1970-01-01 (cast) or 1900-01-01 (strptime).
    parsed = f"COALESCE(TRY_CAST({v} AS TIMESTAMP), try_strptime({norm}, {formats}), {serial})"
    return f"CASE WHEN ascii({v}) BETWEEN 48 AND 57 THEN {parsed} END"  # '0'-'9', cheaply


def _sql_list(words: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def _case_map(v: str, mapping: dict[str, str]) -> str:
    whens = " ".join(
        f"WHEN '{k.replace(chr(39), chr(39) * 2)}' THEN '{code}'" for k, code in mapping.items()
    )
    return f"CASE lower({v}) {whens} END"


def _parse_sql(col: Column, v: str, reasons: dict[str, str], timezone: str) -> str:
    """SQL of the value of one column parsed from its raw text ``v``; computed once per row, as
    the checks of :func:`_column_sql` read it several times."""
    if col.type in ("id", "text"):
        default = None if col.default is None else col.default.replace("'", "''")
        return v if default is None else f"COALESCE({v}, '{default}')"
    if col.type in ("amount", "number", "int"):
        return _number(v)
    if col.type in ("datetime", "date"):
        return _timestamp(v, timezone)
    if col.type == "bool":
        value = (
            f"CASE WHEN lower({v}) IN {_sql_list(TRUE_WORDS)} THEN TRUE "
            f"WHEN {v} IS NULL OR lower({v}) IN {_sql_list(FALSE_WORDS)} THEN FALSE END"
        )
        if col.name == "active":  # an owner is active unless the file says otherwise
            value = f"COALESCE(CASE WHEN {v} IS NULL THEN TRUE END, {value})"
        return value
    return _case_map(v, STATUS_ALIASES if col.type == "status" else reasons)


def _column_sql(
    col: Column, v: str, p: str, today: dt.date, *, in_key: bool = False
) -> tuple[str, str]:
    """(typed value, error code or NULL) SQL for one column whose raw text is ``v`` and parsed
    value ``p``."""
    checks: list[tuple[str, str]] = []
    value = p
    if col.type in ("id", "text"):
        # Rejected on every backend alike, although only PostgreSQL would fail to store them.
        checks.append((f"contains({v}, chr(0))", "nul_char"))
        if col.type == "id" or in_key:
            checks.append((f"length({v}) > {ID_MAX_CHARS}", "too_long"))
    elif col.type in ("amount", "number", "int"):
        checks.append((f"{v} IS NOT NULL AND {p} IS NULL", "not_number"))
        checks.append((f"NOT isfinite({p})", "not_finite"))  # inf, nan, 1e309
        if col.type == "int":
            checks.append((f"{p} <> floor({p})", "not_integer"))
        if col.type == "amount":
            checks.append((f"{p} < 0", "negative"))
        if col.range:
            checks.append((f"{p} NOT BETWEEN {col.range[0]} AND {col.range[1]}", "out_of_range"))
        if col.type == "int":
            checks.append((f"{p} IS NOT NULL AND TRY_CAST({p} AS BIGINT) IS NULL", "too_large"))
            value = f"TRY_CAST({p} AS BIGINT)"
    elif col.type in ("datetime", "date"):
        checks.append((f"{v} IS NOT NULL AND {p} IS NULL", "bad_date"))
        checks.append((f"{p} < TIMESTAMP '1900-01-01'", "date_too_old"))
        if not col.future_ok:
            limit = today + dt.timedelta(days=1)
            checks.append((f"{p} >= TIMESTAMP '{limit.isoformat()}'", "date_future"))
        if col.type == "date":
            value = f"CAST({p} AS DATE)"
    elif col.type == "bool":
        checks.append((f"{p} IS NULL", "not_bool"))
    elif col.type in ("status", "reason"):
        code = "bad_status" if col.type == "status" else "unknown_reason"
        checks.append((f"{v} IS NOT NULL AND {p} IS NULL", code))
    if col.required:
        checks.insert(0, (f"{v} IS NULL", "required"))
    if col.references:
        ref = f"ref_{col.references}"
        checks.append((f"{value} IS NOT NULL AND {value} NOT IN (SELECT k FROM {ref})",
                       f"unknown_{col.references}"))  # fmt: skip
    error = "CASE " + " ".join(f"WHEN {c} THEN '{code}'" for c, code in checks) + " END"
    return value, error if checks else "NULL"


def validate(
    source: pa.Table,
    kind: Kind,
    mapping: Mapping,
    *,
    today: dt.date,
    references: dict[str, pa.Array],
    reasons: dict[str, str],
    spill_dir: Path | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Validated:
    """In memory (spilling to ``spill_dir`` when large), in the mapping SQL sandbox."""
    sandbox.check_mapping_sql(mapping)
    con = sandbox.connect(spill_dir)
    try:
        return _validate(con, source, kind, mapping, today, references, reasons, timezone)
    except duckdb.Error as exc:
        full = disk_full_error(exc, spill_dir)
        if full is not None:
            raise full from None
        # Otherwise only the user's SQL in a mapping file (query or expressions) can fail here.
        raise sandbox.forbidden(exc) or InputError(
            "mapping.sql_error", error=str(exc).strip().splitlines()[0]
        ) from None
    finally:
        con.close()


def _validate(
    con: duckdb.DuckDBPyConnection,
    source: pa.Table,
    kind: Kind,
    mapping: Mapping,
    today: dt.date,
    references: dict[str, pa.Array],
    reasons: dict[str, str],
    timezone: str,
) -> Validated:
    con.register("source", _integral_floats_as_ints(source))
    if mapping.query:
        con.execute(f"CREATE TEMP VIEW src0 AS {mapping.query}")
        cols = [r[0] for r in con.execute("DESCRIBE src0").fetchall()]
        line = quote_ident(LINE) if LINE in cols else "row_number() OVER ()"
        # Materialised: row_number() must give every later read the same numbering.
        con.execute(f"CREATE TEMP TABLE src AS SELECT *, {line} AS __line FROM src0")
        header = [c for c in cols if c != LINE]
    else:
        con.execute(f'CREATE TEMP VIEW src AS SELECT *, "{LINE}" AS __line FROM source')
        header = [c for c in source.column_names if c != LINE]
    resolved = resolve_columns(kind, header, mapping)
    detected = resolved.sources()
    for col in kind.columns:  # a key column with a default may be left out (usage: feature)
        if col.default is not None and col.name not in resolved.expressions:
            resolved.expressions[col.name] = "NULL"
    select_raw = ", ".join(
        f"{_raw(expr)} AS {quote_ident('r_' + name)}" for name, expr in resolved.expressions.items()
    )
    # Only the mapped columns are copied; rejected rows fetch their other values from src.
    con.execute(f"CREATE TEMP TABLE raw AS SELECT __line, {select_raw} FROM src")
    # Registered only now: the mapping's SQL (above) sees the imported file and nothing else.
    for name, keys in references.items():
        con.register(f"ref_{name}", pa.table({"k": keys}))
    present = [c for c in kind.columns if c.name in resolved.expressions]
    parsed, typed = [], []
    for col in present:
        v, p = quote_ident("r_" + col.name), quote_ident("p_" + col.name)
        parsed.append(f"{_parse_sql(col, v, reasons, timezone)} AS {p}")
        value, error = _column_sql(col, v, p, today, in_key=col.name in kind.key)
        typed.append(
            f"{value} AS {quote_ident(col.name)}, {error} AS {quote_ident('e_' + col.name)}"
        )
    con.execute(
        f"CREATE TEMP TABLE typed AS SELECT __line, {', '.join(typed)} "
        f"FROM (SELECT *, {', '.join(parsed)} FROM raw) AS parsed"
    )
    _mark_duplicates(con, kind, present)
    _mark_order_checks(con, [c.name for c in present])
    validated = _split(con, kind, present, header, resolved.ignored)
    return dataclasses.replace(validated, column_mapping=detected)


def _mark_duplicates(con: duckdb.DuckDBPyConnection, kind: Kind, present: list[Column]) -> None:
    names = {c.name for c in present}
    keys = [k for k in kind.key if k in names]
    if len(keys) != len(kind.key):
        return
    part = ", ".join(quote_ident(k) for k in keys)
    valid = " AND ".join(f"e_{k} IS NULL" for k in keys)
    con.execute("ALTER TABLE typed ADD COLUMN e__dup VARCHAR")
    con.execute(
        f"UPDATE typed SET e__dup = d.first FROM (SELECT __line, CAST(min(__line) OVER w AS VARCHAR)"
        f" AS first, row_number() OVER (w ORDER BY __line) AS n FROM typed WHERE {valid} "
        f"WINDOW w AS (PARTITION BY {part})) d WHERE typed.__line = d.__line AND d.n > 1"
    )


_ORDERED = (
    ("first_response_at", "opened_at"),
    ("resolved_at", "opened_at"),
    ("converted_at", "created_at"),
    ("end_date", "start_date"),
)


def _mark_order_checks(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for later, earlier in _ORDERED:
        if later in names and earlier in names:
            con.execute(
                f"UPDATE typed SET e_{later} = 'before_start:{earlier}' "
                f"WHERE e_{later} IS NULL AND {later} < {earlier}"
            )


def _split(
    con: duckdb.DuckDBPyConnection,
    kind: Kind,
    present: list[Column],
    header: list[str],
    ignored: list[str],
) -> Validated:
    error_cols = [r[0] for r in con.execute("DESCRIBE typed").fetchall() if r[0].startswith("e_")]
    any_error = " OR ".join(f"{c} IS NOT NULL" for c in error_cols) or "FALSE"
    values = ", ".join(quote_ident(c.name) for c in present)
    accepted = con.execute(
        f'SELECT {values}, __line AS "{LINE}" FROM typed WHERE NOT ({any_error}) ORDER BY __line'
    ).to_arrow_table()
    key_raw = " || '/' || ".join(f"coalesce(r.r_{k}, '')" for k in kind.key if k in
                                 {c.name for c in present}) or "''"  # fmt: skip
    errors = ", ".join(
        f"CASE WHEN t.{e} IS NOT NULL THEN '{e[2:]}|' || t.{e} || '|' || "
        f"coalesce(CAST(r.{quote_ident('r_' + e[2:])} AS VARCHAR), '') END"
        if e != "e__dup"
        else f"CASE WHEN t.e__dup IS NOT NULL THEN '_key|duplicate_key:' || t.e__dup || '|' || "
        f"{key_raw} END"
        for e in error_cols
    )
    source_cols = ", ".join(
        f"CAST(s.{quote_ident(h)} AS VARCHAR) AS {quote_ident(h)}" for h in header
    )
    rejected = con.execute(
        f'SELECT t.__line AS "{LINE}", list_filter([{errors}], x -> x IS NOT NULL) AS errors, '
        f"{source_cols} FROM typed t JOIN raw r USING (__line) JOIN src s USING (__line) "
        f"WHERE {any_error} ORDER BY t.__line"
    ).to_arrow_table()
    return Validated(accepted, rejected, ignored)


def _integral_floats_as_ints(table: pa.Table) -> pa.Table:
    """Parquet ids such as 17850.0 (a float column with nulls) become 17850."""
    for i, field in enumerate(table.schema):
        if pa.types.is_floating(field.type):
            col = table.column(i)
            valid = pc.drop_null(col)
            if len(valid) and pc.all(pc.equal(pc.floor(valid), valid)).as_py():
                table = table.set_column(i, field.name, pc.cast(col, pa.int64()))
    return table
