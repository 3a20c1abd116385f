"""Drill-down on the hand-built company: the customers behind a KPI value are exactly those
the hand arithmetic of test_handbuilt.py counted, on every engine."""

from __future__ import annotations

import datetime as dt

import kpi_fixture as fx
import pandas as pd
import pytest

from keepwise.metrics import DRILL_COLUMNS, KPIS, Tables, compute, drilldown
from keepwise.workspace import Workspace

MARCH = dt.date(2024, 3, 1)
AT_START_MARCH = {"V1", "E1", "E2", "E6", "E7", "R2", "S1"} | {f"F{i:02d}" for i in range(1, 21)}


def drill(tables: Tables, metric: str, day: dt.date = MARCH, **kw: object) -> pd.DataFrame:
    df = drilldown(tables, metric, day, as_of=fx.AS_OF, churn=fx.CHURN, **kw)  # type: ignore[arg-type]
    assert list(df.columns) == DRILL_COLUMNS
    return df


def ids(df: pd.DataFrame, column: str) -> set[str]:
    return set(df.loc[df[column], "customer_id"].dropna())


def test_churn_rate_and_retention(hand_tables: Tables) -> None:
    df = drill(hand_tables, "churn_rate")
    assert ids(df, "in_numerator") == {"E2"}
    assert ids(df, "in_denominator") == AT_START_MARCH
    assert df.loc[df["customer_id"] == "E2", "name"].item() == "Customer E2"
    # April retention counts E5 (won back on 04-10) although E5 was not a customer at start
    ret = drill(hand_tables, "retention_rate", dt.date(2024, 4, 15))
    e5 = ret[ret["customer_id"] == "E5"].iloc[0]
    assert e5["in_numerator"] and not e5["in_denominator"]
    assert len(ret[ret["in_numerator"]]) == 27 and len(ret[ret["in_denominator"]]) == 28
    # cut by segment: the "ent" value of churn_rate is E2 over E1, E2, E6, E7
    ent = drill(hand_tables, "churn_rate", by="segment", value="ent")
    assert ids(ent, "in_numerator") == {"E2"}
    assert ids(ent, "in_denominator") == {"E1", "E2", "E6", "E7"}


def test_amounts_and_records(hand_tables: Tables) -> None:
    rev = drill(hand_tables, "revenue_churn")
    assert rev.loc[rev["in_numerator"], ["customer_id", "numerator"]].values.tolist() == [
        ["E2", 500.0]
    ]
    assert rev["denominator"].sum() == 3110  # all of February's revenue, customer by customer
    cac = drill(hand_tables, "cac")
    # E4's own 100 + the sales spend 900; web and partner spend acquired nobody
    assert cac[["customer_id", "ref", "numerator", "denominator"]].fillna("-").values.tolist() == [
        ["E4", "-", 1000.0, 1], ["-", "partner", 300.0, 0], ["-", "web", 600.0, 0]]  # fmt: skip
    leads = drill(hand_tables, "conversion_rate")
    assert sorted(leads["ref"]) == ["L1", "L2", "L3", "L4"]
    assert leads.loc[leads["in_numerator"], ["ref", "customer_id"]].values.tolist() == [
        ["L1", "E4"]
    ]
    median = drill(hand_tables, "response_time_median")
    assert dict(zip(median["ref"], median["numerator"], strict=True)) == {"T1": 4.0, "T2": 24.0,
                                                                         "T4": 2.0}  # fmt: skip


def test_follow_up_and_win_back(hand_tables: Tables) -> None:
    cover = drill(hand_tables, "followup_coverage", dt.date(2024, 2, 1))
    assert ids(cover, "in_denominator") == {"R4", "E3", "R1", "E5"}
    assert ids(cover, "in_numerator") == {"R1", "E5"}
    win = drill(hand_tables, "winback_rate")
    assert ids(win, "in_denominator") == {"E2", "E4", "E5"}
    assert ids(win, "in_numerator") == {"E5"}


def test_value_kpis(hand_tables: Tables) -> None:
    tier = drill(hand_tables, "tier_mix_customers", value="high")
    assert ids(tier, "in_numerator") == {"E1"} | {f"F{i:02d}" for i in range(1, 11)}
    assert len(tier[tier["in_denominator"]]) == 28
    clv = drill(hand_tables, "clv_historical")
    # the trailing window [2023-04-01, 2024-04-01): all 34 were active in it, V1 and V2 were
    # customers at its start and V2 churned in it
    assert len(clv[clv["in_numerator"]]) == 34 and clv["numerator"].sum() == 12470
    assert ids(clv, "in_denominator") == {"V1", "V2"}
    assert clv.loc[clv["customer_id"] == "V2", "denominator"].item() == 1
    ratio = drill(hand_tables, "clv_cac_ratio")
    e4 = ratio[ratio["customer_id"] == "E4"].iloc[0]
    assert e4["numerator"] == pytest.approx(12470 / 34 * 2) and e4["denominator"] == 1000


def test_every_kpi_drills_down_to_its_numbers(hand_store: Workspace) -> None:
    """For each KPI (DuckDB): the drill-down's contributions add up to the value's numerator
    and denominator (March, uncut)."""
    tables = Tables.from_backend(hand_store.store.ibis(), keep=True)
    values = compute(tables, as_of=fx.AS_OF, start=MARCH, end=dt.date(2024, 4, 1),
                     churn=fx.CHURN).set_index(["metric", "dimension"], drop=False)  # fmt: skip
    try:
        for k in KPIS:
            value = None if k.family != "tier_mix" else "high"
            df = drill(tables, k.id, value=value)
            row = values[(values["metric"] == k.id) & (values["dimension"].fillna("") ==
                                                       (value or ""))].iloc[0]  # fmt: skip
            if k.additive and k.kind != "quantile":
                assert df["numerator"].sum() == pytest.approx(row["numerator"]), k.id
                if k.den:
                    assert df["denominator"].sum() == pytest.approx(row["denominator"]), k.id
            elif k.kind == "quantile":
                assert len(df) == 3, k.id  # T1, T2, T4
    finally:
        tables.release()
