"""Shared fixtures: the reference data folder, a PostgreSQL server the suite starts itself,
and a workspace fixture that runs a test on every storage backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

if TYPE_CHECKING:  # keepwise is imported in the fixtures: collection stays quick
    from keepwise import Workspace
    from keepwise.store.db import Store

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get(
    "KEEPWISE_TEST_PG", "postgresql+psycopg://kw:kw@127.0.0.1:5432/postgres"
)


def _pg_ready(url: str) -> bool:
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _start_postgres() -> None:
    """Start the Debian cluster and create the test role (as root, loopback only)."""
    versions = (
        sorted(p.name for p in Path("/etc/postgresql").glob("*"))
        if Path("/etc/postgresql").exists()
        else []
    )
    if not versions or shutil.which("pg_ctlcluster") is None:
        raise RuntimeError("PostgreSQL is not installed: run scripts/system-deps.sh")
    subprocess.run(["pg_ctlcluster", versions[-1], "main", "start"], check=False,
                   capture_output=True)  # fmt: skip
    for _ in range(50):
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-tAc",
             "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='kw') THEN "
             "CREATE ROLE kw LOGIN PASSWORD 'kw' SUPERUSER; END IF; END$$;"],
            capture_output=True, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL did not start: {done.stderr.decode()}")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    if not _pg_ready(PG_ADMIN_URL):
        _start_postgres()
    assert _pg_ready(PG_ADMIN_URL), "PostgreSQL server not reachable on 127.0.0.1:5432"
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def pg_database(pg_admin_url: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty PostgreSQL databases (dropped at the end of the session)."""
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make() -> str:
        name = f"kw_test_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        created.append(name)
        return f"postgresql://kw:kw@127.0.0.1:5432/{name}"

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture(params=["duckdb", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """None (the embedded DuckDB file) or the URL of a fresh PostgreSQL database."""
    if backend == "duckdb":
        return None
    factory: Callable[[], str] = request.getfixturevalue("pg_database")
    return factory()


@pytest.fixture
def workspace(tmp_path: Path, db_url: str | None) -> Iterator[object]:
    from keepwise import Workspace

    ws = Workspace.init(tmp_path / "ws", db_url=db_url, lang="en")
    yield ws
    ws.close()


@pytest.fixture
def make_ws(tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    """Fresh workspaces on DuckDB (``db_url`` for another backend), closed after the test."""
    from keepwise import Workspace

    opened: list[Workspace] = []

    def make(name: str = "ws", db_url: str | None = None) -> Workspace:
        ws = Workspace.init(tmp_path / name, db_url=db_url, lang="en")
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


@pytest.fixture
def store_at(tmp_path: Path, db_url: str | None) -> Iterator[Callable[[str], Store]]:
    """A database migrated only to a revision, as an older Keepwise left it (on every
    backend), closed after the test."""
    from alembic import command

    from keepwise.store.db import Store, _alembic_config, database_url_for

    opened: list[Store] = []

    def make(revision: str) -> Store:
        store = Store(database_url_for(tmp_path, db_url))
        opened.append(store)
        cfg = _alembic_config()
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        return store

    yield make
    for store in opened:
        store.close()
