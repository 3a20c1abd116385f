"""Real data through the normal import path: the mapping files in ``examples/`` load UCI Online
Retail and IBM Telco Customer Churn into DuckDB workspaces, and every count is checked against
``shared/data/SOURCES.md`` and against pandas computing the same figure from the file."""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise.ingest import ImportResult

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples"
RETAIL = DATA / "online_retail.parquet"
TELCO = DATA / "telco_customer_churn.csv"

#: Import day of the Online Retail files (the data ends on 2011-12-09).
RETAIL_TODAY = dt.date(2011, 12, 31)
#: The snapshot day the Telco mapping files assume (examples/telco/*.yaml).
SNAPSHOT = dt.date(2024, 1, 31)

# SOURCES.md
RETAIL_LINES = 541_909
RETAIL_NO_CUSTOMER = 135_080
RETAIL_CUSTOMERS = 4_372
RETAIL_CANCELLATION_LINES = 9_288
TELCO_CUSTOMERS = 7_043
TELCO_CHURNED = 1_869


@dataclass
class Loaded:
    ws: Workspace
    results: dict[str, ImportResult]
    seconds: dict[str, float]


def _load(ws: Workspace, steps: list[tuple[str, Path, str]], today: dt.date) -> Loaded:
    loaded = Loaded(ws, {}, {})
    for kind, path, mapping in steps:
        assert path.is_file(), f"{path} is missing: see shared/data/SOURCES.md"
        started = time.perf_counter()
        loaded.results[kind] = ws.imports.load(kind, path, today=today, mapping=EXAMPLES / mapping)
        loaded.seconds[kind] = time.perf_counter() - started
    return loaded


def _scalar(ws: Workspace, sql: str) -> object:
    with ws.store.begin() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


# --- UCI Online Retail ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    ws = Workspace.init(tmp_path_factory.mktemp("retail") / "ws", lang="en")
    steps = [
        ("customers", RETAIL, "online_retail/customers.yaml"),
        ("orders", RETAIL, "online_retail/orders.yaml"),
    ]
    yield _load(ws, steps, RETAIL_TODAY)
    ws.close()


@pytest.fixture(scope="module")
def retail_df() -> pd.DataFrame:
    df = pd.read_parquet(RETAIL)
    df["line"] = range(1, len(df) + 1)  # the importer's _line for Parquet files
    return df


def test_retail_file_matches_sources(retail_df: pd.DataFrame) -> None:
    assert len(retail_df) == RETAIL_LINES
    assert int(retail_df["CustomerID"].isna().sum()) == RETAIL_NO_CUSTOMER
    assert retail_df["CustomerID"].nunique() == RETAIL_CUSTOMERS
    assert int(retail_df["InvoiceNo"].str.startswith("C").sum()) == RETAIL_CANCELLATION_LINES


@pytest.mark.slow  # loads 541,909 lines (about 7 s)
def test_retail_import_counts(retail: Loaded) -> None:
    customers, orders = retail.results["customers"], retail.results["orders"]
    assert (customers.rows_read, customers.rows_loaded, customers.rows_rejected) == (
        RETAIL_CUSTOMERS,
        RETAIL_CUSTOMERS,
        0,
    )
    assert orders.rows_read == RETAIL_LINES
    assert orders.rows_rejected == RETAIL_NO_CUSTOMER
    assert orders.rows_loaded == RETAIL_LINES - RETAIL_NO_CUSTOMER == 406_829
    assert orders.rows_read == orders.rows_loaded + orders.rows_rejected
    assert (orders.rows_inserted, orders.rows_updated) == (orders.rows_loaded, 0)
    # A generous guard against pathological slow-downs (measured: about 7 s on a laptop-class
    # CPU; most of it is validation and writing the 135,080-line rejects file).
    assert retail.seconds["orders"] < 60


@pytest.mark.slow  # loads 541,909 lines (about 7 s)
def test_retail_rejects_are_exactly_the_lines_without_customer(
    retail: Loaded, retail_df: pd.DataFrame
) -> None:
    path = retail.results["orders"].rejects_file
    assert path is not None
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == RETAIL_NO_CUSTOMER
    assert {(r["column"], r["reason"]) for r in rows} == {
        ("customer_id", "required value is missing")
    }
    expected = set(retail_df.loc[retail_df["CustomerID"].isna(), "line"])
    assert {int(r["line"]) for r in rows} == expected


