"""Every KPI of the catalogue on the hand-built company (kpi_fixture.py), with the values
worked out by hand, on DuckDB, PostgreSQL and Spark.

Status at a month boundary b is that after the last event dated before b. Lost (churned or
voided) at each boundary — V2 from 2023-10-01 on; R3 from 02-01; R4, E3, R1, E5 at 03-01;
E3 and R1 are back at 04-01 (revert 03-05, won back 03-10) while E2 and E4 are lost; E5 is
back at 05-01 (won back 04-10) while R1 (inactive since 03-10 + 30 days = 04-09) and E7 are
lost; E6 is voided from 06-01 on. Acquired (34 counted): V1 V2 2022-06; F01-F10, E1, E2, R3,
E7 in Dec 2023 (14); E5, R1, R4, E3 in Jan (4); E6, R2, S1, F11-F20 in Feb (13); E4 in Mar.
"""

from __future__ import annotations

import datetime as dt
import math

import kpi_fixture as fx
import pandas as pd
import pytest

from keepwise.metrics import Tables, compute

MONTHS = ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
NULL = None


@pytest.fixture(scope="module")
def monthly(hand_tables: Tables) -> pd.DataFrame:
    return compute(hand_tables, as_of=fx.AS_OF, grain="month", start=dt.date(2023, 11, 1),
                   end=dt.date(2024, 7, 1), churn=fx.CHURN)  # fmt: skip


def _day(month: str) -> dt.date:
    return dt.date.fromisoformat(month + "-01")


def row(df: pd.DataFrame, metric: str, month: str, dimension: str | None = None) -> pd.Series:
    mask = (df["metric"] == metric) & (df["period_start"] == _day(month))
    mask &= df["dimension"].isna() if dimension is None else df["dimension"] == dimension
    found = df[mask]
    assert len(found) == 1, (metric, month, dimension, found)
    return found.iloc[0]


def close(a: object, b: float | None) -> bool:
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return isinstance(a, int | float) and math.isclose(float(a), b, rel_tol=1e-9, abs_tol=1e-9)


def check_ratio(df: pd.DataFrame, metric: str, expected: dict[str, tuple[float, float]],
                dimension: str | None = None) -> None:  # fmt: skip
    """Each month's (numerator, denominator); the value is their quotient, null for 0/0."""
    for month, (num, den) in expected.items():
        r = row(df, metric, month, dimension)
        assert close(r["numerator"], num), (metric, month, r["numerator"], num)
        assert close(r["denominator"], den), (metric, month, r["denominator"], den)
        assert close(r["value"], num / den if den else None), (metric, month, r["value"])


def check_values(df: pd.DataFrame, metric: str, expected: dict[str, float | None],
                 dimension: str | None = None) -> None:  # fmt: skip
    for month, value in expected.items():
        r = row(df, metric, month, dimension)
        assert close(r["value"], value), (metric, month, r["value"], value)


def series(*values: float | None) -> dict[str, float | None]:
    return dict(zip(MONTHS, values, strict=True))


def pairs(*values: tuple[float, float]) -> dict[str, tuple[float, float]]:
    return dict(zip(MONTHS, values, strict=True))


def test_customer_counts(monthly: pd.DataFrame) -> None:
    # at start: Nov V1; Dec V1; Jan V1 + 14 Dec; Feb 20 acquired before Feb − V2, R3;
    # Mar 33 before Mar − 6 lost at 03-01 (V2 R3 R4 E3 R1 E5); Apr 34 − 6 (V2 R3 R4 E2 E4 E5);
    # May 34 − 7 (V2 R3 R4 E2 E4 R1 E7); Jun 34 − 8 (… + E6).
    check_values(monthly, "customers_at_start", series(1, 1, 15, 18, 27, 28, 27, 26))
    check_values(monthly, "customers_at_end", series(1, 15, 18, 27, 28, 27, 26, 26))
    # active: acquired before the end, not lost at the start: Feb 33 − (V2, R3) = 31
    check_values(monthly, "active_customers", series(1, 15, 19, 31, 28, 28, 27, 26))
    check_values(monthly, "new_customers", series(0, 14, 4, 13, 1, 0, 0, 0))
    r = row(monthly, "new_customers", "2024-02")
    assert math.isnan(r["denominator"]) and r["numerator"] == r["value"] == 13


