"""Scores on the demo company: stored as ``scores`` rows, re-running replaces; the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa

from cli_support import run
from keepwise import Workspace
from keepwise.store import schema

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    w = Workspace.init(tmp_path_factory.mktemp("value") / "ws", lang="en")
    w.imports.load_demo(customers=800, seed=1, as_of=AS_OF)
    yield w
    w.close()


def ws_standing(ws: Workspace) -> pd.DataFrame:
    from keepwise.value.service import standing

    return standing(ws.store, ws.config.churn, AS_OF)


def _scores(ws: Workspace) -> pd.DataFrame:
    with ws.store.begin() as conn:
        return pd.read_sql(sa.select(schema.scores), conn)


def test_scores_stored_and_rerun_replaces(ws: Workspace) -> None:
    result, rows = ws.value.score(AS_OF)
    first = _scores(ws)
    assert rows == len(first) == len(result.frame) > 700
    assert set(first["model_version"]) == {"value-20261101"}
    assert set(first["value_tier"].dropna()) <= {"high", "mid", "low", "no_value", "new"}
    # Lost customers get no tier; the recently acquired ones are "new", never judged on days.
    standing = ws_standing(ws).reindex(first["customer_id"])
    tier = first.set_index("customer_id")["value_tier"]
    assert tier[~standing["kept"].to_numpy()].isna().all()
    assert tier[standing["kept"].to_numpy()].notna().all()
    age = (pd.Timestamp(AS_OF) - pd.to_datetime(standing["acq"])).dt.days
    young = (age < 90) & standing["kept"]
    assert young.any() and (tier[young.to_numpy()] == "new").all()
    buyers = first[first["rfm_r"].notna()]
    assert buyers["p_alive"].between(0, 1).all()
    assert (buyers["predicted_clv"] >= 0).all() and (buyers["expected_purchases"] >= 0).all()
    assert buyers["rfm_segment"].notna().all()
    assert first["profit_contribution"].notna().all()
    assert {"bgnbd", "gamma_gamma"} <= set(result.params)
    # Re-run: same rows (same ids: updated in place), a newer created_at.
    ws.value.score(AS_OF)
    second = _scores(ws)
    assert len(second) == len(first)
    assert sorted(second["id"]) == sorted(first["id"])
    assert second["created_at"].min() > first["created_at"].max()
    with ws.store.begin() as conn:
        model = conn.execute(sa.select(schema.models)
                             .where(schema.models.c.model_version == "value-20261101")
                             ).mappings().one()  # fmt: skip
    assert model["kind"] == "value"
    assert json.loads(model["params"])["params"]["bgnbd"]["r"] > 0


def test_two_scoring_runs_at_once_both_succeed(ws: Workspace) -> None:
    """Two value-scoring jobs of one day started together (two managers, one click each):
    each writes its run in turn (it failed with a duplicate key on DuckDB)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: ws.value.score(AS_OF), range(2)))
    scores = _scores(ws)
    assert [rows for _, rows in runs] == [len(scores)] * 2
    assert not scores.duplicated(["customer_id", "model_version", "as_of"]).any()


def test_reports(ws: Workspace) -> None:
    tiers = ws.value.tiers(AS_OF)
    assert tiers.tiers["customer_share"].sum() == pytest.approx(1.0)
    assert tiers.pareto_share is not None and 0.2 <= tiers.pareto_share <= 1
    rfm = ws.value.rfm(AS_OF)
    assert rfm.segments["customers"].sum() == len(rfm.customers)
    assert rfm.customers[["rfm_r", "rfm_f", "rfm_m"]].isin(range(1, 6)).all().all()
    clv = ws.value.clv(AS_OF)
    assert clv.total_clv > 0 and clv.horizon_months == 12
    json.dumps(clv.to_dict())
    json.dumps(tiers.to_dict())


def test_cli(ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    ws.close()  # the CLI opens the workspace itself
    code, out, err = run(ws, capsys, "value", "tiers", "--as-of", "2026-11-01", "--json")
    assert code == 0, err
    assert {t["value_tier"] for t in json.loads(out)["tiers"]} == {
        "high", "mid", "low", "no_value", "new"}  # fmt: skip
    code, out, _ = run(ws, capsys, "value", "rfm", "--as-of", "2026-11-01", lang="zh")
    assert code == 0 and "重要价值客户" in out
    code, out, err = run(ws, capsys, "value", "no-value", "--as-of", "2026-11-01", "--json")
    assert code == 0, err
    listed = json.loads(out)["customers"]
    assert all(c["treatment"] in ("reduce_service", "stop_discounts", "end_relationship")
               for c in listed)  # fmt: skip
    code, _, err = run(ws, capsys, "value", "decide", "NOPE", "--note", "x", lang="zh")
    assert code == 2 and "客户 NOPE 不存在" in err and "Traceback" not in err
    code, _, err = run(ws, capsys, "value", "revert", "NOPE", "--note", "x")
    assert code == 2 and "Unknown customer NOPE" in err


def test_pareto_nbd_as_the_transaction_model(ws: Workspace) -> None:
    from keepwise.value import ValueTables, compute_scores, parse_value_settings
    from keepwise.value.service import standing

    settings = parse_value_settings({"transaction_model": "pareto_nbd"})
    r = compute_scores(ValueTables.from_backend(ws.store.ibis()), AS_OF, settings,
                       standing(ws.store, ws.config.churn, AS_OF))  # fmt: skip
    assert {"pareto_nbd", "gamma_gamma"} <= set(r.params)
    buyers = r.frame[r.frame["frequency"].notna()]
    assert buyers["p_alive"].between(0, 1).all() and (buyers["predicted_clv"] >= 0).all()
