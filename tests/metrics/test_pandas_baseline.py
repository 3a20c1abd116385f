"""The pandas baseline of the KPI benchmark (benchmarks/kpi_pandas.py) against the KPI engine.

Both compute every KPI of the catalogue from the same workspace tables, the engine through
Ibis on DuckDB and the baseline in plain pandas, written independently from docs/metrics.md.
They must give the same rows in the same order with the same numerators, denominators and
values (floats to 1e-9 relative), uncut and cut, on the hand-built company (kpi_fixture.py,
here with the default churn definition: explicit status events only), on a demo company, and
on a few edge cases built for this test.

The edge cases found two departures of the engine from the written definitions, since fixed
and pinned by the two engine tests at the end: follow-up coverage counts every customer with
an event to churned or voided in P (also a void of an already churned customer), and the
orders of a customer id that the customers table lacks count nowhere, historical CLV included.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kpi_fixture as handbuilt
import pandas as pd
import pytest
from kpi_engines import load_workspace

from keepwise.demo import generate_company
from keepwise.metrics import CATALOGUE, RESULT_COLUMNS, Tables, compute, compute_cuts
from keepwise.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from kpi_pandas import KPIS, compute_pandas, differences

TABLES = ("customers", "orders", "status_events", "scores", "marketing_spend", "leads",
          "tickets", "surveys", "interactions")  # fmt: skip
KEYS = ["metric", "period_start", "period_end", "dimension"]
Request = dict[str, Any]

HAND: Request = {"as_of": handbuilt.AS_OF, "start": dt.date(2023, 6, 1),
                 "end": dt.date(2024, 7, 1)}  # fmt: skip
DEMO: Request = {"as_of": dt.date(2026, 10, 15), "start": dt.date(2025, 7, 1),
                 "end": dt.date(2026, 11, 1)}  # fmt: skip
EDGE: Request = {"as_of": dt.date(2024, 6, 15), "start": dt.date(2023, 7, 1),
                 "end": dt.date(2024, 7, 1)}  # fmt: skip

# --- helpers ------------------------------------------------------------------------------


def read_frames(ws: Workspace) -> dict[str, pd.DataFrame]:
    con = ws.store.ibis().con
    return {name: con.execute(f"SELECT * FROM {name}").df() for name in TABLES}


def engine(ws: Workspace, metrics: list[str] | None = None, **request: Any) -> pd.DataFrame:
    return compute(Tables.from_backend(ws.store.ibis()), metrics, **request)


def assert_same(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(mine.columns) == RESULT_COLUMNS
    assert mine[KEYS].values.tolist() == theirs[KEYS].values.tolist()
    diff = differences(mine, theirs, suffix="_engine")
    cols = ["metric", "period_start", "dimension", "numerator", "numerator_engine",
            "denominator", "denominator_engine", "value", "value_engine", "_merge"]  # fmt: skip
    assert diff.empty, "pandas and engine differ:\n" + diff[cols].to_string()


def pair(df: pd.DataFrame, metric: str, month: str,
         dimension: str | None = None) -> tuple[float, float]:  # fmt: skip
    mask = (df["metric"] == metric) & (df["period_start"] == dt.date.fromisoformat(f"{month}-01"))
    mask &= df["dimension"].isna() if dimension is None else df["dimension"] == dimension
    (row,) = df[mask].itertuples()
    return row.numerator, row.denominator


def close(got: tuple[float, float], expected: tuple[float, float]) -> bool:
    return all(
        (math.isnan(g) and math.isnan(e)) or math.isclose(g, e, rel_tol=1e-9, abs_tol=1e-9)
        for g, e in zip(got, expected, strict=True)
    )


# --- the catalogue and the hand-built company ---------------------------------------------


def test_baseline_covers_the_catalogue() -> None:
    assert list(KPIS) == list(CATALOGUE)
    for kpi, (kind, additive) in KPIS.items():
        assert (kind, additive) == (CATALOGUE[kpi].kind, CATALOGUE[kpi].additive), kpi


@pytest.mark.parametrize("by", [None, "segment"])
def test_handbuilt_company(hand_store: Workspace, by: str | None) -> None:
    mine = compute_pandas(read_frames(hand_store), **HAND, by=by)
    assert_same(mine, engine(hand_store, **HAND, by=by))


# --- a demo company -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """1,500 generated customers over two years, loaded straight into DuckDB, with value
    scores as of 1 September and as of the request's as_of (which still counts)."""
    frames = generate_company(n_customers=1500, seed=3, years=2)
    ws = Workspace.init(tmp_path_factory.mktemp("demo") / "ws", lang="en")
    con = ws.store.ibis().con
    names = {"status-events": "status_events", "spend": "marketing_spend"}
    for kind, frame in frames.items():
        cols = ", ".join(frame.columns)
        with warnings.catch_warnings():  # DuckDB reading pyarrow-backed string columns
            warnings.simplefilter("ignore", FutureWarning)
            con.register("kw_frame", frame)
            con.execute(f"INSERT INTO {names.get(kind, kind)} ({cols}) SELECT {cols} FROM kw_frame")
        con.unregister("kw_frame")
    ws.value.score(dt.date(2026, 9, 1))
    ws.value.score(DEMO["as_of"])
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def demo_frames(demo_ws: Workspace) -> dict[str, pd.DataFrame]:
    return read_frames(demo_ws)


