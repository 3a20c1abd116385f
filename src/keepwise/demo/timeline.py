"""Time in the simulation: float days since the start of the history window.

Day 0 is ``as_of`` minus ``years`` years; ``horizon`` is ``as_of``. Customers acquired before
day 0 have negative acquisition days, but the export holds events from day 0 on only.
Seasons are daily weight curves (weekday rhythm, the Chinese New Year dip, the Q4 peak) whose
cumulative sums let us draw event times by inverting the cumulative intensity — no rejection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

#: Chinese New Year (春节) dates; other years fall back to 1 February.
_CNY = {
    2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25),
    2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17),
    2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11),
    2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}  # fmt: skip

DAY_NS = 86_400_000_000_000


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def month_start_after(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Timeline:
    as_of: dt.date
    years: int

    @property
    def start(self) -> dt.date:
        return years_before(self.as_of, self.years)

    @property
    def horizon(self) -> int:
        return (self.as_of - self.start).days

    def day(self, when: dt.date) -> int:
        return (when - self.start).days

    def date(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(np.floor(day)))

    def to_datetime64(self, days: F64) -> NDArray[np.datetime64]:
        """Float days → datetime64[ns], rounded to the second; NaN and inf become NaT."""
        origin = np.datetime64(self.start, "ns").astype(np.int64)
        seconds = np.round(np.where(np.isfinite(days), days, 0.0) * 86_400.0)
        ns = origin + seconds.astype(np.int64) * 1_000_000_000
        out = ns.view("datetime64[ns]")
        out[~np.isfinite(days)] = np.datetime64("NaT")
        return out

    def calendar(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Weekday (0 = Monday), month (1-12) and days-from-nearest-CNY of each day."""
        days = np.arange(self.horizon)
        dates = np.datetime64(self.start, "D") + days
        weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        cny = np.array(
            [np.datetime64(dt.date(y, *_CNY.get(y, (2, 1))), "D") for y in _cny_years(self)]
        )
        to_cny = dates[:, None] - cny[None, :]
        nearest = np.abs(to_cny.astype(np.int64)).argmin(axis=1)
        return weekday, months, to_cny[days, nearest].astype(np.int64)


def _cny_years(timeline: Timeline) -> range:
    return range(timeline.start.year - 1, timeline.as_of.year + 2)


@dataclass(frozen=True)
class Scenario:
    """Dated company events whose consequences the data must show."""

    #: List prices rise by vocab.PRICE_RISE: amounts per unit of cost jump, price churn follows.
    price_rise: dt.date
    #: A supply disruption: late deliveries, delivery tickets, slower answers, supplier churn.
    disruption_start: dt.date
    disruption_end: dt.date
    #: The company starts running the built-in playbooks (demo/effects.py): 15 months before
    #: the end of the history, so that a year of runs has its effect window in the data.
    playbooks_start: dt.date


def scenario(as_of: dt.date, years: int) -> Scenario:
    timeline = Timeline(as_of, years)
    span = timeline.horizon
    rise = month_start_after(timeline.date(0.45 * span))
    disruption = month_start_after(timeline.date(0.22 * span))
    end = month_start_after(month_start_after(disruption))
    months = as_of.year * 12 + as_of.month - 1 - 15
    playbooks = max(dt.date(months // 12, months % 12 + 1, 1), timeline.start)
    return Scenario(rise, disruption, month_start_after(end) - dt.timedelta(days=1), playbooks)


class Season:
    """An intensity profile over the history window (mean weight 1 per day)."""

    def __init__(self, weights: F64) -> None:
        weights = weights / weights.mean()
        self.weights = weights
        self.grid = np.arange(weights.size + 1, dtype=np.float64)
        self.cum = np.concatenate([[0.0], np.cumsum(weights)])

    def at(self, days: F64) -> F64:
        """Cumulative intensity up to ``days`` (clipped to the window)."""
        return np.interp(days, self.grid, self.cum)

    def inverse(self, levels: F64) -> F64:
        return np.interp(levels, self.cum, self.grid)


def seasons(timeline: Timeline) -> dict[str, Season]:
    """The intensity profiles used by the simulation, by name."""
    weekday, month, to_cny = timeline.calendar()
    workdays = np.select([weekday == 5, weekday == 6], [0.35, 0.2], 1.0)
    near = np.abs(to_cny)
    holiday = np.where((to_cny >= -5) & (to_cny <= 9), 0.3, np.where(near <= 16, 0.7, 1.0))
    # Orders peak in Q4 (year-end budgets, 双十一) and soften in the summer.
    by_month = np.array([1.0, 1.0, 1.05, 1.0, 1.0, 0.95, 0.9, 0.88, 1.0, 1.1, 1.35, 1.25])
    growth = np.exp(0.18 * np.arange(timeline.horizon) / 365.25)  # the company is growing
    return {
        "orders": Season(workdays * holiday * by_month[month - 1]),
        "business": Season(workdays * holiday),
        "acquisition": Season(workdays * holiday * by_month[month - 1] * growth),
        "flat": Season(np.ones(timeline.horizon)),
    }
