"""Point-in-time features: exact values on a hand-built company, and no feature ever reads a
row dated at or after ``as_of`` (adversarial rows appended and altered, plus a property test)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepwise import Workspace
from keepwise._core.config import ChurnConfig
from keepwise.risk.features import FEATURES, build_features, build_snapshot
from keepwise.store import schema

D = dt.datetime
#: Explicit status events only (the default churn definition).
EVENTS = ChurnConfig()


def _insert(ws: Workspace, table: sa.Table, rows: list[dict[str, object]]) -> None:
    """Rows grouped by their keys (an executemany needs the same keys in every row)."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    with ws.store.begin() as conn:
        for group in groups.values():
            conn.execute(sa.insert(table), group)


def _fill_tiny(ws: Workspace) -> None:
    """Customers A (active, with every kind of activity), B (churned before), C (acquired
    after) and E (at risk, voided on as_of)."""
    _insert(ws, schema.owners, [
        {"owner_id": "O1", "active": False, "left_at": D(2026, 3, 1)},
        {"owner_id": "O2", "active": True, "left_at": D(2026, 6, 1)},
    ])  # fmt: skip
    # Two import batches: one finished before as_of (2026-04-01), one on the day after it.
    _insert(ws, schema.import_batches, [
        {"id": n, "kind": "customers", "file_name": "c.csv", "checksum": "x", "rows_read": 1,
         "rows_loaded": 1, "rows_rejected": 0, "started_at": done, "finished_at": done}
        for n, done in ((901, D(2026, 3, 15, 10)), (902, D(2026, 4, 2, 9)))
    ])  # fmt: skip
    _insert(ws, schema.customers, [
        # The CRM's current contract (renewed after as_of) must not be read at as_of.
        {"customer_id": "A", "segment": "smb", "owner_id": "O1", "acquired_at": D(2025, 1, 1),
         "contract_end": dt.date(2027, 6, 30), "import_batch_id": 901},
        {"customer_id": "B", "segment": "smb", "owner_id": "O2", "acquired_at": D(2025, 6, 1)},
        {"customer_id": "C", "segment": "smb", "owner_id": "O2", "acquired_at": D(2026, 5, 1)},
        # No contract history: the CRM's end counts from the day the row was imported.
        {"customer_id": "E", "segment": "smb", "owner_id": "O2", "acquired_at": D(2025, 2, 1),
         "contract_end": dt.date(2026, 5, 1), "import_batch_id": 901},
    ])  # fmt: skip
    _insert(ws, schema.contracts, [
        {"contract_id": "A-1", "customer_id": "A", "start_date": dt.date(2025, 1, 1),
         "end_date": dt.date(2025, 12, 31)},
        {"contract_id": "A-2", "customer_id": "A", "start_date": dt.date(2025, 12, 31),
         "end_date": dt.date(2026, 6, 30), "renewed_from": "A-1"},
        # Signed and imported the day after as_of: unknown at as_of.
        {"contract_id": "A-3", "customer_id": "A", "start_date": dt.date(2026, 6, 30),
         "end_date": dt.date(2027, 6, 30), "renewed_from": "A-2", "import_batch_id": 902},
    ])  # fmt: skip
    days = [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 2), D(2026, 3, 30)]
    _insert(ws, schema.orders, [
        *({"order_id": f"A{i}", "customer_id": "A", "ordered_at": d, "amount": 100.0}
          for i, d in enumerate(days)),
        {"order_id": "Ax", "customer_id": "A", "ordered_at": D(2026, 3, 15), "amount": 999.0,
         "cancelled": True},
        {"order_id": "A-future", "customer_id": "A", "ordered_at": D(2026, 4, 1), "amount": 5.0},
        {"order_id": "E1", "customer_id": "E", "ordered_at": D(2025, 3, 1), "amount": 50.0},
    ])  # fmt: skip
    _insert(ws, schema.surveys, [
        {"survey_id": "S1", "customer_id": "A", "answered_at": D(2026, 1, 10), "csat": 5},
        {"survey_id": "S2", "customer_id": "A", "answered_at": D(2026, 3, 10), "csat": 3},
        {"survey_id": "S3", "customer_id": "A", "answered_at": D(2026, 4, 1), "csat": 1},
    ])  # fmt: skip
    _insert(ws, schema.tickets, [
        {"ticket_id": "T1", "customer_id": "A", "opened_at": D(2026, 3, 20, 8),
         "first_response_at": D(2026, 3, 20, 12), "is_complaint": True},
        {"ticket_id": "T2", "customer_id": "A", "opened_at": D(2026, 3, 31, 20),
         "first_response_at": D(2026, 4, 1, 9), "is_complaint": False},
    ])  # fmt: skip
    _insert(
        ws,
        schema.interactions,
        [
            {"interaction_id": "I1", "customer_id": "A", "occurred_at": D(2026, 3, 22)},
        ],
    )
    _insert(ws, schema.status_events, [
        {"customer_id": "B", "occurred_at": D(2026, 2, 1), "to_status": "churned"},
        {"customer_id": "A", "occurred_at": D(2026, 5, 15), "to_status": "churned"},
        {"customer_id": "E", "occurred_at": D(2026, 3, 1), "to_status": "at_risk"},
        {"customer_id": "E", "occurred_at": D(2026, 4, 1), "to_status": "voided"},
    ])  # fmt: skip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace.init(tmp_path_factory.mktemp("tiny") / "ws", lang="en")
    _fill_tiny(ws)
    yield ws
    ws.close()