@pytest.mark.parametrize("by", [None, "segment"])
def test_demo_company(demo_ws: Workspace, demo_frames: dict[str, pd.DataFrame],
                      by: str | None) -> None:  # fmt: skip
    mine = compute_pandas(demo_frames, **DEMO, by=by)
    assert_same(mine, engine(demo_ws, **DEMO, by=by))
    assert mine["period_start"].nunique() == 16
    # not a vacuous comparison: every KPI has a non-zero numerator in some period
    nonzero = mine.groupby("metric")["numerator"].apply(lambda v: (v.fillna(0) != 0).any())
    assert nonzero.all(), list(nonzero[~nonzero].index)


def test_demo_company_one_pass(demo_ws: Workspace, demo_frames: dict[str, pd.DataFrame]) -> None:
    """Uncut and by segment from one pass (the totals summed from the cut's sums) give what
    pandas computes for each request apart."""
    tables = Tables.from_backend(demo_ws.store.ibis())
    results = compute_cuts(tables, cuts=["segment", None], **DEMO)
    assert list(results) == ["segment", None]
    for by, theirs in results.items():
        assert_same(compute_pandas(demo_frames, **DEMO, by=by), theirs)


def test_demo_winback_days(demo_ws: Workspace, demo_frames: dict[str, pd.DataFrame]) -> None:
    mine = compute_pandas(demo_frames, **DEMO, winback_days=30)
    theirs = engine(demo_ws, ["winback_rate"], **DEMO, winback_days=30)
    assert_same(mine[mine["metric"] == "winback_rate"].reset_index(drop=True), theirs)


# --- edge cases ---------------------------------------------------------------------------


def _ts(day: str, hour: int = 0, minute: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, microsecond=micro)


def _customer(cid: str, segment: str | None, channel: str | None, acquired: str,
              cost: float | None = None) -> dict[str, Any]:  # fmt: skip
    return {"customer_id": cid, "name": cid, "segment": segment, "industry": "x",
            "region": "r", "channel": channel, "owner_id": "O1", "acquired_at": _ts(acquired),
            "acquisition_cost": cost}  # fmt: skip