def test_churn_and_void_rates(monthly: pd.DataFrame) -> None:
    # Jan: R3 (inferred, 2023-12-15 + 30 days = 01-14); Feb: R4 void, E3 void, R1 inferred
    # (01-20 + 30 = 02-19), E5 churned — R4's own inferred churn (02-09) is hidden by its void;
    # Mar: E2 (E4 was acquired in March, so not at start); Apr: R1 (03-10 + 30), E7; May: E6.
    check_ratio(monthly, "churn_rate", pairs((0, 1), (0, 1), (1, 15), (4, 18), (1, 27),
                                             (2, 28), (1, 27), (0, 26)))  # fmt: skip
    check_ratio(monthly, "churn_only_rate", pairs((0, 1), (0, 1), (1, 15), (2, 18), (1, 27),
                                                  (2, 28), (0, 27), (0, 26)))  # fmt: skip
    check_ratio(monthly, "void_rate", pairs((0, 1), (0, 1), (0, 15), (2, 18), (0, 27),
                                            (0, 28), (1, 27), (0, 26)))  # fmt: skip
    # voided at the end ÷ acquired before the end: Feb R4, E3 of 33; Mar R4 (E3 reverted);
    # May R4, E6 of 34.
    check_ratio(monthly, "void_ratio", pairs((0, 2), (0, 16), (0, 20), (2, 33), (1, 34),
                                             (1, 34), (2, 34), (2, 34)))  # fmt: skip


def test_net_change_and_retention(monthly: pd.DataFrame) -> None:
    # (at start − at end) ÷ at start: Dec (1 − 15) / 1 = −14.
    check_ratio(monthly, "net_customer_change_rate", pairs(
        (1 - 1, 1), (1 - 15, 1), (15 - 18, 15), (18 - 27, 18), (27 - 28, 27), (28 - 27, 28),
        (27 - 26, 27), (26 - 26, 26)))  # fmt: skip
    # (at end − acquired in the period and at end) ÷ at start. Jan: 18 − 4 = 14 of 15;
    # Mar: 28 − 0 (E4 lost) = 28 of 27 — E3 (reverted) and R1 (won back) return to the base;
    # Apr: 27 includes E5, won back on 04-10, so 27/28 although 2 of 28 churned.
    check_ratio(monthly, "retention_rate", pairs((1, 1), (1, 1), (14, 15), (27 - 13, 18),
                                                 (28, 27), (27, 28), (26, 27), (26, 26)))  # fmt: skip


def test_revenue_kpis(monthly: pd.DataFrame) -> None:
    # Dec: E1 1000 + R3 70; Jan: F 10×100 + E1 1000 + E2 500 + E5 200 + E7 800 + R1 2×50 +
    # R4 80; Feb: F 1000 + V1 400 + E1 1000 + E2 500 + R2 2×60 + S1 90; Mar: F 1000 (F01's
    # cancelled 999 excluded) + E1 1000 + E4 300 + E7 800 + R1 50 + R2 60; Apr: F 1000 +
    # E5 400 + R2 60; May: F 1000 + R2 60 + S1 90; Jun: F 1000 + R2 60 (F02's 07-05 ignored).
    revenue = [0, 1070, 3680, 3110, 3210, 1460, 1150, 1060]
    check_values(monthly, "revenue", series(*revenue))
    # previous-month revenue of churn_rate's numerator ÷ previous-month revenue:
    # Jan R3 70; Feb R4 80 + E3 0 + R1 100 + E5 200 = 380; Mar E2 500; Apr R1 50 + E7 800.
    check_ratio(monthly, "revenue_churn", pairs((0, 0), (0, 0), (70, 1070), (380, 3680),
                                                (500, 3110), (850, 3210), (0, 1460), (0, 1150)))  # fmt: skip
    # revenue in the month of the customers at start ÷ their revenue the month before:
    # Jan F 1000 + E1 1000 + E2 500 + E7 800 over E1 1000 + R3 70; Feb V1 400 + F 1000 + E1 1000
    # + E2 500 over all of January; Mar F 1000 + E1 1000 + E7 800 + R2 60 over all of February;
    # Apr F 1000 + R2 60 over F 1000 + E1 1000 + E7 800 + R1 50 + R2 60; May all of May over
    # all of April (E5 is back); Jun all of June over all of May.
    check_ratio(monthly, "net_revenue_retention", pairs(
        (0, 0), (0, 0), (3300, 1070), (2900, 3680), (2860, 3110), (1060, 2910), (1150, 1460),
        (1060, 1150)))  # fmt: skip
    # 12 months before each loss: Jan R3 70; Feb R4 80, R1 100, E5 200; Mar E2 2×500;
    # Apr R1 3×50 + E7 2×800.
    check_values(monthly, "revenue_lost", series(0, 0, 70, 380, 1000, 1750, 0, 0))


