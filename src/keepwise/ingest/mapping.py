"""From a file's header to the canonical columns: built-in aliases plus an optional mapping file.

A mapping file (YAML or TOML) may say, for one import kind::

    query: SELECT * FROM source WHERE Quantity <> 0   # optional SQL over the file ("source")
    encoding: gb18030                                 # optional
    delimiter: ";"                                    # optional
    columns:
      customer_id: CustomerID                         # a column of the file
      amount: {sql: "abs(Quantity * UnitPrice)"}      # or a DuckDB SQL expression over it
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.ingest.contract import Kind, normalise_header

register(
    {
        "mapping.unreadable": {
            "zh": "无法读取映射文件 {path}：{error}",
            "en": "Cannot read the mapping file {path}: {error}",
        },
        "mapping.unknown_target": {
            "zh": "映射文件中的 {name} 不是 {kind} 的标准列；可用的列：{columns}",
            "en": "The mapping file names {name}, which is not a column of {kind}; "
            "columns: {columns}",
        },
        "mapping.unknown_source": {
            "zh": "映射文件把 {target} 对应到 {source}，但文件中没有这一列；文件的列：{header}",
            "en": "The mapping file maps {target} to {source}, but the file has no such column; "
            "the file's columns: {header}",
        },
        "mapping.missing_required": {
            "zh": "文件缺少必需的列 {missing}（{kind}）。文件的列：{header}。"
            "可以用 --mapping 指定对应关系",
            "en": "The file lacks the required column(s) {missing} ({kind}). The file's columns: "
            "{header}. Map them with --mapping",
        },
        "mapping.delimiter_hint": {
            "zh": "文件只解析出一列（{header}），分隔符可能不对；请用 --delimiter 指定",
            "en": "The file parsed into a single column ({header}): the delimiter is probably "
            "wrong; name it with --delimiter",
        },
    }
)


@dataclass
class Mapping:
    columns: dict[str, str | dict[str, str]] = field(default_factory=dict)
    query: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw: Any = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise InputError("mapping.unreadable", path=str(path), error=str(exc)) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("columns", {}), dict):
        raise InputError("mapping.unreadable", path=str(path), error="expected a 'columns' table")
    return Mapping(
        columns={str(k): v for k, v in raw.get("columns", {}).items()},
        query=raw.get("query"),
        encoding=raw.get("encoding"),
        delimiter=raw.get("delimiter"),
    )


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Resolved:
    #: canonical column → SQL expression over the source
    expressions: dict[str, str]
    #: source columns that map to nothing (reported, not an error)
    ignored: list[str]

    def sources(self) -> dict[str, str]:
        """The mapping the import uses, as a user reads it: source column → canonical column
        (a mapping file's SQL expression stands for its source)."""
        out = {}
        for target, expr in self.expressions.items():
            quoted = len(expr) > 1 and expr[0] == expr[-1] == '"'
            out[expr[1:-1].replace('""', '"') if quoted else expr] = target
        return out


def resolve_columns(kind: Kind, header: list[str], mapping: Mapping) -> Resolved:
    """Match the file's columns to the kind's canonical columns."""
    canonical = {c.name for c in kind.columns}
    by_norm = {normalise_header(h): h for h in header}
    expressions: dict[str, str] = {}
    for target, source in mapping.columns.items():
        if target not in canonical:
            raise InputError(
                "mapping.unknown_target", name=target, kind=kind.name, columns=", ".join(canonical)
            )
        if isinstance(source, dict) and "sql" in source:
            expressions[target] = f"({source['sql']})"
            continue
        found = by_norm.get(normalise_header(str(source)))
        if found is None:
            raise InputError(
                "mapping.unknown_source", target=target, source=source, header=", ".join(header)
            )
        expressions[target] = quote_ident(found)
    used = {e.strip('"') for e in expressions.values()}
    for column in kind.columns:
        if column.name in expressions:
            continue
        for spelling in (column.name, *column.aliases):
            found = by_norm.get(normalise_header(spelling))
            if found is not None and found not in used:
                expressions[column.name] = quote_ident(found)
                used.add(found)
                break
    missing = [c for c in kind.required if c not in expressions]
    if missing:
        if len(header) == 1 and any(ch in header[0] for ch in ",;\t|"):
            raise InputError("mapping.delimiter_hint", header=header[0][:80])
        raise InputError(
            "mapping.missing_required",
            missing=", ".join(missing),
            kind=kind.name,
            header=", ".join(header),
        )
    return Resolved(expressions, [h for h in header if h not in used])
