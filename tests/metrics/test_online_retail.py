"""UCI Online Retail (non-contractual, churned after 90 days without an order), loaded through
the normal import path with examples/online_retail's mappings: monthly active customers and
churn rate agree with an independent pandas computation."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from keepwise.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "online_retail.parquet"
AS_OF = dt.date(2011, 12, 10)
DAYS = 90
MONTHS = [dt.date(2011, m, 1) for m in range(1, 13)]


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("retail") / "ws"
    ws = Workspace.init(path, lang="en")
    for kind in ("customers", "orders"):
        mapping = REPO / "examples" / "online_retail" / f"{kind}.yaml"
        ws.imports.load(kind, DATA, today=AS_OF, mapping=mapping)
    config = path / "keepwise.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'mode = "events"', 'mode = "inactivity"'), encoding="utf-8")  # fmt: skip
    ws.close()
    ws = Workspace.open(path)
    assert ws.config.churn.default.mode == "inactivity"
    assert ws.config.churn.default.inactivity_days == DAYS
    yield ws
    ws.close()


def pandas_reference() -> pd.DataFrame:
    """Active customers and churn per month, straight from the invoice lines."""
    lines = pd.read_parquet(DATA, columns=["InvoiceNo", "InvoiceDate", "CustomerID"])
    lines = lines.dropna(subset=["CustomerID"])
    lines = lines[lines["InvoiceDate"].dt.date < AS_OF]
    acquired = lines.groupby("CustomerID")["InvoiceDate"].min().dt.date
    bought = lines[~lines["InvoiceNo"].astype(str).str.startswith("C")]
    order_days = bought.groupby("CustomerID")["InvoiceDate"].agg(
        lambda s: sorted(set(s.dt.date)))  # fmt: skip
    gap = dt.timedelta(days=DAYS)
    rows = []
    for start, end in itertools.pairwise(MONTHS):
        active = at_start = churned = 0
        for cid, acq in acquired.items():
            if acq >= end:
                continue
            days = order_days.get(cid, [])
            i = bisect.bisect_left(days, start)  # days[i:] are on or after the start
            last = days[i - 1] if i else None
            nxt = days[i] if i < len(days) else None
            # lost at the start: its last order before the start was more than 90 days earlier
            lost = last is not None and last + gap < start
            active += not lost
            if acq < start and not lost:
                at_start += 1
                # churned in the month: 90 days after that last order falls in it, and no
                # order came in between
                moment = last + gap if last is not None else None
                churned += moment is not None and start <= moment < end and (
                    nxt is None or nxt > moment)  # fmt: skip
        rows.append((start, active, at_start, churned))
    return pd.DataFrame(rows, columns=["period_start", "active", "at_start", "churned"])


def test_active_customers_and_churn_match_pandas(retail: Workspace) -> None:
    got = retail.metrics.compute(["active_customers", "churn_rate"], as_of=AS_OF, grain="month",
                         start=MONTHS[0], end=MONTHS[-1])  # fmt: skip
    ref = pandas_reference().set_index("period_start")
    active = got[got["metric"] == "active_customers"].set_index("period_start")
    churn = got[got["metric"] == "churn_rate"].set_index("period_start")
    assert list(active.index) == MONTHS[:-1]
    assert active["value"].astype(int).tolist() == ref["active"].tolist()
    assert churn["denominator"].astype(int).tolist() == ref["at_start"].tolist()
    assert churn["numerator"].astype(int).tolist() == ref["churned"].tolist()
    expected = (ref["churned"] / ref["at_start"]).tolist()
    assert churn["value"].tolist() == pytest.approx(expected)
    # the first churn is possible 90 days after the data starts (2010-12-01)
    assert ref.loc[MONTHS[0], "churned"] == 0 and ref.loc[MONTHS[2], "churned"] > 0
