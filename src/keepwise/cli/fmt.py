"""How every command shows numbers, empty values, JSON and tables.

* Empty (None, NaN, NA, ±inf) is ``null`` in JSON and "—" in a table; JSON output never
  contains ``NaN`` (it is not JSON).
* Counts have no decimals; rates are percentages; amounts are rounded to whole units.
* A table never cuts a number, a date or an id: those columns keep their full width and text
  columns wrap. When even that does not fit the terminal, the table is split into parts that
  each repeat the key columns (the first column unless marked otherwise).

Rich is imported only by the functions that draw (start-up time matters for every command).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import typer

from keepwise._core.i18n import Lang, register, t

# Re-exported: ``fmt.records`` and ``fmt.jsonable`` are what every --json output uses.
from keepwise._core.jsondata import dumps, is_empty
from keepwise._core.jsondata import jsonable as jsonable
from keepwise._core.jsondata import records as records
from keepwise._core.words import LEVELS, SUGGESTED_PLAYBOOKS

if TYPE_CHECKING:
    from rich.console import Console

register(
    {
        "cli.fmt.hidden": {
            "zh": "另有 {n:,} 行未显示（用 {option} 显示更多）",
            "en": "{n:,} more rows not shown (use {option} to show more)",
        },
        "cli.fmt.part": {"zh": "（第 {i}/{n} 部分）", "en": " (part {i} of {n})"},
        "cli.fmt.sep": {"zh": "、", "en": ", "},
    }
)

#: The words of statuses, bands and states that tables show, by group (``label``).
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {"active": ("活跃", "active"), "at_risk": ("有风险", "at risk"),
               "churned": ("流失", "churned"), "voided": ("作废", "voided"),
               "won_back": ("已挽回", "won back")},
    "band": LEVELS,
    "alert": {"open": ("未处理", "open"), "acknowledged": ("已确认", "acknowledged"),
              "closed": ("已关闭", "closed")},
    "playbook": SUGGESTED_PLAYBOOKS,
    "group": {"all": ("全部", "all")},
    "duration": {"tenure_days": ("客户时长（天）", "tenure in days")},
    "tier": {"high": ("高价值", "high"), "mid": ("中等价值", "mid"), "low": ("低价值", "low"),
             "no_value": ("无价值", "no value"), "unscored": ("未评分", "unscored")},
    "owner_change": {"reassign": ("重新分配", "reassigned"),
                     "manager": ("经理分配", "reassigned by a manager"),
                     "owner_left": ("离职交接", "owner left"), "pool": ("退回公海", "to the pool"),
                     "claim": ("公海认领", "claimed from the pool")},
    "request": {"pending": ("待审批", "pending"), "approved": ("已批准", "approved"),
                "rejected": ("已驳回", "rejected")},
    "dimension": {"segment": ("客户分类", "segment"), "industry": ("行业", "industry"),
                  "region": ("区域", "region"), "channel": ("渠道", "channel"),
                  "owner": ("负责人", "owner"), "tier": ("价值分层", "tier")},
}  # fmt: skip
register({f"cli.word.{group}.{key}": {"zh": zh, "en": en}
          for group, words in WORDS.items() for key, (zh, en) in words.items()})  # fmt: skip

EMPTY = "—"
ColumnKind = Literal["text", "num", "word"]

# --- values ------------------------------------------------------------------------------------


def _fixed(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text  # no "-0"


def count(value: Any) -> str:
    """A whole number with thousands separators: 18,383 (a float count is rounded)."""
    return EMPTY if is_empty(value) else _fixed(float(value), 0)


def amount(value: Any, decimals: int = 0) -> str:
    """Money and other amounts, rounded to whole units by default: 18,383,950."""
    return EMPTY if is_empty(value) else _fixed(float(value), decimals)


def number(value: Any, decimals: int = 2) -> str:
    """A quantity: whole numbers without decimals, others with ``decimals`` (none from 100)."""
    if is_empty(value):
        return EMPTY
    x = float(value)
    if x.is_integer() or abs(x) >= 100:
        return _fixed(x, 0)
    return _fixed(x, decimals)


def pct(value: Any, decimals: int = 1) -> str:
    """A rate or share as a percentage: 0.022 → 2.2%."""
    return EMPTY if is_empty(value) else f"{_fixed(float(value) * 100, decimals)}%"


def score(value: Any, decimals: int = 3) -> str:
    """A model score (ROC-AUC, Brier, hazard ratio …) with fixed decimals."""
    return EMPTY if is_empty(value) else _fixed(float(value), decimals)


def text(value: Any) -> str:
    return EMPTY if is_empty(value) or value == "" else str(value)


def join(items: Iterable[Any], lang: Lang | str) -> str:
    """A list in a sentence: "a、b" in Chinese, "a, b" in English."""
    return t("cli.fmt.sep", lang).join(str(i) for i in items)


def label(group: str, value: Any, lang: Lang | str) -> str:
    """A status, band, alert state or dimension in ``lang`` (an unknown word as it is)."""
    if is_empty(value):
        return EMPTY
    known = WORDS.get(group, {}).get(str(value))
    return t(f"cli.word.{group}.{value}", lang) if known else str(value)


def day(value: Any) -> str:
    """A date (or the date of a timestamp) as ISO text."""
    if is_empty(value):
        return EMPTY
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


# --- JSON --------------------------------------------------------------------------------------


def echo_json(payload: Any) -> None:
    """Every ``--json`` output: UTF-8 text as is (Chinese stays readable), strict JSON."""
    typer.echo(dumps(payload))


# --- tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A table column: ``num`` (right-aligned, never cut), ``word`` (ids, dates: never cut) or
    ``text`` (wraps). ``key`` columns are repeated in every part of a split table; an
    ``optional`` column is left out when every cell is empty (an uncut report's dimension)."""

    header: str
    kind: ColumnKind = "text"
    key: bool = False
    optional: bool = False