def test_complaints_and_follow_up(monthly: pd.DataFrame) -> None:
    # March complaints T1, T3, T4 over the 28 customers active in March.
    check_ratio(monthly, "complaint_rate", pairs((0, 1), (0, 15), (0, 19), (0, 31), (3, 28),
                                                 (0, 28), (0, 27), (0, 26)))  # fmt: skip
    # losses with a later follow-up: Feb R1 (I4 02-25) and E5 (I2 03-01) of R4, E3, R1, E5;
    # Mar E2 (I1) and E4 (I3); Apr R1 and E7 have none after their loss.
    check_ratio(monthly, "followup_coverage", pairs((0, 0), (0, 0), (0, 1), (2, 4), (2, 2),
                                                    (0, 2), (0, 1), (0, 0)))  # fmt: skip


def test_service_surveys_leads(monthly: pd.DataFrame) -> None:
    # March tickets: T1 4 h, T2 24 h, T4 2 h answered, T3 not: mean 30/3, median 4,
    # p90 between 4 and 24 at 0.8 → 20. June: T6's response came after as_of.
    check_ratio(monthly, "response_time", {"2024-02": (1, 1), "2024-03": (30, 3),
                                           "2024-06": (0, 0)})  # fmt: skip
    check_values(monthly, "response_time_median", {"2024-03": 4.0, "2024-02": 1.0,
                                                   "2024-06": NULL})  # fmt: skip
    check_values(monthly, "response_time_p90", {"2024-03": 4 + 0.8 * (24 - 4)})
    check_values(monthly, "unanswered_tickets", {"2024-03": 1, "2024-06": 1, "2024-02": 0})
    # March surveys: csat 5, 4, 3, 2 (and one without); recommend 10, 9, 7, 3, 8.
    check_ratio(monthly, "csat", {"2024-03": (5 + 4 + 3 + 2, 4), "2024-04": (5, 1)})
    check_ratio(monthly, "csat_share", {"2024-03": (2, 4), "2024-04": (1, 1)})
    check_ratio(monthly, "referral_rate", {"2024-03": (2, 5), "2024-04": (0, 0)})
    check_ratio(monthly, "nps", {"2024-03": ((2 - 1) * 100, 5)})
    # leads: March L1 converted (E4), L3 converted only after as_of, L2 and L4 not at all.
    check_ratio(monthly, "conversion_rate", {"2024-02": (1, 1), "2024-03": (1, 4),
                                             "2024-04": (0, 0)})  # fmt: skip


def test_winback(monthly: pd.DataFrame) -> None:
    # Feb: R1 followed up 02-25 while churned, ordered 03-10 (within 90 days);
    # Mar: E5 (03-01, ordered 04-12), E2 and E4 (no order after); F01 was not lost.
    check_ratio(monthly, "winback_rate", {"2024-01": (0, 0), "2024-02": (1, 1),
                                          "2024-03": (1, 3)})  # fmt: skip


