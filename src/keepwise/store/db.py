"""Connections to a workspace database: SQLAlchemy for schema and writes, Ibis for analytics.

DuckDB (embedded, the default) lets one process write a database file at a time. Keepwise
opens the file only for the work at hand and, when another process holds it, waits a few
seconds and then raises :class:`BusyError` naming that process — never a raw lock traceback.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from keepwise._core.errors import BusyError, ConfigError
from keepwise._core.i18n import register

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
DEFAULT_DB_FILE = "keepwise.duckdb"

register(
    {
        "store.busy": {
            "zh": "工作区数据库正被另一个 Keepwise 进程使用（{holder}）。请稍后再试，"
            "或通过正在运行的服务器（keepwise serve）的 API 操作。",
            "en": "The workspace database is in use by another Keepwise process ({holder}). "
            "Try again shortly, or work through the running server's API (keepwise serve).",
        },
        "store.bad_url": {
            "zh": "无法使用数据库地址 {url}：{error}",
            "en": "Cannot use the database URL {url}: {error}",
        },
        "store.unsupported": {
            "zh": "不支持的数据库 {url}：请使用 duckdb:///文件 或 postgresql://…",
            "en": "Unsupported database {url}: use duckdb:///FILE or postgresql://…",
        },
    }
)

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?)(?: by user|$)")


def database_url_for(workspace_dir: Path, url: str | None = None) -> str:
    """The SQLAlchemy URL of a workspace; relative DuckDB paths are relative to the workspace."""
    if not url:
        return f"duckdb:///{(workspace_dir / DEFAULT_DB_FILE).resolve()}"
    if url.startswith("duckdb:///") and not url.startswith("duckdb:////"):
        path = url.removeprefix("duckdb:///")
        if path != ":memory:":
            return f"duckdb:///{(workspace_dir / path).resolve()}"
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Store:
    """One workspace database. Create with a SQLAlchemy URL; call :meth:`close` when done."""

    def __init__(self, url: str, *, busy_timeout: float = 5.0) -> None:
        if not url.startswith(("duckdb:", "postgresql")):
            raise ConfigError("store.unsupported", url=url)
        self.url = url
        self.busy_timeout = busy_timeout
        self.engine = self._open_engine()
        self._ibis: Any = None
        self._ibis_raw: Any = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_duckdb(self) -> bool:
        return self.dialect == "duckdb"

    def _open_engine(self) -> sa.Engine:
        try:
            engine = sa.create_engine(self.url)
        except Exception as exc:  # bad URL syntax, missing driver
            raise ConfigError("store.bad_url", url=self.url, error=str(exc)) from exc
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                with engine.connect():
                    return engine
            except Exception as exc:
                holder = _lock_holder(exc)
                if holder is None:
                    engine.dispose()
                    raise ConfigError(
                        "store.bad_url", url=self.url, error=_first_line(exc)
                    ) from exc
                if time.monotonic() >= deadline:
                    engine.dispose()
                    raise BusyError("store.busy", holder=holder) from None
                time.sleep(0.2)

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        """A connection in a transaction: committed on success, rolled back on any error."""
        with self.engine.begin() as conn:
            yield conn

    def migrate(self) -> None:
        """Create or upgrade every table to the latest revision (Alembic)."""
        from alembic import command  # Alembic only where the schema is touched: quick start-up

        cfg = _alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def ibis(self) -> Any:
        """An Ibis backend on this database. On DuckDB it shares SQLAlchemy's database instance
        (a second instance with another configuration would be refused)."""
        if self._ibis is None:
            import ibis

            if self.is_duckdb:
                self._ibis_raw = self.engine.raw_connection()
                self._ibis = ibis.duckdb.from_connection(self._ibis_raw.driver_connection)
            else:
                u = self.engine.url
                self._ibis = ibis.postgres.connect(
                    host=u.host or "127.0.0.1",
                    port=u.port or 5432,
                    user=u.username,
                    password=u.password,
                    database=u.database,
                )
        return self._ibis

    def table(self, name: str) -> Any:
        return self.ibis().table(name)

    def close(self) -> None:
        if self._ibis is not None:
            if self._ibis_raw is not None:
                self._ibis_raw.close()
            else:
                self._ibis.disconnect()
            self._ibis = self._ibis_raw = None
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _lock_holder(exc: BaseException) -> str | None:
    """The process holding DuckDB's file lock, if ``exc`` is DuckDB's lock conflict."""
    text = str(exc)
    if "Could not set lock" not in text and "Conflicting lock" not in text:
        return None
    match = _LOCK_HOLDER.search(text)
    return match.group(1).strip() if match else "?"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
