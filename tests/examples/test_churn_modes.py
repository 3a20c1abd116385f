"""One churn definition, every consumer (issue 10): on UCI Online Retail in inactivity mode, on
the demo company with explicit status events, and on the demo with a per-segment inactivity
override, the summary equals ``keepwise metrics``, the churn model trains, scores, lists and
back-tests (beating recency alone), survival agrees with ``cohorts --km``, and no lost
customer is on the no-value list or gets an alert."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from keepwise import Workspace
from keepwise.churn import Tables, statuses
from keepwise.cli import main

REPO = Path(__file__).resolve().parents[2]
RETAIL = REPO.parent / "shared" / "data" / "online_retail.parquet"
RETAIL_AS_OF = dt.date(2011, 12, 10)  # the day after the data ends
DEMO_AS_OF = dt.date(2026, 11, 1)

SMB_OVERRIDE = '\n[churn.segments.smb]\nmode = "inactivity"\ninactivity_days = 60\n'


def _set_churn(path: Path, mode: str, extra: str = "") -> Workspace:
    config = path / "keepwise.toml"
    text = config.read_text(encoding="utf-8").replace('mode = "events"', f'mode = "{mode}"')
    config.write_text(text + extra, encoding="utf-8")
    return Workspace.open(path)


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("retail") / "ws"
    with Workspace.init(path, lang="en") as ws:
        for kind in ("customers", "orders"):
            mapping = REPO / "examples" / "online_retail" / f"{kind}.yaml"
            ws.import_file(kind, RETAIL, today=dt.date(2011, 12, 31), mapping=mapping)
    ws = _set_churn(path, "inactivity")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "ws"
    with Workspace.init(path, lang="en") as ws:
        ws.load_demo(customers=1500, seed=3, as_of=DEMO_AS_OF)
    return path


@pytest.fixture(scope="module", params=["retail_inactivity", "demo_events", "demo_smb_override"])
def case(request: pytest.FixtureRequest, demo_path: Path) -> Iterator[tuple[Workspace, dt.date]]:
    if request.param == "retail_inactivity":
        yield request.getfixturevalue("retail"), RETAIL_AS_OF
        return
    extra = SMB_OVERRIDE if request.param == "demo_smb_override" else ""
    copy = demo_path.parent / request.param
    copy.mkdir(exist_ok=True)
    for item in demo_path.iterdir():  # each case its own copy: alerts and scores are written
        if item.is_file():
            (copy / item.name).write_bytes(item.read_bytes())
    ws = _set_churn(copy, "events", extra)
    yield ws, DEMO_AS_OF
    ws.close()


def cli(ws: Workspace, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    """A ``--json`` command of the CLI, parsed strictly (no NaN)."""
    ws.close()
    try:
        main(["--lang", "en", "-w", str(ws.path), *args, "--json"])
    except SystemExit as exc:
        assert exc.code in (0, None), capsys.readouterr().err
    out = capsys.readouterr().out

    def no_constant(name: str) -> None:
        raise ValueError(f"{name} in JSON output")

    return json.loads(out, parse_constant=no_constant)


def kept_at(ws: Workspace, as_of: dt.date) -> pd.Series:
    """Per customer known at as_of: kept (True) or lost, under the workspace's definition."""
    s = statuses(Tables.from_backend(ws.store.ibis()), ws.config.churn, as_of)
    return s.select("customer_id", "kept").execute().set_index("customer_id")["kept"]


def test_summary_equals_metrics(
    case: tuple[Workspace, dt.date], capsys: pytest.CaptureFixture[str]
) -> None:
    ws, as_of = case
    summary = cli(ws, capsys, "summary", "--as-of", as_of.isoformat())
    rows = cli(ws, capsys, "metrics", "--as-of", as_of.isoformat(), "--grain", "year",
               "--trailing", "-m", "churn_rate", "-m", "customers_at_end", "-m", "revenue")  # fmt: skip
    by_metric = {r["metric"]: r for r in rows}
    churn = by_metric["churn_rate"]
    assert summary["churn_rate_12m"] == pytest.approx(churn["value"])
    assert summary["lost_of_those_12m"] == churn["numerator"]
    assert summary["customers_12m_ago"] == churn["denominator"]
    assert summary["kept"] == by_metric["customers_at_end"]["value"]
    assert summary["revenue_12m"] == pytest.approx(by_metric["revenue"]["value"])
    kept = kept_at(ws, as_of)
    lost = summary["statuses"]["churned"] + summary["statuses"]["voided"]
    assert (summary["customers"], lost) == (len(kept), int((~kept).sum()))
    assert 0 < lost < len(kept)