#: Below these widths a text column, or the header over a number, is wrapped.
TEXT_MIN = 8
HEADER_MIN = 8


def console() -> Console:
    """The terminal's width (or ``COLUMNS``; 80 when neither is known)."""
    from rich.console import Console

    return Console(highlight=False)


def _need(col: Col, cells: list[str], tight: bool) -> int:
    """The width a column needs: its widest cell and header, or when ``tight``, what it cannot
    do without (a number's full width; a few characters of text; headers wrap)."""
    from rich.cells import cell_len

    widest = max((cell_len(line) for c in cells for line in c.splitlines() or [""]), default=1)
    if not tight:
        return max(1, widest, cell_len(col.header))
    header_word = max((cell_len(w) for w in col.header.split()), default=1)
    if col.kind == "text":
        return max(1, min(widest, TEXT_MIN), min(header_word, TEXT_MIN))
    return max(1, widest, min(header_word, HEADER_MIN))


def _width(needs: Sequence[int]) -> int:
    return sum(needs) + 3 * len(needs) + 1  # padding 1 + 1 and a border per column, one edge


def _needs(cols: Sequence[Col], rows: Sequence[Sequence[str]], tight: bool) -> list[int]:
    return [_need(c, [r[i] for r in rows], tight) for i, c in enumerate(cols)]


def layout(cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int) -> list[list[int]]:
    """The column indices of each part of the table: one part when it fits in ``width``."""
    needs = _needs(cols, rows, tight=True)
    every = list(range(len(cols)))
    if _width(needs) <= width or len(cols) <= 1:
        return [every]
    keys = [i for i, c in enumerate(cols) if c.key] or [0]
    parts: list[list[int]] = []
    current: list[int] = []
    for i in (i for i in every if i not in keys):
        if current and _width([needs[j] for j in [*keys, *current, i]]) > width:
            parts.append([*keys, *current])
            current = []
        current.append(i)
    parts.append([*keys, *current])
    return parts


def print_table(
    cols: Sequence[Col],
    rows: Iterable[Sequence[str]],
    *,
    title: str | None = None,
    lang: Lang | str = "en",
    hidden: int = 0,
    option: str = "--limit",
) -> None:
    """Draw a table (cells already formatted) without cutting any number, date or id; say how
    many rows are ``hidden`` and which ``option`` shows them."""
    from rich.table import Table
    from rich.text import Text  # plain text: "[VIP] 张三" is a name, not rich markup

    out = console()
    terminal = out.width
    body = [list(r) for r in rows]
    kept = [i for i, c in enumerate(cols)
            if not (c.optional and body and all(r[i] == EMPTY for r in body))]  # fmt: skip
    cols, body = [cols[i] for i in kept], [[r[i] for i in kept] for r in body]
    parts = layout(cols, body, terminal)
    for n, part in enumerate(parts, start=1):
        label = title
        if len(parts) > 1:
            label = (title or "") + t("cli.fmt.part", lang, i=n, n=len(parts))
        table = Table(title=Text(label) if label else None)
        part_cols, part_rows = [cols[i] for i in part], [[r[i] for i in part] for r in body]
        roomy = _needs(part_cols, part_rows, tight=False)
        tight = _needs(part_cols, part_rows, tight=True)
        needs = dict(zip(part, roomy if _width(roomy) <= terminal else tight, strict=True))
        for i in part:
            col = cols[i]
            fixed = col.kind != "text"
            table.add_column(Text(col.header), justify="right" if col.kind == "num" else "left",
                             width=needs[i] if fixed else None, overflow="fold")  # fmt: skip
        for r in body:
            table.add_row(*(Text(r[i]) for i in part))
        # A part wider than the terminal (a single very wide column) is drawn whole, not cut.
        out.width = max(terminal, _width(list(needs.values())))
        out.print(table)
    if hidden > 0:
        typer.echo(t("cli.fmt.hidden", lang, n=hidden, option=option))
