"""Calendar helpers: month arithmetic and the complete periods of a grain before a date."""

from __future__ import annotations

import datetime as dt

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (the day clipped to the month's length)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the period of ``grain`` (month, quarter, year) that contains ``day``."""
    step = _MONTHS[grain]
    return dt.date(day.year, (day.month - 1) // step * step + 1, 1)


def complete_periods(as_of: dt.date, grain: str, n: int) -> list[tuple[dt.date, dt.date]]:
    """The last ``n`` complete periods ``[start, end)`` with ``end <= as_of``, latest first."""
    end = period_start(as_of, grain)
    out = []
    for _ in range(n):
        start = add_months(end, -_MONTHS[grain])
        out.append((start, end))
        end = start
    return out
