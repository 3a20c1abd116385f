"""Query and body parameter types shared by the routes: checked dates, grains, dimensions,
pages and plain text (no NUL characters, which PostgreSQL refuses), so that a malformed request
gets a 422 naming the field, never an error from deep inside."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Query
from pydantic import AfterValidator, Field

#: The period grains and cut dimensions of the KPI engine (tests check they match it).
Grain = Literal["week", "month", "quarter", "year"]
Dimension = Literal["segment", "industry", "region", "channel", "owner", "tier"]
Band = Literal["low", "medium", "high"]

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def _in_range(value: dt.date | None) -> dt.date | None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"a date between {FIRST_DAY} and {LAST_DAY}")
    return value


def _plain(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("text without NUL characters")
    return value


def _moment_in_range(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None:
        _in_range(value.date())
    return value


#: A date of the calendar the engine can compute over (1900-2199).
Day = Annotated[dt.date, AfterValidator(_in_range)]
#: A moment (ISO date-time; without a zone: the workspace's zone) in the same calendar.
Moment = Annotated[dt.datetime, AfterValidator(_moment_in_range)]
#: Text of at most a few hundred characters, without NUL.
Text = Annotated[str, Field(max_length=500), AfterValidator(_plain)]
LongText = Annotated[str, Field(max_length=5000), AfterValidator(_plain)]
Id = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain)]

AsOfQuery = Annotated[
    Day | None,
    Query(description="Date of the figures (default: the day after the data ends)"),
]
StartQuery = Annotated[Day | None, Query(description="First day of the range")]
EndQuery = Annotated[Day | None, Query(description="End of the range, exclusive")]
GrainQuery = Annotated[Grain, Query(description="Period grain")]
ByQuery = Annotated[Dimension | None, Query(description="Cut by a customer dimension")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")]
TextQuery = Annotated[Text | None, Query()]
