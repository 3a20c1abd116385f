"""The churn definition is read at query time: changing it (per workspace, per segment, or
P(alive) once value models exist) re-derives every KPI. Also periods of every grain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import kpi_fixture as fx
import pytest

from keepwise._core.config import ChurnConfig, ChurnRule
from keepwise._core.errors import InputError
from keepwise.metrics import Tables, compute
from keepwise.metrics import periods as pr
from keepwise.workspace import Workspace

D = dt.date


def churn(tables: Tables, month: str, config: ChurnConfig, **kw: Any) -> tuple[float, float]:
    start = D.fromisoformat(month + "-01")
    df = compute(tables, ["churn_rate"], as_of=fx.AS_OF, start=start, churn=config,
                 end=pr.shift(start, "month", 1), **kw)  # fmt: skip
    return float(df["numerator"].iloc[0]), float(df["denominator"].iloc[0])


def test_changing_the_definition_rederives(hand_store: Workspace) -> None:
    tables = Tables.from_backend(hand_store.store.ibis())
    # 30 days (the fixture): R3 lost 01-14, so February starts with 18 and loses 4
    assert churn(tables, "2024-02", fx.CHURN) == (4, 18)
    # 60 days: R3 lost 02-13 (2023-12-15 + 60) and R1 not before 05-09 — February starts with
    # 19 and loses R4, E3, E5, R3
    sixty = ChurnConfig(segments={"retail": ChurnRule(mode="inactivity", inactivity_days=60)})
    assert churn(tables, "2024-02", sixty) == (4, 19)
    assert churn(tables, "2024-01", sixty) == (0, 15)
    # explicit events only: nobody is inferred; February loses R4, E3, E5
    assert churn(tables, "2024-02", ChurnConfig()) == (3, 19)
    # a workspace-wide default applies to every segment: with 30 days for all, V1 (last order
    # 2023-09-01) is lost before January, which starts with 14 and also loses E1 (2023-12-20
    # + 30 = 01-19, its next order is 01-20) besides R3.
    everyone = ChurnConfig(default=ChurnRule(mode="inactivity", inactivity_days=30))
    assert churn(tables, "2024-01", everyone) == (2, 14)


def test_workspace_reads_churn_from_keepwise_toml(
    tmp_workspace: Callable[..., Workspace],
) -> None:
    ws = tmp_workspace(fx.data())
    march = {"start": D(2024, 2, 1), "end": D(2024, 3, 1), "as_of": fx.AS_OF}
    assert ws.metrics(["churn_rate"], **march)["numerator"].tolist() == [3]  # events only
    config = ws.path / "keepwise.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      '\n[churn.segments.retail]\nmode = "inactivity"\ninactivity_days = 30\n',
                      encoding="utf-8")  # fmt: skip
    ws.close()
    ws = Workspace.open(ws.path)
    got = ws.metrics(["churn_rate"], **march)
    assert got[["numerator", "denominator"]].values.tolist() == [[4, 18]]
    ws.close()


def _p_alive_data() -> dict[str, list[dict[str, Any]]]:
    def cust(cid: str) -> dict[str, Any]:
        return {"customer_id": cid, "segment": "retail", "acquired_at": fx.ts("2024-01-10")}

    def order(cid: str, day: str) -> dict[str, Any]:
        return {"order_id": f"{cid}{day}", "customer_id": cid, "ordered_at": fx.ts(day, 9),
                "amount": 10.0, "cancelled": False}  # fmt: skip

    def score(day: str, p: float) -> dict[str, Any]:
        return {"customer_id": "P1", "model_version": f"bgnbd-{day}",
                "as_of": D.fromisoformat(day), "p_alive": p}  # fmt: skip

    return {
        "customers": [cust("P1"), cust("P2")],
        "orders": [order("P1", "2024-01-10"), order("P1", "2024-03-20"),
                   order("P2", "2024-01-10")],
        "scores": [score("2024-02-01", 0.8), score("2024-03-01", 0.3)],
    }  # fmt: skip


def test_p_alive_replaces_the_day_count_once_scored(
    tmp_workspace: Callable[..., Workspace],
) -> None:
    ws = tmp_workspace(_p_alive_data())
    tables = Tables.from_backend(ws.store.ibis())
    rule = ChurnConfig(segments={"retail": ChurnRule("inactivity", 30, p_alive_below=0.5)})
    # P2 has no P(alive) score: churned 30 days after its order (02-09). P1 has scores: not
    # churned on 02-09 but when P(alive) fell to 0.3 (score of 03-01), won back by its order
    # of 03-20, and never churned again (no low score after it).
    assert churn(tables, "2024-02", rule) == (1, 2)
    assert churn(tables, "2024-03", rule) == (1, 1)
    assert churn(tables, "2024-04", rule) == (0, 1)
    # without the P(alive) level both churn by the day count in February
    assert churn(tables, "2024-02", ChurnConfig(segments={"retail": ChurnRule("inactivity",
                                                                              30)})) == (2, 2)  # fmt: skip
    ws.close()


def test_weeks_and_years(hand_store: Workspace) -> None:
    tables = Tables.from_backend(hand_store.store.ibis())
    week = compute(tables, ["churn_rate"], as_of=fx.AS_OF, grain="week",
                   start=D(2024, 3, 13), end=D(2024, 3, 14), churn=fx.CHURN)  # fmt: skip
    # the week of Monday 03-11: 34 known, lost at its start V2 R3 R4 E5 (E3 and R1 are back);
    # E2 churns on 03-15
    assert week["period_start"].tolist() == [D(2024, 3, 11)]
    assert week[["numerator", "denominator"]].values.tolist() == [[1, 30]]
    year = compute(tables, ["churn_rate"], as_of=fx.AS_OF, grain="year",
                   start=D(2024, 1, 1), end=D(2024, 12, 31), churn=fx.CHURN)  # fmt: skip
    # 15 at 2024-01-01; R3, E2 and E7 are lost before as_of (E1's churn is after it)
    assert year[["period_start", "numerator", "denominator"]].values.tolist() == [
        [D(2024, 1, 1), 3, 15]]  # fmt: skip


def test_periods() -> None:
    assert pr.floor(D(2024, 3, 14), "week") == D(2024, 3, 11)
    assert pr.floor(D(2024, 5, 31), "quarter") == D(2024, 4, 1)
    assert pr.floor(D(2024, 5, 31), "year") == D(2024, 1, 1)
    assert pr.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert pr.add_months(D(2024, 1, 15), -13) == D(2022, 12, 15)
    months = pr.periods("month", as_of=D(2024, 7, 15))
    assert (months[0].start, months[-1].end, len(months)) == (D(2023, 7, 1), D(2024, 7, 1), 12)
    quarters = pr.periods("quarter", as_of=fx.AS_OF, start=D(2024, 2, 10), end=D(2024, 8, 1))
    # widened to whole quarters, less the one starting on as_of (nothing is known of it yet)
    assert [q.start for q in quarters] == [D(2024, 1, 1), D(2024, 4, 1)]
    with pytest.raises(InputError, match="after the as-of date"):
        pr.periods("month", as_of=fx.AS_OF, start=D(2024, 8, 1), end=D(2024, 10, 1))
    with pytest.raises(InputError, match="grain"):
        pr.periods("day", as_of=fx.AS_OF)
    with pytest.raises(InputError, match="before"):
        pr.periods("month", as_of=fx.AS_OF, start=D(2024, 5, 1), end=D(2024, 4, 1))


def test_unknown_names_are_input_errors(hand_store: Workspace) -> None:
    tables = Tables.from_backend(hand_store.store.ibis())
    with pytest.raises(InputError, match="keepwise metrics --list"):
        compute(tables, ["churn"], as_of=fx.AS_OF)
    with pytest.raises(InputError, match="segment, industry"):
        compute(tables, ["churn_rate"], as_of=fx.AS_OF, by="colour")