def test_retail_statuses_by_hand(retail: Workspace) -> None:
    """Independently of Keepwise: a retail customer is churned at 2011-12-10 when their last
    order (cancellations excluded) is more than 90 days before it."""
    lines = pd.read_parquet(RETAIL, columns=["InvoiceNo", "InvoiceDate", "CustomerID"])
    lines = lines.dropna(subset=["CustomerID"])
    bought = lines[~lines["InvoiceNo"].astype(str).str.startswith("C")]
    last = bought.groupby("CustomerID")["InvoiceDate"].max().dt.normalize()
    churned = int((last + pd.Timedelta(days=90) < pd.Timestamp(RETAIL_AS_OF)).sum())
    h = retail.headline(RETAIL_AS_OF)
    assert h.statuses["churned"] == churned and h.statuses["voided"] == 0
    assert h.customers == lines["CustomerID"].nunique()


def test_risk_train_score_list_backtest(case: tuple[Workspace, dt.date]) -> None:
    ws, as_of = case
    trained = ws.risk_train(as_of)
    assert 0 < trained.churners < trained.rows
    scored = ws.risk_score(as_of)
    kept = kept_at(ws, as_of)
    assert scored.customers == int(kept.sum())  # every kept customer, no lost one
    listed = ws.risk_list(limit=20)
    assert len(listed) == 20 and kept.reindex(listed["customer_id"]).all()
    report = ws.risk_backtest(as_of, splits=1)
    assert report.splits, "no split had churners on both sides"
    assert report.mean("keepwise", "roc_auc") > report.mean("recency_baseline", "roc_auc")


def test_survival_agrees_with_cohorts_km(case: tuple[Workspace, dt.date]) -> None:
    ws, as_of = case
    times = [30.0, 60.0, 90.0, 180.0, 365.0]
    view = ws.risk_survival(as_of, times=times).survival.set_index("time")["survival"]
    km = ws.survival_by_segment(as_of=as_of, by=None).set_index("days")["survival"]
    for t in times:
        expected = km[km.index <= t].iloc[-1]
        assert view[t] == pytest.approx(expected, abs=1e-9), t
    assert view[365.0] < 1.0


def test_no_lost_customer_listed_or_alerted(case: tuple[Workspace, dt.date]) -> None:
    ws, as_of = case
    kept = kept_at(ws, as_of)
    candidates = ws.value_no_value(as_of)
    assert kept.reindex(candidates["customer_id"]).fillna(False).all()
    run = ws.alerts_run(as_of)
    alerts = ws.alerts_list(limit=100_000)
    opened = [a for a in alerts if a.id in set(run.opened_ids)]
    assert opened and len(opened) == run.opened
    assert kept.reindex([a.customer_id for a in opened]).fillna(False).all()
    assert (~kept).any()  # there are lost customers to leave out


def test_segment_override_changes_the_summary(demo_path: Path) -> None:
    with Workspace.open(demo_path) as plain:
        before = plain.headline(DEMO_AS_OF)
    override = demo_path.parent / "override_only"
    override.mkdir(exist_ok=True)
    for item in demo_path.iterdir():
        if item.is_file():
            (override / item.name).write_bytes(item.read_bytes())
    with _set_churn(override, "events", SMB_OVERRIDE) as ws:
        after = ws.headline(DEMO_AS_OF)
        metrics = ws.metrics(["churn_rate"], as_of=DEMO_AS_OF, grain="year")
    assert after.statuses["churned"] > before.statuses["churned"]
    assert after.churn_rate_12m is not None and before.churn_rate_12m is not None
    assert after.churn_rate_12m > before.churn_rate_12m
    assert not metrics.empty