def edge_rows() -> dict[str, list[dict[str, Any]]]:
    customers = [
        _customer("A1", "smb", "web", "2023-12-01"),  # churned Feb, voided Mar, followed up
        _customer("A2", "smb", "web", "2023-12-01"),  # churned at midnight of 1 March
        _customer("A3", "ent", "sales", "2023-12-01"),  # churned + reactivated, same moment
        _customer("A4", "ent", None, "2024-03-05", 50.0),  # no channel
        _customer("A5", "ent", "sales", "2024-05-01"),  # acquired by its order of 20 March
        _customer("A6", None, "web", "2023-11-01"),  # first order Feb 2023, churned 29 Feb
        _customer("A7", "smb", "web", "2023-11-01"),  # followed up the day it is won back
        _customer("A8", "smb", "web", "2024-01-01"),  # orders exactly 90 days after follow-up
        _customer("A9", "smb", "partner", "2024-02-10"),  # churned twice in April
    ]
    orders = [
        ("A1", "2024-01-10", 100.0), ("A2", "2024-02-10", 200.0), ("A3", "2024-01-10", 300.0),
        ("A4", "2024-03-06", 40.0), ("A5", "2024-03-20", 70.0), ("A6", "2023-02-27", 13.0),
        ("A6", "2023-02-28", 11.0), ("A7", "2024-04-02", 5.0), ("A8", "2024-06-09", 9.0),
        ("A9", "2024-03-01", 8.0), ("A9", "2024-03-15", 8.0),
        ("ZZ", "2024-03-03", 1000.0),  # a customer id the customers table lacks
    ]  # fmt: skip
    order_rows = [{"order_id": f"{c}-{d}", "customer_id": c, "ordered_at": _ts(d, 10),
                   "amount": a, "cancelled": False} for c, d, a in orders]  # fmt: skip
    order_rows.append({"order_id": "A6-loss-day", "customer_id": "A6", "amount": 17.0,
                       "ordered_at": _ts("2024-02-29", 8), "cancelled": False})  # fmt: skip
    return {"customers": customers, "orders": order_rows, **_edge_activity()}


