"""Contract ends are read as they were known (issue 10, "contract_end leaks the future").

A company of yearly contracts where the only cause of churn is a contract that is not renewed:
at each contract end a customer renews (a new contract row) or leaves that day. The CRM's
``customers.contract_end`` is the *current* contract: read at a past snapshot it separates the
churners perfectly (renewed customers carry next year's end, churners the end they left at).
The model trained on the contract in force at each snapshot is only as good as that contract
explains, and customers whose contract ends soon are not all scored high.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.metrics import roc_auc_score

from keepwise import Workspace
from keepwise._core.config import ChurnConfig
from keepwise.models.churn import ChurnClassifier
from keepwise.risk.features import FEATURES, build_features, build_snapshot
from keepwise.risk.training import TrainResult, load_model, snapshot_dates, train
from keepwise.store import schema
from keepwise.store.bulk import upsert

AS_OF = dt.date(2026, 6, 1)
HORIZON = 90
#: The held-out snapshot (2026-03-03) first, then the training snapshots (2025-12-03, …).
DATES = snapshot_dates(AS_OF, HORIZON, 5)
EVENTS = ChurnConfig()
#: Chance of leaving at a contract end.
LEAVE = 0.2


def _year_later(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 1)


def _company(n: int, seed: int) -> dict[str, pd.DataFrame]:
    """Customers with yearly contracts from acquisition; at each end before AS_OF they renew or
    (with chance LEAVE) churn that day. Monthly orders carry no signal. Three customers are
    fixed for hand-checked values: R (renews every 10 April), S (every 15 September) and
    C (leaves on 20 May 2026, at the end of its second contract)."""
    rng = np.random.default_rng(seed)
    first = dt.date(2023, 1, 1)
    acquired = {f"X{i:03d}": first + dt.timedelta(days=int(d))
                for i, d in enumerate(rng.integers(0, 880, n))}  # fmt: skip
    acquired = {k: v if (v.month, v.day) != (2, 29) else v + dt.timedelta(days=1)
                for k, v in acquired.items()}  # fmt: skip
    acquired |= {"R": dt.date(2023, 4, 10), "S": dt.date(2023, 9, 15), "C": dt.date(2024, 5, 20)}
    contracts, events, orders, customers = [], [], [], []
    for cid, start in acquired.items():
        k, left = 0, None
        while True:
            end = _year_later(start)
            renews = None if k == 0 else f"{cid}-{k - 1}"
            contracts.append((f"{cid}-{k}", cid, start, end, 1000.0, renews))
            if end >= AS_OF:
                break
            leaves = rng.random() < LEAVE if cid not in ("R", "S", "C") else cid == "C" and k == 1
            if leaves:
                left = end
                events.append((cid, dt.datetime.combine(end, dt.time(10)), "churned"))
                break
            start, k = end, k + 1
        customers.append((cid, acquired[cid], contracts[-1][3]))
        stop = left or AS_OF
        day = acquired[cid] + dt.timedelta(days=int(rng.integers(1, 30)))
        while day < stop:
            orders.append((f"O{len(orders)}", cid, dt.datetime.combine(day, dt.time(12)),
                           float(rng.integers(50, 500))))  # fmt: skip
            day += dt.timedelta(days=int(rng.integers(15, 45)))
    return {
        "customers": pd.DataFrame(customers, columns=["customer_id", "acquired_at",
                                                      "contract_end"]),
        "contracts": pd.DataFrame(contracts, columns=["contract_id", "customer_id", "start_date",
                                                      "end_date", "value", "renewed_from"]),
        "status_events": pd.DataFrame(events, columns=["customer_id", "occurred_at",
                                                       "to_status"]),
        "orders": pd.DataFrame(orders, columns=["order_id", "customer_id", "ordered_at",
                                                "amount"]),
    }  # fmt: skip


def _load(ws: Workspace, frames: dict[str, pd.DataFrame]) -> None:
    """Everything imported on AS_OF (one batch): at past snapshots only contracts that had
    started were known."""
    customers = frames["customers"].assign(acquired_at=lambda f: pd.to_datetime(f.acquired_at))
    keys = {"customers": ("customer_id",), "contracts": ("contract_id",),
            "orders": ("order_id",)}  # fmt: skip
    done = dt.datetime.combine(AS_OF, dt.time(9))
    with ws.store.begin() as conn:
        conn.execute(schema.import_batches.insert().values(
            id=1, kind="contracts", file_name="crm.csv", checksum="x", rows_read=0,
            rows_loaded=0, rows_rejected=0, started_at=done, finished_at=done,
        ))  # fmt: skip
        for name, frame in (("customers", customers), ("contracts", frames["contracts"]),
                            ("orders", frames["orders"])):  # fmt: skip
            table = pa.Table.from_pandas(frame, preserve_index=False)
            upsert(conn, schema.metadata.tables[name], table, keys[name], {"import_batch_id": 1})
        conn.execute(schema.status_events.insert(), frames["status_events"].to_dict("records"))


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return _company(360, seed=11)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, company: dict[str, pd.DataFrame]) -> Iterator[
        Workspace]:  # fmt: skip
    w = Workspace.init(Path(tmp_path_factory.mktemp("leak")) / "ws", lang="en")
    _load(w, company)
    yield w
    w.close()


@pytest.fixture(scope="module")
def snapshots(ws: Workspace) -> dict[dt.date, pd.DataFrame]:
    return {d: build_snapshot(ws.store, d, HORIZON, churn=EVENTS) for d in DATES}


@pytest.fixture(scope="module")
def trained(ws: Workspace) -> TrainResult:
    return train(ws.store, AS_OF, churn=EVENTS, created_at=dt.datetime(2026, 6, 1, 12),
                 horizon=HORIZON, snapshots=4)  # fmt: skip


def _leaky(snapshot: pd.DataFrame, company: dict[str, pd.DataFrame]) -> pd.Series:
    """days_to_contract_end as a CRM export read at the snapshot would give it."""
    current = company["customers"].set_index("customer_id").contract_end
    end = pd.to_datetime(snapshot.customer_id.map(current))
    return (end - snapshot.as_of).dt.days.astype("float64")


def test_the_current_contract_would_separate_the_churners(
    snapshots: dict[dt.date, pd.DataFrame], company: dict[str, pd.DataFrame]
) -> None:
    for snap in snapshots.values():
        assert 0 < snap.churned.sum() < len(snap)
        assert roc_auc_score(snap.churned, -_leaky(snap, company)) == 1.0


def test_days_to_contract_end_is_the_contract_in_force(
    snapshots: dict[dt.date, pd.DataFrame], company: dict[str, pd.DataFrame]
) -> None:
    march, december = (snapshots[d].set_index("customer_id") for d in DATES[:2])
    assert DATES[:2] == [dt.date(2026, 3, 3), dt.date(2025, 12, 3)]
    # R renewed on 2026-04-10: at 2026-03-03 its contract then ends 2026-04-10 (38 days),
    # not 2027-04-10 (403 days) as the CRM says now.
    assert march.loc["R", "days_to_contract_end"] == 38
    crm = company["customers"].set_index("customer_id").contract_end
    assert crm["R"] == dt.date(2027, 4, 10) and crm["C"] == dt.date(2026, 5, 20)
    assert december.loc["R", "days_to_contract_end"] == 128  # 2025-12-03 → 2026-04-10
    assert march.loc["S", "days_to_contract_end"] == 196  # 2026-03-03 → 2026-09-15
    assert december.loc["S", "days_to_contract_end"] == 286
    # C leaves at the end of its contract: 2026-05-20, 78 days after 2026-03-03.
    assert march.loc["C", "days_to_contract_end"] == 78 and march.loc["C", "churned"] == 1
    # Every customer, every snapshot: the end of the latest contract started before it.
    contracts = company["contracts"]
    for day, snap in snapshots.items():
        started = contracts[contracts.start_date < day].sort_values("start_date")
        end = started.groupby("customer_id").end_date.last()
        expected = (pd.to_datetime(snap.customer_id.map(end)) - pd.Timestamp(day)).dt.days
        np.testing.assert_array_equal(snap.days_to_contract_end, expected.astype("float64"))


def test_the_back_test_is_only_as_good_as_the_contract_in_force(
    trained: TrainResult,
    snapshots: dict[dt.date, pd.DataFrame],
    company: dict[str, pd.DataFrame],
) -> None:
    result = trained
    assert result.test_date == DATES[0]
    held = snapshots[DATES[0]]
    # What the contract in force explains: whether it ends inside the label window.
    ending = held.days_to_contract_end.between(0, HORIZON - 1)
    explained = roc_auc_score(held.churned, ending)
    assert held.churned[~ending].sum() == 0 and 0.1 < held.churned[ending].mean() < 0.4
    honest = result.evaluation["reports"]["keepwise"]["roc_auc"]
    assert honest <= explained + 0.03 and explained < 0.95
    # The same model fitted on the CRM's current contract end separates them perfectly.
    train_rows = pd.concat([snapshots[d] for d in DATES[1:]], ignore_index=True)
    leaky = ChurnClassifier(random_state=0, n_jobs=1).fit(
        train_rows[list(FEATURES)].assign(days_to_contract_end=_leaky(train_rows, company)),
        train_rows.churned,
    )
    flattered = leaky.churn_probability(
        held[list(FEATURES)].assign(days_to_contract_end=_leaky(held, company))
    )
    assert roc_auc_score(held.churned, flattered) > 0.99 > honest + 0.04


def test_a_contract_ending_soon_is_not_a_verdict(ws: Workspace, trained: TrainResult) -> None:
    """The demo symptom: not all customers whose contract ends within 90 days score high."""
    model = load_model(ws.store, trained.model_version).model
    now = build_features(ws.store, AS_OF, churn=EVENTS)
    proba = pd.Series(model.churn_probability(now[list(FEATURES)]), index=now.customer_id)
    soon = now.set_index("customer_id").days_to_contract_end.between(0, 90)
    assert soon.sum() > 30
    # About LEAVE of them will leave: scored near that, none in the high band (>= 0.6).
    assert proba[soon].mean() == pytest.approx(LEAVE, abs=0.15)
    assert (proba[soon] >= 0.6).mean() < 0.05
