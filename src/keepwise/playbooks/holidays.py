"""Holidays of the care calendar (seed 003 ⑩), Gregorian and Chinese lunar, for any year
1900-2100.

Lunar dates come from ``borax`` (its tables cover lunar years 1900-2100, i.e. every lunar
festival whose Gregorian date falls in 1900-2100); 除夕 is the day before the next 春节, so it is
known for Gregorian 1900 too (lunar 1899 is outside the tables). docs/playbooks.md says why
borax.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keepwise._core.errors import InputError
from keepwise._core.i18n import register

FIRST_YEAR, LAST_YEAR = 1900, 2100

register(
    {
        "holidays.year_range": {
            "zh": "节日日期只支持 {first}-{last} 年（所求为 {year} 年）",
            "en": "Holiday dates are known for the years {first}-{last} only (asked: {year})",
        },
    }
)


@dataclass(frozen=True)
class Holiday:
    code: str
    name_zh: str
    name_en: str
    #: ``solar`` (month, day of the Gregorian calendar) or ``lunar`` (of the Chinese calendar).
    calendar: str
    month: int
    day: int
    #: Days after the (month, day) date: 除夕 is 春节 − 1.
    shift: int = 0

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


HOLIDAYS: dict[str, Holiday] = {
    h.code: h
    for h in (
        Holiday("new_year", "元旦", "New Year's Day", "solar", 1, 1),
        Holiday("spring_eve", "除夕", "Chinese New Year's Eve", "lunar", 1, 1, -1),
        Holiday("spring_festival", "春节", "Spring Festival", "lunar", 1, 1),
        Holiday("lantern", "元宵节", "Lantern Festival", "lunar", 1, 15),
        Holiday("labour_day", "劳动节", "Labour Day", "solar", 5, 1),
        Holiday("dragon_boat", "端午节", "Dragon Boat Festival", "lunar", 5, 5),
        Holiday("qixi", "七夕", "Qixi Festival", "lunar", 7, 7),
        Holiday("mid_autumn", "中秋节", "Mid-Autumn Festival", "lunar", 8, 15),
        Holiday("national_day", "国庆节", "National Day", "solar", 10, 1),
        Holiday("double_ninth", "重阳节", "Double Ninth Festival", "lunar", 9, 9),
    )
}
#: The holidays a care-calendar playbook greets on unless it names others.
DEFAULT_HOLIDAYS = ("new_year", "spring_festival", "dragon_boat", "mid_autumn", "national_day")


def holiday_date(code: str, year: int) -> dt.date:
    """The Gregorian date of a holiday in ``year`` (a lunar one: of the lunar year ``year``,
    which for every holiday here falls in the Gregorian year ``year``)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError("holidays.year_range", first=FIRST_YEAR, last=LAST_YEAR, year=year)
    h = HOLIDAYS[code]
    if h.calendar == "solar":
        return dt.date(year, h.month, h.day) + dt.timedelta(days=h.shift)
    from borax.calendars.lunardate import LunarDate

    solar: dt.date = LunarDate(year, h.month, h.day).to_solar_date()
    return solar + dt.timedelta(days=h.shift)


def holidays_between(
    start: dt.date, end: dt.date, codes: tuple[str, ...]
) -> list[tuple[dt.date, str]]:
    """(date, code) of the named holidays on days in ``[start, end)``, by date."""
    out = []
    for year in range(start.year, end.year + 1):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            continue
        for code in codes:
            day = holiday_date(code, year)
            if start <= day < end:
                out.append((day, code))
    return sorted(out)
