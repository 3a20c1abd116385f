"""Reporting periods: calendar weeks (Monday first), months, quarters and years.

A range ``[start, end)`` is widened to whole periods of the grain (``start`` rounded down to its
period's first day, ``end`` rounded up), so every period of a grain has the same meaning in
every report and periods are contiguous: the end of one is the start of the next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

import pandas as pd

from keepwise._core.errors import InputError
from keepwise._core.i18n import register

Grain = Literal["week", "month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = get_args(Grain)
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
#: How many periods a report shows when no start is given.
DEFAULT_PERIODS = 12

register(
    {
        "metrics.bad_grain": {
            "zh": "未知的周期粒度 {grain}；可用：{grains}",
            "en": "Unknown period grain {grain}; use one of {grains}",
        },
        "metrics.bad_range": {
            "zh": "起始日期 {start} 必须早于结束日期 {end}",
            "en": "The start date {start} must be before the end date {end}",
        },
        "metrics.after_as_of": {
            "zh": "所选周期从 {start} 开始，晚于截止日期 {as_of}：那时还没有任何数据",
            "en": "The periods start on {start}, after the as-of date {as_of}: nothing is known "
            "about them yet",
        },
        "metrics.too_many_periods": {
            "zh": "{count} 个周期太多（最多 {limit} 个）；请缩小日期范围或换用更粗的粒度",
            "en": "{count} periods are too many (at most {limit}); narrow the range or use a "
            "coarser grain",
        },
    }
)
MAX_PERIODS = 520


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def check_grain(grain: str) -> Grain:
    if grain not in GRAINS:
        raise InputError("metrics.bad_grain", grain=grain, grains=", ".join(GRAINS))
    return grain  # type: ignore[return-value]


def floor(day: dt.date, grain: Grain) -> dt.date:
    """The first day of the period of ``grain`` that contains ``day``."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    step = _MONTHS[grain]
    return dt.date(day.year, (day.month - 1) // step * step + 1, 1)


def shift(day: dt.date, grain: Grain, count: int) -> dt.date:
    """``day`` (the first day of a period) moved by ``count`` periods."""
    if grain == "week":
        return day + dt.timedelta(weeks=count)
    return add_months(day, _MONTHS[grain] * count)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, the day clamped to the month's length (31 Jan + 1 = 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (first_next - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last_day))


def ceil(day: dt.date, grain: Grain) -> dt.date:
    start = floor(day, grain)
    return start if start == day else shift(start, grain, 1)


def periods(
    grain: str,
    *,
    as_of: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[Period]:
    """The whole periods of ``grain`` covering ``[start, end)``.

    Defaults: ``end`` is the start of the period containing ``as_of`` (so only complete periods
    are shown) and ``start`` is :data:`DEFAULT_PERIODS` periods before ``end``. Periods that
    start on or after ``as_of`` are left out: nothing dated then is known (the last one kept
    may end after ``as_of``: it is incomplete).
    """
    g = check_grain(grain)
    last = ceil(end, g) if end else floor(as_of, g)
    first = floor(start, g) if start else shift(last, g, -DEFAULT_PERIODS)
    if first >= last:
        raise InputError("metrics.bad_range", start=first.isoformat(), end=last.isoformat())
    out: list[Period] = []
    cursor = first
    while cursor < last:
        out.append(Period(cursor, shift(cursor, g, 1)))
        cursor = out[-1].end
        if len(out) > MAX_PERIODS:
            raise InputError(
                "metrics.too_many_periods", count=f"> {MAX_PERIODS}", limit=MAX_PERIODS
            )
    known = [p for p in out if p.start < as_of]
    if not known:
        raise InputError("metrics.after_as_of", start=first.isoformat(), as_of=as_of.isoformat())
    return known


def trailing(grain: str, as_of: dt.date) -> Period:
    """The window of one ``grain`` that ends at ``as_of``: ``[as_of − 1 grain, as_of)``, e.g.
    the last 12 months for ``year`` (its previous period is the 12 months before that)."""
    return Period(shift(as_of, check_grain(grain), -1), as_of)


def period_frame(items: list[Period], grain: Grain) -> pd.DataFrame:
    """One row per period: ``period_start``, ``period_end`` and ``prev_start`` (the start of
    the previous period of the same grain, for period-over-period KPIs)."""
    return pd.DataFrame(
        {
            "period_start": [p.start for p in items],
            "period_end": [p.end for p in items],
            "prev_start": [shift(p.start, grain, -1) for p in items],
        }
    )
