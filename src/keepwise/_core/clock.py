"""The only place that reads the wall clock. Domain code always receives ``as_of`` explicitly;
interfaces call :func:`today` to fill in a default."""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def now_in(zone: str) -> dt.datetime:
    """The wall-clock time in the IANA time zone ``zone``, naive (as imported times are stored:
    in the workspace's zone)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(zone)).replace(tzinfo=None)


def parse_day(text: str) -> dt.date:
    """A date given on the command line or in the API (YYYY-MM-DD)."""
    from keepwise._core.errors import InputError
    from keepwise._core.i18n import register

    register({"clock.bad_date": {"zh": "无效的日期 {text}（格式：YYYY-MM-DD）",
                                 "en": "Invalid date {text} (use YYYY-MM-DD)"}})  # fmt: skip
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("clock.bad_date", text=text) from None