@pytest.mark.slow  # loads 541,909 lines (about 7 s)
def test_retail_orders_in_db(retail: Loaded, retail_df: pd.DataFrame) -> None:
    ws = retail.ws
    known = retail_df[retail_df["CustomerID"].notna()]
    cancelled = known["InvoiceNo"].str.startswith("C")
    assert _scalar(ws, "SELECT count(*) FROM orders") == len(known) == 406_829
    assert _scalar(ws, "SELECT count(DISTINCT customer_id) FROM orders") == RETAIL_CUSTOMERS
    # Cancellation lines with a customer id (the rest are among the rejects).
    db_cancelled = _scalar(ws, "SELECT count(*) FROM orders WHERE cancelled")
    assert db_cancelled == int(cancelled.sum()) == 8_905
    assert _scalar(ws, "SELECT count(*) FROM orders WHERE amount = 0") == int(
        (known["UnitPrice"] == 0).sum()
    )
    assert _scalar(ws, "SELECT count(*) FROM orders WHERE amount < 0") == 0

    ids = known["InvoiceNo"] + "-" + known["line"].astype(str)
    with ws.store.begin() as conn:
        db_ids = set(conn.execute(sa.text("SELECT order_id FROM orders")).scalars())
    assert db_ids == set(ids)

    line_total = (known["Quantity"] * known["UnitPrice"]).abs()
    revenue = _scalar(ws, "SELECT sum(amount) FROM orders WHERE NOT cancelled")
    assert revenue == pytest.approx(float(line_total[~cancelled].sum()), rel=1e-6)
    refunds = _scalar(ws, "SELECT sum(amount) FROM orders WHERE cancelled")
    assert refunds == pytest.approx(float(line_total[cancelled].sum()), rel=1e-6)


@pytest.mark.slow  # loads 541,909 lines (about 7 s)
def test_retail_customers_in_db(retail: Loaded, retail_df: pd.DataFrame) -> None:
    known = retail_df[retail_df["CustomerID"].notna()].copy()
    known["customer_id"] = known["CustomerID"].astype("int64").astype(str)
    per_country = (
        known.groupby(["customer_id", "Country"])
        .agg(n=("line", "size"), first=("InvoiceDate", "min"))
        .reset_index()
        .sort_values(["customer_id", "n", "first", "Country"], ascending=[1, 0, 1, 1])
        .drop_duplicates("customer_id")
        .set_index("customer_id")
    )
    first_invoice = known.groupby("customer_id")["InvoiceDate"].min()

    db = retail.ws.store.table("customers").to_pandas().set_index("customer_id").sort_index()
    assert len(db) == RETAIL_CUSTOMERS
    assert (db["status"] == "active").all()
    pd.testing.assert_series_equal(
        db["acquired_at"], first_invoice.sort_index(), check_names=False, check_dtype=False
    )
    pd.testing.assert_series_equal(
        db["region"], per_country["Country"].sort_index(), check_names=False
    )


@pytest.mark.slow
def test_retail_amounts_are_stored_exactly(retail: Loaded) -> None:
    # Line 1: InvoiceNo 536365, 6 x WHITE HANGING HEART T-LIGHT HOLDER at 2.55.
    assert _scalar(retail.ws, "SELECT amount FROM orders WHERE order_id = '536365-1'") == 15.3


# --- IBM Telco Customer Churn --------------------------------------------------------------

TELCO_STEPS = [
    ("customers", TELCO, "telco/customers.yaml"),
    ("status-events", TELCO, "telco/status-events.yaml"),
    ("orders", TELCO, "telco/orders.yaml"),
]


