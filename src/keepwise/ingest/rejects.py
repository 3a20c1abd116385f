"""The rejects file: every row an import refused, with its line, column(s) and reason(s) in the
user's language. UTF-8 with BOM so Excel opens it correctly; cells that Excel would run as a
formula (``=cmd|…``, ``+``, ``-``, ``@``) are escaped with a leading apostrophe."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from keepwise._core.i18n import Lang, register, t
from keepwise.ingest.contract import Kind
from keepwise.ingest.readers import LINE

register(
    {
        "rejects.line": {"zh": "行号", "en": "line"},
        "rejects.column": {"zh": "列", "en": "column"},
        "rejects.reason": {"zh": "原因", "en": "reason"},
    }
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*")


def excel_safe(value: str) -> str:
    """Neutralise CSV injection: Excel must show the text, never evaluate it. A plain number
    such as -5 is no formula and stays as it is, so the file can be fixed and re-imported."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


@dataclass(frozen=True)
class Reject:
    line: int
    columns: list[str]
    reasons: list[str]
    values: list[str]


def describe_rejects(
    rejected: pa.Table,
    malformed: list[tuple[int, str, str]],
    kind: Kind,
    lang: Lang,
    today: str,
) -> list[Reject]:
    header = [c for c in rejected.column_names if c not in (LINE, "errors")]
    out = [
        Reject(line, [""], [t("row.field_count", lang, value=raw[:200])], [raw])
        for line, raw, _ in malformed
    ]
    lines = rejected.column(LINE).to_pylist()
    errors = rejected.column("errors").to_pylist()
    values = [rejected.column(h).to_pylist() for h in header]
    for i, (line, errs) in enumerate(zip(lines, errors, strict=True)):
        columns, reasons = [], []
        for err in errs:
            column, code, value = err.split("|", 2)
            columns.append(", ".join(kind.key) if column == "_key" else column)
            reasons.append(_reason_text(kind, column, code, value, lang, today))
        out.append(Reject(line, columns, reasons, [v or "" for v in (col[i] for col in values)]))
    out.sort(key=lambda r: r.line)
    return out


def _reason_text(kind: Kind, column: str, code: str, value: str, lang: Lang, today: str) -> str:
    code, _, extra = code.partition(":")
    params: dict[str, object] = {"value": value, "first": extra, "other": extra, "today": today}
    if code == "out_of_range":
        low, high = kind.column(column).range or (0, 0)
        params.update(low=f"{low:g}", high=f"{high:g}")
    return t(f"row.{code}", lang, **params)


def write_rejects(path: Path, rejects: list[Reject], header: list[str], lang: Lang) -> None:
    """One row per rejected line; a line that could not be split keeps its raw text in the first
    value column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        head = [t("rejects.line", lang), t("rejects.column", lang), t("rejects.reason", lang)]
        writer.writerow([excel_safe(c) for c in head + header])  # a header cell is a cell too
        for r in rejects:
            cells = [str(r.line), "; ".join(r.columns), "; ".join(r.reasons)]
            writer.writerow([excel_safe(c) for c in cells + r.values])
