"""A hand-built company of 36 customers whose KPI values are worked out by hand in
test_handbuilt.py (the arithmetic is written there, next to each expected value).

As of 2024-07-01. Segments: "smb" and "ent" use explicit status events; "retail" infers churn
after 30 days without an order (keepwise.toml's [churn.segments.retail]). Edge cases: E4 is
acquired and lost in March; E3 is voided and reverted; E5 churns and is won back; R1 churns by
inactivity, comes back, churns again; F11-F20 and E3, E6 never order; R4's inferred churn is
hidden by its earlier void; S1 has no acquisition date (its first order counts); S2 is acquired
after as_of and S3 has neither date, so both are left out; data on or after as_of is ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepwise._core.config import ChurnConfig, ChurnRule

AS_OF = dt.date(2024, 7, 1)
CHURN = ChurnConfig(segments={"retail": ChurnRule(mode="inactivity", inactivity_days=30)})
Row = dict[str, Any]


def ts(day: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day) + dt.timedelta(hours=hour)


def _customer(cid: str, segment: str | None, channel: str | None, region: str | None,
              acquired: str | None, cost: float | None = None) -> Row:  # fmt: skip
    return {"customer_id": cid, "name": f"Customer {cid}", "segment": segment,
            "industry": "retail" if segment == "retail" else "services", "region": region,
            "channel": channel, "owner_id": "O1" if segment == "ent" else "O2",
            "acquired_at": ts(acquired) if acquired else None, "acquisition_cost": cost}  # fmt: skip


def customers() -> list[Row]:
    rows = [_customer(f"F{i:02d}", "smb", "web", "north", "2023-12-01") for i in range(1, 11)]
    rows += [_customer(f"F{i:02d}", "smb", "partner", "south", "2024-02-15") for i in range(11, 21)]
    rows += [
        _customer("V1", "smb", "web", "north", "2022-06-01"),
        _customer("V2", "smb", "web", "north", "2022-06-01"),
        _customer("E1", "ent", "sales", "east", "2023-12-05", 200.0),
        _customer("E2", "ent", "sales", "east", "2023-12-10", 500.0),
        _customer("E3", "ent", "sales", "east", "2024-01-20"),
        _customer("E4", "ent", "sales", "east", "2024-03-03", 100.0),
        _customer("E5", "ent", "sales", "east", "2024-01-02"),
        _customer("E6", "ent", "sales", "east", "2024-02-01"),
        _customer("E7", "ent", "sales", "east", "2023-12-20", 200.0),
        _customer("R1", "retail", "web", "west", "2024-01-05"),
        _customer("R2", "retail", "web", "west", "2024-02-01"),
        _customer("R3", "retail", "web", "west", "2023-12-15"),
        _customer("R4", "retail", "web", "west", "2024-01-10"),
        _customer("S1", None, "web", None, None),
        _customer("S2", "smb", "web", "north", "2024-08-01"),
        _customer("S3", "smb", "web", "north", None),
    ]
    return rows


def orders() -> list[Row]:
    rows: list[Row] = []

    def add(cid: str, day: str, amount: float, cost: float | None = None,
            cancelled: bool = False) -> None:  # fmt: skip
        rows.append({"order_id": f"{cid}-{day}-{len(rows)}", "customer_id": cid,
                     "ordered_at": ts(day, 10), "amount": amount, "cost": cost,
                     "cancelled": cancelled})  # fmt: skip

    for i in range(1, 11):
        for month in range(1, 7):
            add(f"F{i:02d}", f"2024-{month:02d}-10", 100.0)
    add("F01", "2024-03-15", 999.0, cancelled=True)
    add("F02", "2024-07-05", 100.0)  # after as_of
    for day in ("2023-05-01", "2023-09-01", "2024-02-01"):
        add("V1", day, 400.0)
    add("V2", "2023-06-01", 600.0)
    for day in ("2023-12-20", "2024-01-20", "2024-02-20", "2024-03-20"):
        add("E1", day, 1000.0)
    add("E2", "2024-01-15", 500.0, cost=400.0)
    add("E2", "2024-02-15", 500.0, cost=400.0)
    add("E4", "2024-03-10", 300.0)
    add("E5", "2024-01-05", 200.0)
    add("E5", "2024-04-12", 400.0)
    add("E7", "2024-01-10", 800.0)
    add("E7", "2024-03-12", 800.0)
    for day in ("2024-01-05", "2024-01-20", "2024-03-10"):
        add("R1", day, 50.0)
    for day in ("2024-02-01", "2024-02-25", "2024-03-20", "2024-04-15", "2024-05-10",
                "2024-06-05"):  # fmt: skip
        add("R2", day, 60.0)
    add("R3", "2023-12-15", 70.0)
    add("R4", "2024-01-10", 80.0)
    add("S1", "2024-02-14", 90.0)
    add("S1", "2024-05-20", 90.0)
    return rows


def status_events() -> list[Row]:
    def ev(cid: str, day: str, to: str, reason: str | None = None, hour: int = 10) -> Row:
        return {"customer_id": cid, "occurred_at": ts(day, hour), "to_status": to,
                "reason": reason, "actor": "test", "source": "import"}  # fmt: skip

    return [
        ev("V2", "2023-10-01", "churned", "price"),
        ev("E2", "2024-03-15", "churned", "price"),
        ev("E3", "2024-02-10", "voided", "duplicate"),
        ev("E3", "2024-03-05", "active"),
        ev("E4", "2024-03-25", "churned", "competitor"),
        ev("E5", "2024-02-20", "churned", "service"),
        ev("E5", "2024-04-10", "won_back"),
        ev("E6", "2024-05-05", "voided", "invalid"),
        ev("E7", "2024-03-01", "at_risk", hour=9),
        ev("E7", "2024-04-15", "churned", "neglect"),
        ev("R4", "2024-02-05", "voided", "duplicate"),
        ev("E1", "2024-07-10", "churned", "price"),  # after as_of
    ]


def tickets() -> list[Row]:
    def tk(tid: str, cid: str, opened: dt.datetime, first: dt.datetime | None,
           complaint: bool) -> Row:  # fmt: skip
        return {"ticket_id": tid, "customer_id": cid, "opened_at": opened,
                "first_response_at": first, "is_complaint": complaint}  # fmt: skip

    return [
        tk("T1", "E1", ts("2024-03-04", 9), ts("2024-03-04", 13), True),
        tk("T2", "E2", ts("2024-03-10", 10), ts("2024-03-11", 10), False),
        tk("T3", "R2", ts("2024-03-20", 8), None, True),
        tk("T4", "F01", ts("2024-03-25", 12), ts("2024-03-25", 14), True),
        tk("T5", "F02", ts("2024-02-10", 12), ts("2024-02-10", 13), False),
        tk("T6", "F03", ts("2024-06-30", 20), ts("2024-07-02", 9), False),
    ]


def surveys() -> list[Row]:
    def sv(sid: str, cid: str, day: str, csat: int | None, rec: int | None) -> Row:
        return {"survey_id": sid, "customer_id": cid, "answered_at": ts(day, 12), "csat": csat,
                "recommend": rec}  # fmt: skip

    return [
        sv("U1", "E1", "2024-03-05", 5, 10),
        sv("U2", "F01", "2024-03-06", 4, 9),
        sv("U3", "F02", "2024-03-07", 3, 7),
        sv("U4", "R2", "2024-03-08", 2, 3),
        sv("U5", "F03", "2024-03-09", None, 8),
        sv("U6", "F04", "2024-04-01", 5, None),
    ]


def leads() -> list[Row]:
    def ld(lid: str, day: str, source: str, cid: str | None = None,
           converted: str | None = None) -> Row:  # fmt: skip
        return {"lead_id": lid, "created_at": ts(day, 9), "source": source, "customer_id": cid,
                "converted_at": ts(converted) if converted else None}  # fmt: skip

    return [
        ld("L1", "2024-03-01", "web", "E4", "2024-03-03"),
        ld("L2", "2024-03-05", "web"),
        ld("L3", "2024-03-10", "sales", "F05", "2024-07-15"),  # converted after as_of
        ld("L4", "2024-03-20", "partner"),
        ld("L5", "2024-02-10", "partner", "F11", "2024-02-15"),
    ]


def marketing_spend() -> list[Row]:
    def sp(day: str, channel: str, amount: float) -> Row:
        return {"period_start": dt.date.fromisoformat(day), "channel": channel, "amount": amount}

    return [
        sp("2024-01-01", "web", 500.0),
        sp("2024-02-01", "partner", 1000.0),
        sp("2024-03-01", "web", 600.0),
        sp("2024-03-01", "sales", 900.0),
        sp("2024-03-01", "partner", 300.0),
    ]


def interactions() -> list[Row]:
    def it(iid: str, cid: str, day: str) -> Row:
        return {"interaction_id": iid, "customer_id": cid, "occurred_at": ts(day, 15),
                "type": "care_call"}  # fmt: skip

    return [
        it("I1", "E2", "2024-03-20"),
        it("I2", "E5", "2024-03-01"),
        it("I3", "E4", "2024-03-28"),
        it("I4", "R1", "2024-02-25"),
        it("I5", "F01", "2024-03-15"),
    ]


def scores() -> list[Row]:
    def sc(cid: str, day: str, tier: str | None, clv: float | None,
           band: str | None = None) -> Row:  # fmt: skip
        return {"customer_id": cid, "model_version": f"value-{day}",
                "as_of": dt.date.fromisoformat(day), "value_tier": tier, "predicted_clv": clv,
                "risk_band": band, "created_at": ts(day)}  # fmt: skip

    rows = [sc(f"F{i:02d}", "2024-06-30", "high", 1000.0) for i in range(1, 11)]
    rows += [sc(f"F{i:02d}", "2024-06-30", "low", 50.0) for i in range(11, 21)]
    rows += [
        sc("E1", "2024-01-31", "low", 10.0),  # superseded by the later score
        sc("E1", "2024-06-30", "high", 5000.0, "high"),
        sc("R2", "2024-06-30", "mid", 300.0),
        sc("F01", "2024-07-15", "low", 1.0),  # after as_of
    ]
    return rows


def data() -> dict[str, list[Row]]:
    return {
        "customers": customers(),
        "orders": orders(),
        "status_events": status_events(),
        "tickets": tickets(),
        "surveys": surveys(),
        "leads": leads(),
        "marketing_spend": marketing_spend(),
        "interactions": interactions(),
        "scores": scores(),
    }
