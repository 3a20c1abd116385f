"""Cohorts, Kaplan-Meier curves, reasons and business impact on the hand-built company, on
every engine (values worked out from the status boundaries listed in test_handbuilt.py)."""

from __future__ import annotations

import datetime as dt

import kpi_fixture as fx
import pandas as pd
import pytest

from keepwise.metrics import (
    Tables,
    avoidability,
    cohort_curves,
    cohort_table,
    impact,
    pivot_cohorts,
    reasons,
    survival_by_segment,
)

D = dt.date


def test_cohort_table_and_curves(hand_tables: Tables) -> None:
    table = cohort_table(hand_tables, as_of=fx.AS_OF, start=D(2023, 12, 1), churn=fx.CHURN)
    pivot = pivot_cohorts(table)
    retained = table.pivot_table(index="cohort", columns="age", values="retained")
    # Dec cohort (14): R3 lost from 02-01, E2 from 04-01, E7 from 05-01
    assert retained.loc[D(2023, 12, 1)].tolist() == [14, 13, 13, 12, 11, 11, 11]
    # Jan cohort (E5 R1 R4 E3): all lost at 03-01; E3 and R1 back at 04-01; R1 lost again
    # and E5 back at 05-01
    assert retained.loc[D(2024, 1, 1)].dropna().tolist() == [4, 0, 2, 2, 2, 2]
    # Feb cohort (13): E6 voided in May; Mar cohort: E4 lost in its first month
    assert retained.loc[D(2024, 2, 1)].dropna().tolist() == [13, 13, 13, 12, 12]
    assert retained.loc[D(2024, 3, 1)].dropna().tolist() == [0, 0, 0, 0]
    assert pivot.loc[D(2024, 1, 1), 2] == 0.5
    assert set(table["cohort"]) == {D(2023, 12, 1), D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)}
    curves = cohort_curves(table).set_index("age")
    # age 0 over all 32; age 4 over the three cohorts old enough (31); age 6 over Dec only
    assert curves.loc[0, "retention"] == pytest.approx((14 + 4 + 13 + 0) / 32)
    assert curves.loc[3, "retention"] == pytest.approx((12 + 2 + 12 + 0) / 32)
    assert curves.loc[4, "retention"] == pytest.approx((11 + 2 + 12) / 31)
    assert curves.loc[6, "retention"] == pytest.approx(11 / 14)


def test_kaplan_meier_by_segment(hand_tables: Tables) -> None:
    km = survival_by_segment(hand_tables, as_of=fx.AS_OF, churn=fx.CHURN)
    retail = km[km["group"] == "retail"].set_index("days")["survival"]
    # days to first loss: R4 26 (01-10 → 02-05), R3 30, R1 45 (01-05 → 02-19); R2 censored
    assert retail[26.0] == pytest.approx(3 / 4)
    assert retail[30.0] == pytest.approx(3 / 4 * 2 / 3)
    assert retail[45.0] == pytest.approx(1 / 4)
    ent = km[km["group"] == "ent"].set_index("days")["survival"]
    # E3 21, E4 22, E5 49, E6 94, E2 96 (2023-12-10 → 2024-03-15), E7 117; E1 censored
    assert (D(2024, 3, 15) - D(2023, 12, 10)).days == 96
    expected = 1.0
    for days, at_risk in [(21, 7), (22, 6), (49, 5), (94, 4), (96, 3), (117, 2)]:
        expected *= (at_risk - 1) / at_risk
        assert ent[float(days)] == pytest.approx(expected)
    assert (km["ci_lower"] <= km["survival"] + 1e-12).all()
    assert (km["survival"] <= km["ci_upper"] + 1e-12).all()
    assert set(km["group"]) == {"ent", "retail", "smb", "(none)"}


def test_reasons_and_avoidability(hand_tables: Tables) -> None:
    df = reasons(hand_tables, as_of=fx.AS_OF, start=D(2024, 1, 1), churn=fx.CHURN)
    feb = df[df["period_start"] == D(2024, 2, 1)]
    got = {(r.status, r.reason): (r.customers, r.revenue_lost) for r in feb.itertuples()}
    # R4 and E3 voided as duplicates (R4's 80 in the year before), R1 inactive (100),
    # E5 churned for service (200)
    assert got == {("voided", "duplicate"): (2, 80.0), ("churned", None): (1, 100.0),
                   ("churned", "service"): (1, 200.0)}  # fmt: skip
    service = feb[feb["reason"] == "service"].iloc[0]
    assert (service["reason_zh"], service["avoidable"]) == ("客户服务问题", True)
    assert feb[feb["reason"].isna()].iloc[0]["reason_en"] == "No reason recorded"
    march = df[df["period_start"] == D(2024, 3, 1)]
    assert march[["status", "reason", "customers", "revenue_lost"]].values.tolist() == [
        ["churned", "price", 1, 1000.0]]  # fmt: skip
    rolled = avoidability(df)
    feb_roll = rolled[rolled["period_start"] == D(2024, 2, 1)]
    assert {(r.status, r.avoidable): r.customers for r in feb_roll.itertuples()} == {
        ("voided", "unavoidable"): 2,
        ("churned", "avoidable"): 1,
        ("churned", "unknown"): 1,
    }
    by_segment = reasons(hand_tables, as_of=fx.AS_OF, start=D(2024, 2, 1), end=D(2024, 3, 1),
                         by="segment", churn=fx.CHURN)  # fmt: skip
    cells = {(r.dimension, r.status, r.reason): r.customers for r in by_segment.itertuples()}
    assert cells == {
        ("ent", "voided", "duplicate"): 1,
        ("ent", "churned", "service"): 1,
        ("retail", "voided", "duplicate"): 1,
        ("retail", "churned", None): 1,
    }


def test_impact(hand_tables: Tables) -> None:
    df = impact(hand_tables, as_of=fx.AS_OF, start=D(2024, 2, 1), end=D(2024, 5, 1),
                churn=fx.CHURN).set_index("period_start")  # fmt: skip
    march = df.loc[D(2024, 3, 1)]
    assert march["lost_customers"] == 1 and march["revenue_lost"] == 1000
    # E2 cost 500 to acquire; its two orders left a margin of 2 × (500 − 400)
    assert march["acquisition_cost_unrecovered"] == 500 - 2 * (500 - 400)
    # trailing 12 months of the 28 customers at end: V1 1200, F01-F10 3000, E1 4000, E7 1600,
    # R1 150, R2 180, S1 90; at risk: E7 (status at_risk) and E1 (high risk band)
    assert march["revenue_12m"] == 1200 + 3000 + 4000 + 1600 + 150 + 180 + 90
    assert march["revenue_at_risk"] == 4000 + 1600
    assert march["revenue_at_risk_share"] == pytest.approx(5600 / 10220)
    april = df.loc[D(2024, 4, 1)]
    assert (april["lost_customers"], april["revenue_lost"]) == (2, 150 + 1600)
    assert april["acquisition_cost_unrecovered"] == 0  # E7's margin 1600 covers its 200
    assert df.loc[D(2024, 2, 1), "lost_customers"] == 4
    assert list(df.index) == [D(2024, 2, 1), D(2024, 3, 1), D(2024, 4, 1)]
    assert isinstance(df, pd.DataFrame)