def test_feature_values_on_a_hand_built_company(workspace: Workspace) -> None:
    """The same Ibis expressions on DuckDB and PostgreSQL (the ``workspace`` fixture)."""
    _fill_tiny(workspace)
    snap = build_snapshot(workspace.store, dt.date(2026, 4, 1), horizon=90, churn=EVENTS).set_index(
        "customer_id"
    )
    assert list(snap.index) == ["A", "E"]  # B churned before, C acquired after
    a = snap.loc["A"]
    assert (a.orders_30d, a.orders_90d, a.orders_365d) == (2, 4, 4)
    assert a.spend_90d == pytest.approx(400.0)
    assert a.purchase_trend_90d_vs_365d == pytest.approx(4.0)
    assert a.days_since_last_order == 2
    assert a.gap_vs_norm == pytest.approx(2 / (88 / 3))
    assert (a.csat_last, a.csat_change) == (3, -2)
    assert (a.complaints_90d, a.tickets_90d) == (1, 2)
    assert a.response_hours_90d == pytest.approx(4.0)  # T2's answer came after as_of
    assert a.days_since_followup == 10
    assert a.owner_departed == 1
    assert a.tenure_days == 455
    assert a.days_to_contract_end == 90
    assert a.churned == 1 and a.churned_at == pd.Timestamp(2026, 5, 15)
    e = snap.loc["E"]
    assert e.days_to_contract_end == 30  # the bare contract_end, imported 2026-03-15
    assert e.at_risk == 1 and e.owner_departed == 0  # O2 leaves after as_of
    assert e.orders_365d == 0 and pd.isna(e.purchase_trend_90d_vs_365d)
    assert e.churned == 1  # a void counts, on as_of itself


def test_horizon_bounds_the_label(tiny: Workspace) -> None:
    snap = build_snapshot(tiny.store, dt.date(2026, 4, 1), horizon=30, churn=EVENTS).set_index(
        "customer_id"
    )
    assert snap.loc["A", "churned"] == 0 and snap.loc["E", "churned"] == 1


def test_days_to_contract_end_reads_the_contract_known_then(tiny: Workspace) -> None:
    """A reads its contract history (A-2 from 2025-12-31, A-3 known from its import on
    2026-04-02), E its bare contract_end only from the import of 2026-03-15."""

    def days(as_of: dt.date) -> dict[str, float]:
        frame = build_features(tiny.store, as_of, churn=EVENTS).set_index("customer_id")
        return frame["days_to_contract_end"].to_dict()

    march = days(dt.date(2026, 3, 10))
    assert march["A"] == 112 and pd.isna(march["E"])  # 2026-06-30 - 2026-03-10
    assert days(dt.date(2026, 3, 15))["E"] == 47  # imported that day: known that day
    assert days(dt.date(2025, 12, 31))["A"] == 0  # A-2 starts that day: A-1 ends then
    assert days(dt.date(2025, 12, 1))["A"] == 30
    assert days(dt.date(2026, 4, 2))["A"] == 454  # A-3 imported: 2027-06-30 - 2026-04-02
    assert days(dt.date(2026, 4, 1))["A"] == 90


@pytest.fixture(scope="module")
def sandbox(
    tmp_path_factory: pytest.TempPathFactory, demo_factory: Callable[..., Workspace]
) -> Iterator[Workspace]:
    ws = demo_factory(tmp_path_factory.mktemp("leak") / "ws", customers=250, seed=7)
    yield ws
    ws.close()


