"""Engines for the KPI suite: one Spark session shared by every test (it takes seconds to
start), and the hand-built company loaded into DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kpi_fixture as handbuilt
import pytest
from kpi_engines import ENGINES, load_workspace, spark_tables, start_spark

from keepwise.metrics import Tables
from keepwise.workspace import Workspace


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = start_spark()
    yield session
    session.stop()


def _engine_params() -> list[Any]:
    marks = {"postgres": [pytest.mark.postgres], "spark": [pytest.mark.spark, pytest.mark.slow]}
    return [pytest.param(e, marks=marks.get(e, [])) for e in ENGINES]


@pytest.fixture(scope="session")
def hand_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The hand-built company in a DuckDB workspace (also the source of the Spark views)."""
    ws = load_workspace(tmp_path_factory.mktemp("hand") / "ws", handbuilt.data())
    yield ws
    ws.close()


@pytest.fixture(scope="session", params=_engine_params())
def hand_tables(
    request: pytest.FixtureRequest, hand_store: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tables]:
    """The hand-built company's tables on each engine."""
    engine = request.param
    if engine == "duckdb":
        tables = Tables.from_backend(hand_store.store.ibis(), keep=True)
    elif engine == "postgres":
        make: Callable[[], str] = request.getfixturevalue("pg_database")
        ws = load_workspace(tmp_path_factory.mktemp("hand_pg") / "ws", handbuilt.data(), make())
        request.addfinalizer(ws.close)
        tables = Tables.from_backend(ws.store.ibis(), keep=True)
    else:
        tables = spark_tables(request.getfixturevalue("spark"), hand_store.store, "hand")
    yield tables
    tables.release()


@pytest.fixture
def tmp_workspace(tmp_path: Path) -> Callable[..., Workspace]:
    def make(rows: dict[str, list[dict[str, Any]]], **kw: Any) -> Workspace:
        return load_workspace(tmp_path / "ws", rows, **kw)

    return make
