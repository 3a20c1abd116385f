"""Several cuts in one request (``compute_cuts``): each result equals the same cut computed on
its own, and the uncut totals, summed from a cut's sums, equal the uncut computation — for every
dimension, the hand-built company's churn definitions and a few KPI selections."""

from __future__ import annotations

import datetime as dt

import kpi_fixture as fx
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from keepwise.metrics import DIMENSIONS, Tables, compute, compute_cuts
from keepwise.workspace import Workspace

REQUEST = {"as_of": fx.AS_OF, "start": dt.date(2023, 6, 1), "end": dt.date(2024, 7, 1)}


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert not expected.empty
    assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
def test_each_cut_with_its_total(hand_store: Workspace, dimension: str) -> None:
    tables = Tables.from_backend(hand_store.store.ibis())
    results = compute_cuts(tables, cuts=[None, dimension], churn=fx.CHURN, **REQUEST)
    assert list(results) == [None, dimension]
    _same(results[None], compute(tables, churn=fx.CHURN, **REQUEST))
    _same(results[dimension], compute(tables, by=dimension, churn=fx.CHURN, **REQUEST))
    assert results[dimension]["dimension"].notna().any()
    total = results[None]
    plain = ~total["metric"].str.startswith("tier_mix")  # the tier mix's dimension is the tier
    assert total.loc[plain, "dimension"].isna().all()


@pytest.mark.parametrize(
    "metrics", [["churn_rate", "tier_mix_customers"], ["response_time_p90", "nps"], ["cac",
                "clv_cac_ratio"], ["clv_historical"]],
)  # fmt: skip
def test_selections_and_several_dimensions(hand_store: Workspace, metrics: list[str]) -> None:
    tables = Tables.from_backend(hand_store.store.ibis(), keep=True)
    try:
        cuts = ["segment", None, "channel", "segment"]
        results = compute_cuts(tables, metrics, cuts=cuts, grain="quarter", **REQUEST)
        assert list(results) == ["segment", None, "channel"]
        for by, got in results.items():
            _same(got, compute(tables, metrics, by=by, grain="quarter", **REQUEST))
    finally:
        tables.release()


def test_uncut_alone_is_one_plain_pass(hand_store: Workspace) -> None:
    tables = Tables.from_backend(hand_store.store.ibis())
    results = compute_cuts(tables, ["churn_rate"], cuts=[None], **REQUEST)
    _same(results[None], compute(tables, ["churn_rate"], **REQUEST))


def test_workspace_several_dimensions_share_and_release(hand_store: Workspace) -> None:
    """ws.metrics.cuts with two dimensions: each result equals its own ws.metrics.compute
    call, and the results kept for the second pass are dropped afterwards."""
    con = hand_store.store.ibis().con

    def temporary() -> int:
        return int(
            con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0]
        )

    before = temporary()
    results = hand_store.metrics.cuts(["churn_rate", "revenue"], cuts=["region", "segment", None],
                                      **REQUEST)  # fmt: skip
    assert temporary() == before
    for by, got in results.items():
        _same(got, hand_store.metrics.compute(["churn_rate", "revenue"], by=by, **REQUEST))
