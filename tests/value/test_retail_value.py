"""The value features on a real retail log (issue 10): the UCI Online Retail invoice lines.

Before issue 10, ``value clv`` with Pareto/NBD failed here (ConvergenceError with and without a
penalty), and ``value calibration`` crashed at most calibration ends: a customer first seen on
the calibration end has T = 0 ("T must be strictly positive"). Now both work, the calibration
through the same fitting fallback as ``value clv``, and every predicted CLV has its interval.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

from cli_support import run
from keepwise import Workspace
from keepwise.store import schema
from keepwise.store.bulk import upsert
from keepwise.value import ValueTables, compute_scores, parse_value_settings
from keepwise.value.service import standing

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "online_retail.parquet"
AS_OF = dt.date(2011, 12, 10)  # the day after the last invoice
LAST_DAY = dt.date(2011, 12, 9)


def invoice_lines() -> pd.DataFrame:
    lines = pd.read_parquet(DATA, columns=["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice",
                                           "CustomerID"])  # fmt: skip
    lines = lines[lines["CustomerID"].notna()].reset_index(drop=True)
    lines["customer_id"] = lines["CustomerID"].astype(int).astype(str)
    lines["cancelled"] = lines["InvoiceNo"].str.startswith("C")
    return lines


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Orders as examples/online_retail/orders.yaml maps them (one per invoice line, amount
    |Quantity x UnitPrice|, cancellations flagged), customers acquired at their first line."""
    w = Workspace.init(tmp_path_factory.mktemp("retail") / "ws", lang="en")
    lines = invoice_lines()
    orders = pa.table({
        "order_id": (lines["InvoiceNo"] + "-" + lines.index.astype(str)).tolist(),
        "customer_id": lines["customer_id"].tolist(),
        "ordered_at": pa.array(lines["InvoiceDate"]).cast(pa.timestamp("us")),
        "amount": (lines["Quantity"] * lines["UnitPrice"]).abs().round(3).tolist(),
        "cancelled": lines["cancelled"].tolist(),
    })  # fmt: skip
    first = lines.groupby("customer_id")["InvoiceDate"].min()
    customers = pa.table({"customer_id": first.index.tolist(),
                          "acquired_at": pa.array(first).cast(pa.timestamp("us"))})  # fmt: skip
    with w.store.begin() as conn:
        upsert(conn, schema.customers, customers, ("customer_id",))
        upsert(conn, schema.orders, orders, ("order_id",))
    yield w
    w.close()


@pytest.mark.parametrize(
    ("model", "unit"), [("bgnbd", "weeks"), ("pareto_nbd", "weeks"), ("pareto_nbd", "days")]
)
def test_clv_fits_and_gives_every_prediction_an_interval(
    ws: Workspace, model: str, unit: str
) -> None:
    settings = parse_value_settings({"transaction_model": model, "time_unit": unit})
    result = compute_scores(ValueTables.from_backend(ws.store.ibis()), AS_OF, settings,
                            standing(ws.store, ws.config.churn, AS_OF))  # fmt: skip
    keys = [n.key for n in result.notes]
    assert "value.note.fit_failed" not in keys  # the plain fit, no penalty needed
    assert {model, "gamma_gamma"} <= set(result.params)
    if model == "pareto_nbd":
        # No drop-out the model can see: s and beta are not identified, and the user is told.
        note = next(n for n in result.notes if n.key == "value.note.not_identified")
        assert note.params["params"] == "s, beta"
    buyers = result.frame[result.frame["frequency"].notna()]
    clv, low, high = buyers["predicted_clv"], buyers["clv_low"], buyers["clv_high"]
    assert clv.notna().all() and (clv >= 0).all()
    assert ((low <= clv) & (clv <= high)).all()
    assert (high > low).mean() > 0.99  # a real interval, not a point
    # Relative widths: the parameters are estimated from ~4,300 customers, so a few per cent
    # for a typical customer, and wider (never narrower) for customers with little history.
    width = (high - low) / clv
    assert 0.005 < width.median() < 0.5
    one_timers = buyers["frequency"] == 0
    assert width[one_timers].median() >= width[buyers["frequency"] >= 10].median()


CALIBRATION_ENDS = [dt.date(2011, 3, 31), dt.date(2011, 6, 30), dt.date(2011, 9, 30),
                    dt.date(2011, 11, 15)]  # fmt: skip


@pytest.mark.parametrize("unit", ["weeks", "days"])
def test_calibration_works_at_any_calibration_end(ws: Workspace, unit: str) -> None:
    lines = invoice_lines()
    bought = lines[~lines["cancelled"]]
    first_day = bought.groupby("customer_id")["InvoiceDate"].min().dt.date
    for cal_end in CALIBRATION_ENDS:
        # Each of these days saw new customers: their T is 0 at the calibration end.
        assert (first_day == cal_end).sum() > 0, cal_end
        check = ws.value.calibration(cal_end, LAST_DAY, unit=unit)
        table = check.table
        # Every customer who bought by the calibration end is in a group, newcomers included.
        assert int(table["n_customers"].sum()) == int((first_day <= cal_end).sum())
        assert np.isfinite(table["predicted"]).all() and (table["predicted"] >= 0).all()
        assert "value.note.fit_failed" not in [n.key for n in check.notes]
        # Predicted holdout purchases rise with calibration frequency, as the actual ones do.
        assert table["predicted"].iloc[-1] > table["predicted"].iloc[0]
        assert table["actual"].iloc[-1] > table["actual"].iloc[0]
        json.dumps(check.to_dict())


def test_cli_and_stored_scores_carry_the_interval(
    ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    ws.value.score(AS_OF)
    with ws.store.begin() as conn:
        stored = pd.read_sql(sa.select(schema.scores), conn)
    buyers = stored[stored["predicted_clv"].notna()]
    assert len(buyers) > 4000
    assert ((buyers["clv_low"] <= buyers["predicted_clv"])
            & (buyers["predicted_clv"] <= buyers["clv_high"])).all()  # fmt: skip
    ws.close()  # the CLI opens the workspace itself
    code, out, err = run(ws, capsys, "value", "clv", "--as-of", "2011-12-10", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["clv_interval_level"] == 0.9
    top = report["customers"][0]
    assert top["clv_low"] <= top["predicted_clv"] <= top["clv_high"]
    code, out, err = run(ws, capsys, "value", "clv", "--as-of", "2011-12-10", "--limit", "3")
    assert code == 0 and "90% interval" in out, err
    code, out, err = run(ws, capsys, "value", "clv", "--as-of", "2011-12-10", lang="zh")
    assert code == 0 and "90% 区间" in out, err
    code, _, err = run(ws, capsys, "value", "calibration", "--calibration-end", "2011-09-30",
                       "--observation-end", "2011-12-09")  # fmt: skip
    assert code == 0, err
