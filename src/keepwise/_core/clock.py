"""The only place that reads the wall clock. Domain code always receives ``as_of`` explicitly;
interfaces call :func:`today` to fill in a default."""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