def _future_rows(ws: Workspace, as_of: dt.date, offset: int, tag: str, ids: list[str]) -> None:
    """Append rows dated ``offset`` days after ``as_of`` midnight (0 = exactly at it)."""
    at = dt.datetime.combine(as_of, dt.time()) + dt.timedelta(days=offset)
    day = as_of + dt.timedelta(days=offset)
    _insert(ws, schema.customers, [{"customer_id": f"{tag}-new", "acquired_at": at}])
    _insert(ws, schema.orders, [{"order_id": f"{tag}-{c}", "customer_id": c, "ordered_at": at,
                                 "amount": 1e6} for c in ids])  # fmt: skip
    _insert(ws, schema.usage, [{"customer_id": c, "day": day, "feature": tag, "visits": 999,
                                "minutes": 999.0} for c in ids])  # fmt: skip
    _insert(ws, schema.tickets, [{"ticket_id": f"{tag}-{c}", "customer_id": c, "opened_at": at,
                                  "first_response_at": at, "is_complaint": True}
                                 for c in ids])  # fmt: skip
    _insert(ws, schema.surveys, [{"survey_id": f"{tag}-{c}", "customer_id": c,
                                  "answered_at": at, "csat": 1} for c in ids])  # fmt: skip
    _insert(ws, schema.interactions, [{"interaction_id": f"{tag}-{c}", "customer_id": c,
                                       "occurred_at": at} for c in ids])  # fmt: skip
    _insert(ws, schema.status_events, [{"customer_id": c, "occurred_at": at, "to_status":
                                        "churned", "note": tag} for c in ids])  # fmt: skip
    _insert(ws, schema.contracts, [{"contract_id": f"{tag}-{c}", "customer_id": c,
                                    "start_date": day, "end_date": day + dt.timedelta(days=3)}
                                   for c in ids])  # fmt: skip
    _insert(
        ws,
        schema.scores,
        [
            {
                "customer_id": c,
                "model_version": tag,
                "as_of": day,
                "p_alive": 0.01,
                "value_tier": "no_value",
            }
            for c in ids
        ],
    )


def test_no_feature_reads_rows_at_or_after_as_of(sandbox: Workspace) -> None:
    as_of = dt.date(2026, 5, 1)
    moment = dt.datetime.combine(as_of, dt.time())
    before = build_features(sandbox.store, as_of, churn=EVENTS)
    assert len(before) > 50 and before["orders_90d"].sum() > 0
    ids = before["customer_id"].head(40).tolist()
    _future_rows(sandbox, as_of, 0, "edge", ids)
    _future_rows(sandbox, as_of, 45, "later", ids)
    with sandbox.store.begin() as conn:  # alter what happened at or after as_of
        o, tk = schema.owners.c, schema.tickets.c
        later = sa.or_(o.left_at.is_(None), o.left_at >= moment)
        conn.execute(sa.update(schema.owners).where(later).values(active=False, left_at=moment))
        open_then = sa.or_(tk.first_response_at.is_(None), tk.first_response_at >= moment)
        conn.execute(
            sa.update(schema.tickets)
            .where(tk.opened_at < moment, open_then)
            .values(first_response_at=moment)
        )
        # The CRM's current contract end, rewritten after as_of for every customer.
        conn.execute(sa.update(schema.customers).values(contract_end=as_of))
        orders = schema.orders.c
        conn.execute(
            sa.delete(schema.orders).where(
                orders.ordered_at >= moment, ~orders.order_id.like("edge-%")
            )
        )
    after = build_features(sandbox.store, as_of, churn=EVENTS)
    assert list(after.columns) == ["customer_id", "owner_id", *FEATURES]
    pd.testing.assert_frame_equal(before, after)


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.integers(0, 600), offset=st.integers(0, 120))
def test_appending_future_rows_never_changes_features(
    sandbox: Workspace, day: int, offset: int
) -> None:
    as_of = dt.date(2025, 1, 1) + dt.timedelta(days=day)
    before = build_features(sandbox.store, as_of, churn=EVENTS)
    tag = f"h{day}-{offset}"
    _future_rows(sandbox, as_of, offset, tag, before["customer_id"].head(40).tolist())
    pd.testing.assert_frame_equal(before, build_features(sandbox.store, as_of, churn=EVENTS))
