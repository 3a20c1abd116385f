"""The care calendar's holidays, against known Gregorian dates, and its year bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from keepwise._core.errors import InputError
from keepwise.playbooks.holidays import holiday_date, holidays_between

D = dt.date


@pytest.mark.parametrize(
    ("code", "year", "expected"),
    [
        ("spring_festival", 2024, D(2024, 2, 10)),
        ("spring_festival", 2025, D(2025, 1, 29)),
        ("spring_festival", 2026, D(2026, 2, 17)),
        ("mid_autumn", 2024, D(2024, 9, 17)),
        ("mid_autumn", 2025, D(2025, 10, 6)),  # the day after National Day week began
        ("dragon_boat", 2024, D(2024, 6, 10)),
        ("lantern", 2024, D(2024, 2, 24)),
        ("double_ninth", 2024, D(2024, 10, 11)),
        ("qixi", 2024, D(2024, 8, 10)),
        ("spring_eve", 2024, D(2024, 2, 9)),
        ("national_day", 2024, D(2024, 10, 1)),
        # the ends of the range: lunar year 1900 began on 31 January 1900, 2100 on 9 February
        ("spring_festival", 1900, D(1900, 1, 31)),
        ("spring_eve", 1900, D(1900, 1, 30)),
        ("spring_festival", 2100, D(2100, 2, 9)),
        ("mid_autumn", 2100, D(2100, 9, 18)),
    ],
)
def test_holiday_dates(code: str, year: int, expected: dt.date) -> None:
    assert holiday_date(code, year) == expected


@pytest.mark.parametrize("year", [1899, 2101])
def test_years_outside_1900_2100_are_refused(year: int) -> None:
    with pytest.raises(InputError) as err:
        holiday_date("spring_festival", year)
    assert "1900-2100" in err.value.message("en") and "1900-2100" in err.value.message("zh")


def test_every_holiday_of_every_year_falls_in_that_year() -> None:
    from keepwise.playbooks.holidays import HOLIDAYS

    for year in range(1900, 2101):
        for code in HOLIDAYS:
            assert holiday_date(code, year).year == year, (code, year)


def test_holidays_in_a_window() -> None:
    found = holidays_between(D(2024, 9, 15), D(2024, 10, 2), ("mid_autumn", "national_day"))
    assert found == [(D(2024, 9, 17), "mid_autumn"), (D(2024, 10, 1), "national_day")]
    assert holidays_between(D(2024, 9, 18), D(2024, 10, 1), ("mid_autumn", "national_day")) == []
