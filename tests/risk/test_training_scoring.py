"""Training on the demo company, scoring every active customer, the risk list, the back-test."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from keepwise import Workspace
from keepwise._core.errors import InputError, NotFoundError
from keepwise.models.evaluation import KEEPWISE, LOGISTIC
from keepwise.risk.features import build_features
from keepwise.risk.training import RECENCY
from keepwise.store import schema

AS_OF = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def trained(demo: Workspace) -> dict[str, Any]:
    result = demo.risk.train(AS_OF)
    scored = demo.risk.score(AS_OF)
    return {"train": result, "score": scored}


def test_no_model_yet_is_a_clear_error(tmp_path: Any) -> None:
    with Workspace.init(tmp_path / "empty", lang="en") as ws:
        with pytest.raises(NotFoundError) as info:
            ws.risk.score(AS_OF)
        assert "risk train" in info.value.message("en")
        assert "keepwise risk train" in info.value.message("zh")
        with pytest.raises(NotFoundError):
            ws.risk.risk_list()


def test_training_uses_snapshots_whose_labels_end_before_as_of(
    demo: Workspace, trained: dict[str, Any]
) -> None:
    result = trained["train"]
    assert result.test_date == AS_OF - dt.timedelta(days=90)
    assert len(result.train_dates) == 4  # [risk] snapshots = 4 in keepwise.toml
    assert all(d + dt.timedelta(days=90) <= AS_OF for d in [result.test_date, *result.train_dates])
    assert result.churners > 50
    with demo.store.begin() as conn:
        row = conn.execute(sa.select(schema.models)).mappings().one()
    assert row["model_version"] == result.model_version and row["kind"] == "churn"
    assert row["artifact"] and json.loads(row["params"])["horizon"] == 90
    assert json.loads(row["evaluation"])["evaluation"]["reports"][KEEPWISE]["roc_auc"] > 0.75


def test_model_beats_recency_on_the_held_out_snapshot(trained: dict[str, Any]) -> None:
    reports = trained["train"].evaluation["reports"]
    keepwise, recency = reports[KEEPWISE], reports[RECENCY]
    assert keepwise["roc_auc"] > recency["roc_auc"] + 0.1
    assert keepwise["pr_auc"] > recency["pr_auc"]
    assert keepwise["brier"] < recency["brier"]


def _scores(ws: Workspace) -> Any:
    return ws.store.table("scores").execute()


def test_every_active_customer_is_scored_with_bands_and_drivers(
    demo: Workspace, trained: dict[str, Any]
) -> None:
    active = set(build_features(demo.store, AS_OF, churn=demo.config.churn)["customer_id"])
    scores = _scores(demo)
    assert set(scores["customer_id"]) == active and len(scores) == len(active)
    assert trained["score"].customers == len(active)
    p = scores["churn_probability"].to_numpy()
    assert np.all((p >= 0) & (p <= 1)) and p.std() > 0.01
    expected = np.where(p >= 0.3, "high", np.where(p >= 0.1, "medium", "low"))
    assert (scores["risk_band"].to_numpy() == expected).all()
    assert trained["score"].bands["high"] == int((expected == "high").sum()) > 0
    for text in scores["drivers"]:
        drivers = json.loads(text)
        assert len(drivers) == 3
        for d in drivers:
            assert d["text_zh"] and d["text_en"] and d["text_zh"] != d["text_en"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in d["text_zh"])
            # Sentences, not feature names ("minutes_30d is missing") or "nan".
            for said in (d["text_zh"], d["text_en"]):
                assert not re.search(r"[a-z0-9]+_[a-z0-9_]+|\bnan\b", said, re.I), said
    rescored = demo.risk.score(AS_OF)  # same date, same model: replaced, not duplicated
    assert rescored.customers == len(active) and len(_scores(demo)) == len(active)


def test_risk_list_is_sorted_by_value_at_risk(demo: Workspace, trained: dict[str, Any]) -> None:
    frame = demo.risk.risk_list()
    assert len(frame) == trained["score"].customers
    v = frame["value_at_risk"].to_numpy()
    assert np.all(v[:-1] >= v[1:])
    np.testing.assert_allclose(v, frame["churn_probability"] * frame["value"])
    assert (frame["value_basis"] == "revenue_12m").all()  # no predicted CLV stored here
    high = demo.risk.risk_list(band="high")
    assert set(high["risk_band"]) == {"high"} and len(high) == trained["score"].bands["high"]
    owner = str(frame["owner_id"].iloc[0])
    mine = demo.risk.risk_list(owner=owner, limit=5)
    assert 0 < len(mine) <= 5 and set(mine["owner_id"]) == {owner}
    with pytest.raises(InputError):
        demo.risk.risk_list(band="severe")


def test_predicted_clv_is_preferred_as_the_value(demo: Workspace, trained: dict[str, Any]) -> None:
    first = demo.risk.risk_list().iloc[-1]
    with demo.store.begin() as conn:
        conn.execute(sa.insert(schema.scores).values(
            customer_id=first["customer_id"], model_version="value-test", as_of=AS_OF,
            predicted_clv=1e12))  # fmt: skip
    try:
        top = demo.risk.risk_list().iloc[0]
        assert top["customer_id"] == first["customer_id"]
        assert top["value_basis"] == "predicted_clv"
        assert top["value_at_risk"] == pytest.approx(top["churn_probability"] * 1e12)
    finally:
        with demo.store.begin() as conn:
            conn.execute(
                sa.delete(schema.scores).where(schema.scores.c.model_version == "value-test")
            )


def test_backtest_beats_recency_and_flags_churners_ahead(demo: Workspace) -> None:
    report = demo.risk.backtest(AS_OF, splits=1)
    assert [s.test_date for s in report.splits] == [AS_OF - dt.timedelta(days=90)]
    assert report.mean(KEEPWISE, "roc_auc") > report.mean(RECENCY, "roc_auc") + 0.1
    assert report.mean(KEEPWISE, "pr_auc") > report.mean(RECENCY, "pr_auc")
    assert report.mean(KEEPWISE, "roc_auc") > 0.75 and LOGISTIC in report.splits[0].reports
    lead = report.splits[0].lead[KEEPWISE]
    assert lead["flagged"] > 0 and lead["median_lead_days"] > 0
    split = report.splits[0].reports[KEEPWISE]
    assert len(split["calibration"]) == 10 and len(split["lift"]) == 10
    assert split["lift"][-1]["capture"] == pytest.approx(1.0)
    text = report.to_text("zh")
    assert "回测" in text and "逻辑回归" in text
    assert json.loads(json.dumps(report.to_dict()))["horizon"] == 90


def test_drivers_can_be_limited_to_the_riskier_bands(
    demo: Workspace, trained: dict[str, Any]
) -> None:
    """Runs last in this module: it adds a second scoring date."""
    from keepwise import risk

    day = dt.date(2026, 10, 1)
    result = risk.score(
        demo.store,
        day,
        churn=demo.config.churn,
        created_at=dt.datetime(2026, 10, 1),
        drivers_from="medium",
    )
    scores = _scores(demo)
    scores = scores[pd.to_datetime(scores["as_of"]) == pd.Timestamp(day)]
    assert len(scores) == result.customers
    low = scores["risk_band"] == "low"
    assert scores.loc[low, "drivers"].isna().all()
    assert scores.loc[~low, "drivers"].notna().all() and (~low).any()
    with pytest.raises(InputError):
        risk.score(
            demo.store,
            day,
            churn=demo.config.churn,
            created_at=dt.datetime(2026, 10, 1),
            drivers_from="none",
        )


def test_models_of_other_versions_are_refused_before_unpickling(
    demo: Workspace, trained: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored model carries the versions it was saved with; another major.minor of Keepwise
    or of a library it pickles, or no stamp at all, asks to train again, without unpickling."""
    from keepwise.risk import training

    version = trained["train"].model_version
    with demo.store.begin() as conn:
        params = json.loads(conn.execute(sa.select(schema.models.c.params)).scalar_one())
    assert params["stamp"] == training.stamp()
    assert training.load_model(demo.store, version).model_version == version

    def refuse(*_: object) -> None:
        raise AssertionError("unpickled a model of other versions")

    monkeypatch.setattr(training.pickle, "loads", refuse)
    older = {**params["stamp"], "lightgbm": "3.3.5"}
    for stamp in (older, None):
        changed = {**params, "stamp": stamp}
        with demo.store.begin() as conn:
            conn.execute(sa.update(schema.models).values(params=json.dumps(changed)))
        with pytest.raises(InputError) as info:
            training.load_model(demo.store, version)
        assert "train again" in info.value.message("en")
        assert "重新运行 keepwise risk train" in info.value.message("zh")
    with demo.store.begin() as conn:
        conn.execute(sa.update(schema.models).values(params=json.dumps(params)))