def test_acquisition_cost(monthly: pd.DataFrame) -> None:
    # Dec: own costs E1 200 + E2 500 + E7 200 over 14; Jan: web spend 500 shared by R1 and R4,
    # over 4; Feb: partner spend 1000 over 13; Mar: E4 100 + sales 900, plus web 600 and
    # partner 300 that acquired nobody, over 1.
    check_ratio(monthly, "cac", pairs((0, 0), (900, 14), (500, 4), (1000, 13),
                                      (100 + 900 + 600 + 300, 1), (0, 0), (0, 0), (0, 0)))  # fmt: skip


def test_lifetime_values(monthly: pd.DataFrame) -> None:
    # Trailing 12 months to the period end: revenue ÷ active customers ÷ churn rate. Only V1
    # and V2 were customers 12 months before, and V2 churned (2023-10-01): churn rate 1/2.
    # Nov: V1 400 + 400 + V2 600 over 2; Dec: + Dec 1070 over 16; Jan: + Jan 3680 over 20;
    # Feb: V1 1200 + V2 600 + Dec to Feb (1070 + 3680 + 2710) over 33; Mar: + Mar 3210 over 34;
    # Jun: V1 800 + Dec to Jun over 34.
    hist = {"2023-11": 1400 / 2, "2023-12": 2470 / 16, "2024-01": 6150 / 20,
            "2024-02": 9260 / 33, "2024-03": 12470 / 34,
            "2024-06": (800 + 1070 + 3680 + 2710 + 3210 + 1460 + 1150 + 1060) / 34}  # fmt: skip
    check_ratio(monthly, "clv_historical", {m: (v, 0.5) for m, v in hist.items()})
    # mean CLV of the month's new customers (predicted where scored, else historical) ÷ cac:
    # Dec F01-F10 1000 and E1 5000 scored, E2 R3 E7 not; Jan none scored; Feb F11-F20 50 and
    # R2 300 scored, E6 and S1 not; Mar E4 not scored.
    clv = {m: v * 2 for m, v in hist.items()}
    check_values(monthly, "clv_cac_ratio", {
        "2023-12": ((15000 + 3 * clv["2023-12"]) / 14) / (900 / 14),
        "2024-01": clv["2024-01"] / 125,
        "2024-02": ((800 + 2 * clv["2024-02"]) / 13) / (1000 / 13),
        "2024-03": clv["2024-03"] / 1900,
        "2024-04": NULL,
    })  # fmt: skip
    # predicted CLV of customers at end with a score (latest before as_of; E1's January score
    # and F01's July score do not count): Dec-Jan F01-F10 + E1; from Feb also F11-F20 and R2.
    check_ratio(monthly, "clv_predicted", {"2023-11": (0, 0), "2023-12": (15000, 11),
                                           "2024-03": (10000 + 500 + 5000 + 300, 22)})  # fmt: skip


def test_tier_mix(monthly: pd.DataFrame) -> None:
    # March: 28 at end — high F01-F10 and E1, mid R2, low F11-F20, unscored V1 E3 E6 E7 R1 S1;
    # revenue 3210 — high 1000 + 1000, mid 60, low 0, unscored E4 300 + E7 800 + R1 50.
    for tier, n in {"high": 11, "mid": 1, "low": 10, "unscored": 6}.items():
        check_ratio(monthly, "tier_mix_customers", {"2024-03": (n, 28)}, tier)
    for tier, amount in {"high": 2000, "mid": 60, "low": 0, "unscored": 1150}.items():
        check_ratio(monthly, "tier_mix_revenue", {"2024-03": (amount, 3210)}, tier)
    check_ratio(monthly, "tier_mix_customers", {"2023-11": (1, 1)}, "unscored")
    check_ratio(monthly, "tier_mix_customers", {"2023-11": (0, 1)}, "high")


def test_every_kpi_has_every_period(monthly: pd.DataFrame) -> None:
    from keepwise.metrics import KPIS

    uncut = monthly[monthly["dimension"].isna()]
    for k in KPIS:
        if not k.id.startswith("tier_mix"):
            assert list(uncut[uncut["metric"] == k.id]["period_start"]) == [
                _day(m) for m in MONTHS
            ], k.id


