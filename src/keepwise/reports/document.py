"""A report as data: sections of tables, charts, facts and notes, independent of the format.

The builders (:mod:`~keepwise.reports.retention`, :mod:`~keepwise.reports.void_effect`,
:mod:`~keepwise.reports.no_value`) make a :class:`Document` from the figures the workspace
services computed; the writers (:mod:`~keepwise.reports.html`, :mod:`~keepwise.reports.xlsx`,
:mod:`~keepwise.reports.pdf`) turn the same document into a file. So the numbers of every
format are the same values, only shown differently (:mod:`~keepwise.reports.formats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from keepwise._core.i18n import Lang

#: How a column's values are shown: ``pct`` a share (0.123 → 12.3%), ``money`` an amount with
#: two decimals, ``int`` a count, ``num`` a number (whole numbers without decimals), ``date``
#: a day, ``p`` a p-value with three decimals, ``text`` as is.
Kind = Literal["text", "date", "int", "money", "pct", "num", "p"]


@dataclass(frozen=True)
class Val:
    """A cell whose kind is not its column's: a row of a KPI of another kind (a percentage
    next to an amount) in a table of several KPIs."""

    value: Any
    kind: Kind


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind = "text"


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Any]]
    caption: str | None = None
    #: Rows left out of the HTML and PDF (all of them are in the XLSX file).
    hidden: int = 0

    def column(self, key: str) -> list[Any]:
        i = [c.key for c in self.columns].index(key)
        return [r[i] for r in self.rows]


@dataclass
class Chart:
    """A small chart: one line (or bar group) per series over the categories."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    kind: Literal["line", "bar"] = "line"
    percent: bool = False


@dataclass
class Fact:
    """One headline number with its label."""

    label: str
    value: Any
    kind: Kind = "num"


@dataclass
class Section:
    #: A stable key (the XLSX sheet is named after the title; the key names the HTML anchor).
    key: str
    title: str
    intro: str | None = None
    facts: list[Fact] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Document:
    kind: str
    lang: Lang
    title: str
    #: (label, value) lines under the title: workspace, period, as-of date, where data ends.
    meta: list[tuple[str, str]]
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    #: Text at the end (the approval lines of the no-value report).
    footer: list[str] = field(default_factory=list)
    #: What made the file (the HTML's generator tag).
    generator: str = "Keepwise"