def _edge_activity() -> dict[str, list[dict[str, Any]]]:
    events = [
        ("A1", _ts("2024-02-03", 9), "churned"), ("A1", _ts("2024-03-10", 9), "voided"),
        ("A2", _ts("2024-03-01"), "churned"), ("A6", _ts("2024-02-29", 12), "churned"),
        ("A7", _ts("2024-03-20", 9), "churned"), ("A7", _ts("2024-04-02", 10), "won_back"),
        ("A8", _ts("2024-03-05", 9), "churned"), ("A9", _ts("2024-04-03", 9), "churned"),
        ("A9", _ts("2024-04-10", 9), "won_back"), ("A9", _ts("2024-04-20", 9), "churned"),
        ("A3", _ts("2024-03-12", 9), "churned"), ("A3", _ts("2024-03-12", 9), "active"),
    ]  # fmt: skip
    follow_ups = [("I1", "A1", "2024-03-12"), ("I2", "A7", "2024-04-02"),
                  ("I3", "A8", "2024-03-11"), ("I4", "A7", "2024-03-25"),
                  ("I5", "A9", "2024-04-05")]  # fmt: skip
    return {
        "status_events": [{"id": i, "customer_id": c, "occurred_at": at, "to_status": to,
                           "source": "import"} for i, (c, at, to) in enumerate(events, 1)],
        "interactions": [{"interaction_id": i, "customer_id": c, "occurred_at": _ts(d, 15),
                          "type": "call"} for i, c, d in follow_ups],
        "tickets": [
            {"ticket_id": "T1", "customer_id": "A1", "opened_at": _ts("2024-03-04", 9, 0, 500_000),
             "first_response_at": _ts("2024-03-04", 9, 30), "is_complaint": True},
            {"ticket_id": "T2", "customer_id": "ZZ", "opened_at": _ts("2024-03-04", 9),
             "first_response_at": _ts("2024-03-04", 11), "is_complaint": True},
            {"ticket_id": "T3", "customer_id": "A5", "opened_at": _ts("2024-02-04", 9),
             "first_response_at": None, "is_complaint": True},
        ],
        "surveys": [{"survey_id": "U1", "customer_id": "A1", "answered_at": _ts("2024-03-05"),
                     "csat": None, "recommend": 6}],
        "leads": [{"lead_id": "L1", "created_at": _ts("2024-03-01"), "source": None,
                   "customer_id": "A4", "converted_at": None}],
        "marketing_spend": [
            {"period_start": dt.date(2024, 3, 10), "channel": "web", "amount": 90.0},
            {"period_start": dt.date(2024, 3, 1), "channel": "ads", "amount": 30.0},
        ],
        "scores": [  # A1: the same as_of twice, the one without created_at is the older
            {"customer_id": "A1", "model_version": "v2", "as_of": dt.date(2024, 2, 1),
             "value_tier": "low", "predicted_clv": 20.0, "created_at": _ts("2024-02-01")},
            {"customer_id": "A1", "model_version": "v1", "as_of": dt.date(2024, 2, 1),
             "value_tier": "high", "predicted_clv": 10.0, "created_at": None},
            {"customer_id": "A4", "model_version": "v1", "as_of": EDGE["as_of"],
             "value_tier": "mid", "predicted_clv": 30.0, "created_at": None},
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def edge_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = load_workspace(tmp_path_factory.mktemp("edge") / "ws", edge_rows())
    yield ws
    ws.close()


@pytest.mark.parametrize("by", [None, "segment", "channel", "tier"])
def test_edge_cases(edge_ws: Workspace, by: str | None) -> None:
    mine = compute_pandas(read_frames(edge_ws), **EDGE, by=by)
    assert_same(mine, engine(edge_ws, **EDGE, by=by))


def test_edge_cases_by_hand(edge_ws: Workspace) -> None:
    """The baseline's own numbers on the edge cases, worked out by hand."""
    df = compute_pandas(read_frames(edge_ws), **EDGE)
    nan = math.nan
    expected = {
        # A1 and A6 (29 Feb) of A1 A2 A3 A6 A7 A8; March: A2 (at midnight of 1 March), A3
        # (churned, then active at the same moment: the event ids order them), A7, A8.
        ("churn_rate", "2024-02"): (2, 6), ("churn_rate", "2024-03"): (4, 5),
        # April's start: 9 customers less A1 A2 A6 A7 A8 (A3 is active again).
        ("customers_at_start", "2024-04"): (4, nan),
        # A1's January order; A6's order of 28 Feb 2023 (29 Feb − 12 months), not the one of
        # the 27th nor the one on the day of the loss.
        ("revenue_lost", "2024-02"): (100 + 11, nan),
        ("new_customers", "2024-03"): (2, nan),  # A4, and A5 by its first order
        # A4's own 50, web's 90 (dated 10 March, no web customer acquired) and ads' 30.
        ("cac", "2024-03"): (170, 2),
        ("complaint_rate", "2024-03"): (1, 7),  # T1; not T2 of the unknown customer ZZ
        ("response_time", "2024-03"): (0.5 - 0.5 / 3600 + 2, 2),  # T1 29 min 59.5 s, T2 2 h
        ("followup_coverage", "2024-03"): (3, 5),  # A1 (voided 10 Mar), A7, A8 of 5 lost
        # March: A1 (no order), A7 (order 2 April), A8 (order 90 days later). April: A7's
        # follow-up is on its win-back day (won back after that day's events); A9 no order.
        ("winback_rate", "2024-03"): (2, 3), ("winback_rate", "2024-04"): (0, 1),
        ("conversion_rate", "2024-03"): (1, 1), ("nps", "2024-03"): (-100, 1),
        # window [2023-04-01, 2024-04-01): revenue 743 over 9 active; A6 (acquired by its
        # 2023 order) is the only customer at the window's start, lost on 29 Feb.
        ("clv_historical", "2024-03"): (743 / 9, 1),
    }  # fmt: skip
    for (metric, month), want in expected.items():
        assert close(pair(df, metric, month), want), (metric, month, pair(df, metric, month))
    tiers = df[df["metric"] == "tier_mix_customers"]
    assert close(pair(tiers, "tier_mix_customers", "2024-01", "low"), (1, 6))  # A1's newer
    assert close(pair(tiers, "tier_mix_customers", "2024-04", "mid"), (1, 4))  # dated as_of


def test_engine_followup_coverage_counts_every_loss(edge_ws: Workspace) -> None:
    df = engine(edge_ws, ["followup_coverage"], **EDGE)
    assert close(pair(df, "followup_coverage", "2024-03"), (3, 5))


def test_engine_clv_historical_leaves_out_unknown_customers(edge_ws: Workspace) -> None:
    df = engine(edge_ws, ["clv_historical"], **EDGE)
    assert close(pair(df, "clv_historical", "2024-03"), (743 / 9, 1))