def test_cuts(hand_tables: Tables) -> None:
    df = compute(hand_tables, ["churn_rate", "cac"], as_of=fx.AS_OF, start=dt.date(2024, 3, 1),
                 end=dt.date(2024, 4, 1), by="segment", churn=fx.CHURN)  # fmt: skip
    # March at start: smb F01-F20 + V1; ent E1 E2 E7 E6; retail R2; no segment S1.
    check_ratio(df, "churn_rate", {"2024-03": (0, 21)}, "smb")
    check_ratio(df, "churn_rate", {"2024-03": (1, 4)}, "ent")
    check_ratio(df, "churn_rate", {"2024-03": (0, 1)}, "retail")
    check_ratio(df, "churn_rate", {"2024-03": (0, 1)}, None)
    # spend that acquired nobody has no segment: it lands on the null row with E4's cost in ent
    check_ratio(df, "cac", {"2024-03": (1000, 1)}, "ent")
    check_ratio(df, "cac", {"2024-03": (900, 0)}, None)
    by_channel = compute(hand_tables, ["cac"], as_of=fx.AS_OF, start=dt.date(2024, 3, 1),
                         end=dt.date(2024, 4, 1), by="channel", churn=fx.CHURN)  # fmt: skip
    check_ratio(by_channel, "cac", {"2024-03": (1000, 1)}, "sales")
    check_ratio(by_channel, "cac", {"2024-03": (600, 0)}, "web")
    check_ratio(by_channel, "cac", {"2024-03": (300, 0)}, "partner")


def test_cut_by_value_tier(hand_tables: Tables) -> None:
    df = compute(hand_tables, ["churn_rate"], as_of=fx.AS_OF, start=dt.date(2024, 4, 1),
                 end=dt.date(2024, 5, 1), by="tier", churn=fx.CHURN)  # fmt: skip
    # April at start 28: high F01-F10 + E1, mid R2, low F11-F20, unscored V1 E3 E6 E7 R1 S1;
    # R1 and E7 churn in April.
    expected = {"high": (0, 11), "mid": (0, 1), "low": (0, 10), "unscored": (2, 6)}
    check_ratio(df, "churn_rate", {"2024-04": expected["unscored"]}, None)
    for tier in ("high", "mid", "low"):
        check_ratio(df, "churn_rate", {"2024-04": expected[tier]}, tier)


def test_quarters_and_empty_periods(hand_tables: Tables) -> None:
    q = compute(hand_tables, ["churn_rate", "retention_rate"], as_of=fx.AS_OF, grain="quarter",
                start=dt.date(2024, 1, 1), churn=fx.CHURN)  # fmt: skip
    # Q1: 15 at 01-01, of whom R3 and E2 are lost in the quarter (R4, E3, R1, E5 were acquired
    # in it); 13 of them are still customers at 04-01. Q2: 28 at 04-01; R1, E7, E6 lost.
    check_ratio(q, "churn_rate", {"2024-01": (2, 15), "2024-04": (3, 28)})
    check_ratio(q, "retention_rate", {"2024-01": (13, 15)})
    week = compute(hand_tables, ["churn_rate"], as_of=fx.AS_OF, grain="week",
                   start=dt.date(2024, 3, 13), end=dt.date(2024, 3, 14), churn=fx.CHURN)  # fmt: skip
    # the week of Monday 11 March: 34 known, lost at its start V2 R3 R4 E5; E2 churns on 03-15
    assert week[["period_start", "numerator", "denominator"]].values.tolist() == [
        [dt.date(2024, 3, 11), 1, 30]]  # fmt: skip
    # periods before any customer: null rates, zero counts, no error
    empty = compute(hand_tables, ["churn_rate", "customers_at_start", "revenue_churn",
                                  "response_time", "cac", "clv_historical"],
                    as_of=fx.AS_OF, start=dt.date(2021, 1, 1), end=dt.date(2021, 3, 1))  # fmt: skip
    assert len(empty) == 12
    rates = empty[empty["metric"] != "customers_at_start"]
    assert rates["value"].isna().all()
    counts = empty[empty["metric"] == "customers_at_start"]
    assert (counts["value"] == 0).all()
