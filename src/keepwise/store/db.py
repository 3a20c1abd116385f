"""Connections to a workspace database: SQLAlchemy for schema and writes, Ibis for analytics.

DuckDB (embedded, the default) lets one process write a database file at a time. Keepwise
opens the file only for the work at hand and, when another process holds it, waits a few
seconds and then raises :class:`BusyError` naming that process — never a raw lock traceback.
"""

from __future__ import annotations

import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from keepwise._core.disk import disk_full_error
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
        "store.conflict": {
            "zh": "另一个操作同时修改了相同的数据（{error}），重试 {attempts} 次后仍未成功；"
            "数据没有任何改动。请等另一个导入或操作完成后再试。",
            "en": "Another operation changed the same rows at the same time ({error}); "
            "{attempts} tries did not get through and nothing was changed. Try again once the "
            "other import or operation has finished.",
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

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")
_LOCK_PROGRAM = re.compile(r"Conflicting lock is held in ([^\n]*?)(?: by user|\. See also|$)", re.M)
#: PostgreSQL's deadlock_detected and serialization_failure: the transaction can simply run again.
_RETRYABLE_SQLSTATES = {"40P01", "40001"}
T = TypeVar("T")
#: DuckDB, per database file: one :meth:`Store.transact` at a time in this process. DuckDB's
#: optimistic concurrency would fail the second of two overlapping upserts ("Duplicate key")
#: where PostgreSQL makes it wait; threads (the web server's uploads) take turns instead.
_DUCKDB_WRITERS: dict[str, threading.Lock] = {}
_DUCKDB_WRITERS_GUARD = threading.Lock()
#: ``Connection.info`` key: this transaction ran a statement that may change data.
_WROTE = "keepwise_wrote"


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
        #: Moves with every statement that may change data run through this store, and again
        #: when its transaction ends: a read remembered under one value (the server's data
        #: version, sessions) is not used once it moved.
        self.writes = 0
        self._writes_guard = threading.Lock()  # += is not atomic: no count may be lost
        self.engine = self._open_engine()
        sa.event.listen(self.engine, "before_cursor_execute", self._count_write)
        self._local = threading.local()
        self._ibis_guard = threading.Lock()
        self._ibis_raw: Any = None
        self._ibis_cursors: list[Any] = []
        self._ibis_backends: list[Any] = []

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
        """A connection in a transaction: committed on success, rolled back on any error.
        A full disk (while writing or committing) is reported as such, never as raw SQL."""
        try:
            with self.engine.begin() as conn:
                try:
                    yield conn
                finally:
                    wrote = conn.info.pop(_WROTE, False)
            if wrote:
                self._count()  # after the commit: a read remembered meanwhile is stale
        except Exception as exc:
            full = disk_full_error(exc)
            if full is None or full is exc:
                raise
            raise full from exc

    def _count_write(self, conn: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
        # Everything but a plain SELECT counts (a WITH may hold an INSERT).
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info[_WROTE] = True
            self._count()

    def _count(self) -> None:
        with self._writes_guard:
            self.writes += 1

    def transact(self, work: Callable[[sa.Connection], T], *, attempts: int = 5) -> T:
        """Run ``work`` in a transaction (:meth:`begin`), again from the start when the database
        aborted it for a deadlock or a write conflict with a concurrent transaction (after a
        growing, jittered pause); after ``attempts`` tries, a :class:`BusyError` says so."""
        for attempt in range(1, attempts + 1):
            try:
                with self._one_writer(), self.begin() as conn:
                    return work(conn)
            except Exception as exc:
                if not is_retryable(exc):
                    raise
                if attempt == attempts:
                    raise BusyError(
                        "store.conflict", error=_first_line(_driver_error(exc)), attempts=attempts
                    ) from exc
                time.sleep(0.05 * 2**attempt * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def _one_writer(self) -> AbstractContextManager[object]:
        if not self.is_duckdb:
            return nullcontext()
        with _DUCKDB_WRITERS_GUARD:
            return _DUCKDB_WRITERS.setdefault(self.url, threading.Lock())

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

    def behind(self) -> bool:
        """Whether the schema is older than this Keepwise's (or missing): a quick check
        without Alembic, so that every command can afford it. The revisions are linear and
        numbered like their files (``0003_….py``)."""
        try:
            with self.engine.connect() as conn:
                current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except Exception:  # no alembic_version table: nothing created yet
            return True
        return current != schema_head()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    def ibis(self) -> Any:
        """An Ibis backend on this database, one per thread (a DuckDB or psycopg connection
        must not run two queries at once: the web server's threads each get their own). On
        DuckDB it shares SQLAlchemy's database instance (a second instance with another
        configuration would be refused): the first is on a raw connection of the engine, the
        other threads' on cursors of it, each a connection to the same database."""
        local = self._local
        backend = getattr(local, "ibis", None)
        if backend is None:
            backend = self._open_ibis()
            local.ibis = backend
        return backend

    def _open_ibis(self) -> Any:
        import ibis

        with self._ibis_guard:
            if self.is_duckdb:
                if self._ibis_raw is None:
                    self._ibis_raw = self.engine.raw_connection()
                    con = self._ibis_raw.driver_connection
                else:
                    # duplicate(): a native connection to the same database (the wrapper's
                    # cursor() would be duckdb-engine's DB-API cursor, not one Ibis can use)
                    con = self._ibis_raw.driver_connection.duplicate()
                    self._ibis_cursors.append(con)
                backend = ibis.duckdb.from_connection(con)
            else:
                u = self.engine.url
                backend = ibis.postgres.connect(
                    host=u.host or "127.0.0.1",
                    port=u.port or 5432,
                    user=u.username,
                    password=u.password,
                    database=u.database,
                )
            self._ibis_backends.append(backend)
        return backend

    def table(self, name: str) -> Any:
        return self.ibis().table(name)

    def close(self) -> None:
        with self._ibis_guard:
            for cursor in self._ibis_cursors:
                cursor.close()
            if self._ibis_raw is not None:
                self._ibis_raw.close()
            elif not self.is_duckdb:
                for backend in self._ibis_backends:
                    backend.disconnect()
            self._ibis_cursors.clear()
            self._ibis_backends.clear()
            self._ibis_raw = None
            self._local = threading.local()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def schema_head() -> str:
    """The newest revision of the migrations shipped with this Keepwise."""
    files = (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    return max(f.name[:4] for f in files)


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL) or a write-write conflict (DuckDB)."""
    err = _driver_error(exc)
    if getattr(err, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return type(err).__name__ == "TransactionException" and "onflict" in str(err)


def _driver_error(exc: BaseException) -> BaseException:
    orig = getattr(exc, "orig", None)
    return orig if isinstance(orig, BaseException) else exc


def _lock_holder(exc: BaseException) -> str | None:
    """The process holding DuckDB's file lock, if ``exc`` is DuckDB's lock conflict, named by
    its PID and, where the system tells, its command line (``PID 6629: keepwise serve``)."""
    text = str(exc)
    if "Could not set lock" not in text and "Conflicting lock" not in text:
        return None
    match = _LOCK_HOLDER.search(text)
    if match is None:  # a DuckDB that does not give the PID
        named = _LOCK_PROGRAM.search(text)
        return named.group(1).strip() if named else "?"
    pid = int(match.group(2))
    return f"PID {pid}: {_command_line(pid) or match.group(1).strip()}"


def _command_line(pid: int) -> str | None:
    """The command line of a process (Linux: /proc), shortened; None where it cannot be read."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    if not words:
        return None
    words[0] = Path(words[0]).name
    line = " ".join(" ".join(words).split())
    return line if len(line) <= 120 else line[:119] + "…"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
