"""A session of reports (``Tables(keep=True)``) reuses the customer facts of earlier calls:
every report in it must equal the same report computed from scratch, whatever came before."""

from __future__ import annotations

import datetime as dt

import kpi_fixture as fx
import pandas as pd
from pandas.testing import assert_frame_equal

from keepwise._core.config import ChurnConfig, ChurnRule
from keepwise.metrics import Tables, compute
from keepwise.workspace import Workspace

INACTIVE = ChurnConfig(default=ChurnRule(mode="inactivity", inactivity_days=60))
#: Reports in the order a dashboard session might ask them: cuts, grains, ranges and churn
#: definitions that share some intermediate results and not others.
REQUESTS = [
    {"by": None},
    {"by": "segment"},
    {"by": "channel", "grain": "quarter"},
    {"by": None, "start": dt.date(2024, 2, 1), "end": dt.date(2024, 6, 1)},
    {"by": "segment", "churn": INACTIVE},
    {"by": None, "churn": INACTIVE, "grain": "week", "start": dt.date(2024, 3, 4),
     "end": dt.date(2024, 4, 1)},
    {"by": "tier"},
]  # fmt: skip


def _report(tables: Tables, request: dict[str, object]) -> pd.DataFrame:
    kw = {"churn": fx.CHURN, **request}
    return compute(tables, None, as_of=fx.AS_OF, **kw)  # type: ignore[arg-type]


def test_session_reports_equal_fresh_reports(hand_store: Workspace) -> None:
    session = Tables.from_backend(hand_store.store.ibis(), keep=True)
    try:
        for request in REQUESTS:
            fresh = _report(Tables.from_backend(hand_store.store.ibis()), request)
            assert not fresh.empty
            assert_frame_equal(_report(session, request), fresh, check_exact=False)
        assert session._kept  # the session did keep results
    finally:
        session.release()
    assert not session._kept