@pytest.fixture(scope="module")
def telco(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    ws = Workspace.init(tmp_path_factory.mktemp("telco") / "ws", lang="en")
    yield _load(ws, TELCO_STEPS, SNAPSHOT)
    ws.close()


@pytest.fixture(scope="module")
def telco_df() -> pd.DataFrame:
    return pd.read_csv(TELCO, dtype={"customerID": str})


def test_telco_file_matches_sources(telco_df: pd.DataFrame) -> None:
    assert len(telco_df) == TELCO_CUSTOMERS
    churned = int((telco_df["Churn"] == "Yes").sum())
    assert churned == TELCO_CHURNED
    assert round(100 * churned / len(telco_df), 2) == 26.54


def test_telco_import_counts(telco: Loaded) -> None:
    counts = {
        kind: (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_inserted)
        for kind, r in telco.results.items()
    }
    assert counts == {
        "customers": (TELCO_CUSTOMERS, TELCO_CUSTOMERS, 0, TELCO_CUSTOMERS),
        "status-events": (TELCO_CHURNED, TELCO_CHURNED, 0, TELCO_CHURNED),
        "orders": (7_032, 7_032, 0, 7_032),  # the 11 subscribers with tenure 0 are not billed
    }


def test_telco_customers_in_db(telco: Loaded, telco_df: pd.DataFrame) -> None:
    db = telco.ws.store.table("customers").to_pandas().set_index("customer_id").sort_index()
    src = telco_df.set_index("customerID").sort_index()
    assert list(db.index) == list(src.index)
    assert db["segment"].value_counts().to_dict() == src["Contract"].value_counts().to_dict()
    assert db["channel"].value_counts().to_dict() == src["PaymentMethod"].value_counts().to_dict()
    # acquired_at = snapshot - tenure months (month ends clamp: 2024-01-31 - 2 months = 11-30).
    snapshot = pd.Timestamp(SNAPSHOT)
    by_tenure = {t: snapshot - pd.DateOffset(months=int(t)) for t in src["tenure"].unique()}
    expected = src["tenure"].map(by_tenure)
    assert (pd.to_datetime(db["acquired_at"]) == expected).all()
    assert db.loc["7590-VHVEG", "acquired_at"] == pd.Timestamp("2023-12-31")  # tenure 1


def test_telco_churned_status(telco: Loaded, telco_df: pd.DataFrame) -> None:
    churned_ids = set(telco_df.loc[telco_df["Churn"] == "Yes", "customerID"])
    with telco.ws.store.begin() as conn:
        db_churned = set(
            conn.execute(sa.text("SELECT customer_id FROM customers WHERE status = 'churned'"))
            .scalars()
            .all()
        )
        statuses = dict(
            conn.execute(sa.text("SELECT status, count(*) FROM customers GROUP BY status")).all()
        )
        events = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT customer_id), min(occurred_at), "
                "max(occurred_at), min(to_status), max(to_status), min(from_status), "
                "max(reason) FROM status_events"
            )
        ).one()
    assert db_churned == churned_ids
    assert statuses == {"churned": TELCO_CHURNED, "active": TELCO_CUSTOMERS - TELCO_CHURNED}
    snapshot = dt.datetime.combine(SNAPSHOT, dt.time())
    assert tuple(events) == (
        TELCO_CHURNED,
        TELCO_CHURNED,
        snapshot,
        snapshot,
        "churned",
        "churned",
        "active",
        "other",
    )


def test_telco_orders_in_db(telco: Loaded, telco_df: pd.DataFrame) -> None:
    billed = telco_df[telco_df["tenure"] > 0]
    ws = telco.ws
    assert _scalar(ws, "SELECT count(*) FROM orders") == len(billed) == 7_032
    total = _scalar(ws, "SELECT sum(amount) FROM orders")
    assert total == pytest.approx(float(billed["MonthlyCharges"].sum()), rel=1e-6)


def test_telco_reimport_changes_nothing(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", lang="en")
    try:
        _load(ws, TELCO_STEPS, SNAPSHOT)
        again = _load(ws, TELCO_STEPS, SNAPSHOT)
        assert {k: (r.rows_inserted, r.rows_updated) for k, r in again.results.items()} == {
            "customers": (0, TELCO_CUSTOMERS),
            "status-events": (0, TELCO_CHURNED),
            "orders": (0, 7_032),
        }
        assert _scalar(ws, "SELECT count(*) FROM status_events") == TELCO_CHURNED
        churned = _scalar(ws, "SELECT count(*) FROM customers WHERE status = 'churned'")
        assert churned == TELCO_CHURNED
    finally:
        ws.close()
