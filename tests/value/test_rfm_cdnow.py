"""The database RFM summary reproduces the published CDNOW calibration summary.

The CDNOW sample log goes into the ``orders`` table of a DuckDB workspace; the Ibis summary
(39-week calibration ending 1997-09-30, weeks, lifetimes' convention) must equal
``cdnow_customers_summary.csv`` exactly on frequency and to its two printed decimals on recency
and T, and an independent pandas computation on every column.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from keepwise import Workspace
from keepwise.store import schema
from keepwise.store.bulk import upsert
from keepwise.value.rfm import rfm_calibration_holdout, rfm_summary

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CAL_END = dt.date(1997, 9, 30)
OBS_END = dt.date(1998, 6, 30)


def read_log() -> pd.DataFrame:
    log = pd.read_csv(DATA / "cdnow_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "id", "date", "cds", "dollars"],
                      dtype={"date": str})  # fmt: skip
    log["date"] = pd.to_datetime(log["date"], format="%Y%m%d")
    return log


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    w = Workspace.init(tmp_path_factory.mktemp("cdnow") / "ws", lang="en")
    log = read_log()
    orders = pa.table({
        "order_id": [f"o{i}" for i in range(len(log))],
        "customer_id": log["id"].astype(str).tolist(),
        "ordered_at": pa.array(log["date"]).cast(pa.timestamp("us")),
        "amount": log["dollars"].astype(float).tolist(),
        "cancelled": [False] * len(log),
    })  # fmt: skip
    with w.store.begin() as conn:
        upsert(conn, schema.orders, orders, ("order_id",))
    yield w
    w.close()


def pandas_summary(cal_end: pd.Timestamp) -> pd.DataFrame:
    """An independent computation: purchases per day, T from the first purchase to cal_end."""
    log = read_log()
    days = log.groupby(["id", "date"], as_index=False)["dollars"].sum()
    days = days[days["date"] <= cal_end]
    g = days.groupby("id")
    first, last = g["date"].min(), g["date"].max()
    total, count = g["dollars"].sum(), g["date"].count()
    first_amount = days.sort_values("date").groupby("id")["dollars"].first()
    freq = count - 1
    return pd.DataFrame({
        "frequency": freq,
        "recency": (last - first).dt.days / 7.0,
        "T": (cal_end - first).dt.days / 7.0,
        "monetary_value": ((total - first_amount) / freq.where(freq > 0)).fillna(0.0),
    })  # fmt: skip


@pytest.fixture(scope="module")
def calibration(ws: Workspace) -> pd.DataFrame:
    expr = rfm_calibration_holdout(ws.store.table("orders"), CAL_END, OBS_END, unit="weeks")
    df = expr.execute()
    df.index = df["customer_id"].astype(int)
    return df.sort_index()


def test_matches_published_summary(calibration: pd.DataFrame) -> None:
    published = pd.read_csv(DATA / "cdnow_customers_summary.csv").set_index("ID").sort_index()
    assert len(calibration) == len(published) == 2357
    assert (calibration.index == published.index).all()
    assert (calibration["frequency"] == published["frequency"]).all()
    assert (calibration["recency"].round(2) - published["recency"]).abs().max() < 1e-9
    assert (calibration["T"].round(2) - published["T"]).abs().max() < 1e-9


def test_matches_pandas_and_published_spend(calibration: pd.DataFrame) -> None:
    expected = pandas_summary(pd.Timestamp(CAL_END)).sort_index()
    assert (calibration["frequency"] == expected["frequency"]).all()
    for col in ("recency", "T", "monetary_value"):
        assert calibration[col].to_numpy() == pytest.approx(expected[col].to_numpy(), abs=1e-9)
    zbar = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv").set_index("ID")
    assert (calibration["monetary_value"] - zbar["zbar"]).abs().max() <= 0.005 + 1e-9


def test_holdout(calibration: pd.DataFrame) -> None:
    log = read_log()
    days = log.drop_duplicates(["id", "date"])
    hold = days[(days["date"] > pd.Timestamp(CAL_END)) & (days["date"] <= pd.Timestamp(OBS_END))]
    counts = hold.groupby("id").size().reindex(calibration.index, fill_value=0)
    assert (calibration["frequency_holdout"] == counts).all()
    assert calibration["duration_holdout"].iloc[0] == pytest.approx(273 / 7)


def test_as_of_convention(ws: Workspace) -> None:
    """rfm_summary(as_of) keeps orders before as_of and measures T to as_of."""
    df = rfm_summary(ws.store.table("orders"), dt.date(1997, 10, 1), unit="days").execute()
    df.index = df["customer_id"].astype(int)
    expected = pandas_summary(pd.Timestamp(CAL_END))
    assert (df["frequency"].sort_index() == expected["frequency"].sort_index()).all()
    assert df.loc[1, "T"] == (dt.date(1997, 10, 1) - dt.date(1997, 1, 1)).days
    assert df.loc[1, "recency"] == (dt.date(1997, 8, 2) - dt.date(1997, 1, 1)).days


def test_calibration_holdout_check_table_and_chart(ws: Workspace, tmp_path: Path) -> None:
    """FHL 2005 Fig. 4 on CDNOW: BG/NBD calibrated to 1997-09-30 predicts the holdout purchases
    of every frequency group closely; the chart has one bar pair per group."""
    check = ws.value.calibration(CAL_END, OBS_END, unit="weeks")
    table = check.table
    assert list(table.index) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert int(table["n_customers"].sum()) == 2357
    assert check.params["r"] == pytest.approx(0.243, abs=1e-3)
    # Holdout means rise with calibration frequency, and the model tracks them.
    assert table["actual"].is_monotonic_increasing is False or table["actual"].iloc[-1] > 1
    assert (table["predicted"] - table["actual"]).abs().max() < 0.6
    assert abs(table["predicted"].iloc[0] - table["actual"].iloc[0]) < 0.05
    svg = check.svg("CDNOW", ("actual", "predicted"))
    assert svg.startswith("<svg") and svg.count("<rect") == 2 * 8 + 2
    ws.close()  # release the embedded database for the command-line process
    out = subprocess.run(
        [sys.executable, "-m", "keepwise", "-w", str(ws.path), "value", "calibration",
         "--calibration-end", "1997-09-30", "--observation-end", "1998-06-30",
         "--chart", str(tmp_path / "c.svg"), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["groups"]) == 8
    assert (tmp_path / "c.svg").read_text().count("<rect") == 18
