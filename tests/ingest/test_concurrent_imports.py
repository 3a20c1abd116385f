"""Imports on PostgreSQL side by side (threads, each with its own workspace connection), and
values only PostgreSQL cannot store: figures stay true, nothing deadlocks or hides an error,
and both backends accept and reject the same rows."""

from __future__ import annotations

import csv
import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from ingest_support import TODAY, write

import keepwise.ingest.importer as importer
from keepwise import Workspace
from keepwise._core.errors import BusyError
from keepwise.ingest import ImportResult
from keepwise.store import schema
from keepwise.store.bulk import upsert


@pytest.fixture
def pg_ws(tmp_path: Path, pg_database: Callable[[], str]) -> Iterator[Path]:
    Workspace.init(tmp_path / "ws", db_url=pg_database(), lang="en").close()
    yield tmp_path / "ws"


def _customers_file(path: Path, numbers: range | list[int], name: str) -> Path:
    return write(path, "customer_id,name\n" + "".join(f"C{i:06d},{name}\n" for i in numbers))


def _import_side_by_side(
    ws_path: Path, files: list[Path], monkeypatch: pytest.MonkeyPatch, step: str = "upsert"
) -> list[ImportResult]:
    """Each file in its own thread and connection; the importer's ``step`` starts in all of
    them together (by default the upsert: every import has read, validated and opened its
    batch, the window where figures went wrong)."""
    together = threading.Barrier(len(files), timeout=60)
    real_step = getattr(importer, step)

    def step_together(*args: object, **kwargs: object) -> object:
        together.wait()
        return real_step(*args, **kwargs)

    monkeypatch.setattr(importer, step, step_together)
    results: dict[int, ImportResult | BaseException] = {}

    def run(i: int) -> None:
        with Workspace.open(ws_path) as ws:
            try:
                results[i] = ws.import_file("customers", files[i], today=TODAY)
            except BaseException as exc:
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done = [results[i] for i in range(len(files))]
    errors = [r for r in done if isinstance(r, BaseException)]
    assert not errors, errors
    return [r for r in done if isinstance(r, ImportResult)]


def _check_figures(ws_path: Path, results: list[ImportResult], distinct: int) -> None:
    """Every key is inserted once: the inserts add up to the rows in the table, and what each
    batch recorded is what it reported."""
    assert sum(r.rows_inserted for r in results) == distinct
    for r in results:
        assert r.rows_inserted + r.rows_updated == r.rows_loaded
    with Workspace.open(ws_path) as ws, ws.store.begin() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM customers")).scalar_one() == distinct
        stored = conn.execute(
            sa.text("SELECT id, rows_inserted, rows_updated FROM import_batches ORDER BY id")
        ).all()
    assert sorted(stored) == sorted((r.batch_id, r.rows_inserted, r.rows_updated) for r in results)


def test_overlapping_imports_report_true_figures(
    pg_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _customers_file(tmp_path / "a.csv", range(0, 15_000), "a")
    b = _customers_file(tmp_path / "b.csv", range(5_000, 20_000), "b")
    results = _import_side_by_side(pg_ws, [a, b], monkeypatch)
    _check_figures(pg_ws, results, distinct=20_000)
    assert sum(r.rows_updated for r in results) == 10_000  # the overlap, written twice


def test_imports_in_opposite_key_order_do_not_deadlock(
    pg_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _customers_file(tmp_path / "a.csv", range(20_000), "a")
    b = _customers_file(tmp_path / "b.csv", range(19_999, -1, -1), "b")
    results = _import_side_by_side(pg_ws, [a, b], monkeypatch)
    _check_figures(pg_ws, results, distinct=20_000)


def test_overlapping_imports_in_threads_on_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB would fail the second of two overlapping upserts ("Duplicate key"): the threads
    of one process (the web server's uploads) take turns."""
    Workspace.init(tmp_path / "ws", lang="en").close()
    a = _customers_file(tmp_path / "a.csv", range(0, 15_000), "a")
    b = _customers_file(tmp_path / "b.csv", range(5_000, 20_000), "b")
    results = _import_side_by_side(tmp_path / "ws", [a, b], monkeypatch, step="read_file")
    _check_figures(tmp_path / "ws", results, distinct=20_000)


def test_customer_imports_naming_the_same_new_owner(
    pg_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both create the owner record "zhang" (CRM exports name owners only): one of them does."""
    files = [write(tmp_path / f"{n}.csv", f"customer_id,owner_id\n{n}1,zhang\n{n}2,li\n")
             for n in ("A", "B")]  # fmt: skip
    results = _import_side_by_side(pg_ws, files, monkeypatch, step="_after_load")
    assert sum(r.owners_created for r in results) == 2
    with Workspace.open(pg_ws) as ws:
        assert sorted(ws.store.table("owners").owner_id.execute()) == ["li", "zhang"]


# --- the deadlock retry itself, with a deadlock made on purpose -----------------------------


def _deadlock(ws_path: Path, attempts: int) -> tuple[list[object], list[int]]:
    """Two transactions lock rows 1 and 2 in opposite order on their first try."""
    with Workspace.open(ws_path) as ws, ws.store.begin() as conn:
        conn.execute(sa.text("CREATE TABLE pair (id int PRIMARY KEY, n int)"))
        conn.execute(sa.text("INSERT INTO pair VALUES (1, 0), (2, 0)"))
    both_hold_one = threading.Barrier(2, timeout=30)
    tries = [0, 0]
    outcome: list[object] = [None, None]

    def run(i: int) -> None:
        first, second = (1, 2) if i == 0 else (2, 1)

        def work(conn: sa.Connection) -> str:
            tries[i] += 1
            conn.execute(sa.text("UPDATE pair SET n = n + 1 WHERE id = :id"), {"id": first})
            if tries[i] == 1:
                both_hold_one.wait()
            conn.execute(sa.text("UPDATE pair SET n = n + 1 WHERE id = :id"), {"id": second})
            return "done"

        with Workspace.open(ws_path) as ws:
            try:
                outcome[i] = ws.store.transact(work, attempts=attempts)
            except BusyError as exc:
                outcome[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome, tries


def test_a_deadlocked_transaction_runs_again(pg_ws: Path) -> None:
    outcome, tries = _deadlock(pg_ws, attempts=3)
    assert outcome == ["done", "done"]
    assert sorted(tries) == [1, 2]  # PostgreSQL aborted one of the two, which ran again
    with Workspace.open(pg_ws) as ws, ws.store.begin() as conn:
        assert conn.execute(sa.text("SELECT sum(n) FROM pair")).scalar_one() == 4


def test_a_deadlock_that_persists_is_reported_as_such(pg_ws: Path) -> None:
    outcome, _ = _deadlock(pg_ws, attempts=1)
    [refused] = [o for o in outcome if isinstance(o, BusyError)]
    assert "done" in outcome
    assert refused.message("en").startswith(
        "Another operation changed the same rows at the same time (deadlock detected"
    )
    assert "另一个操作同时修改了相同的数据" in refused.message("zh")


def test_an_error_in_an_upsert_is_not_hidden_by_the_cleanup(pg_ws: Path) -> None:
    """The failed statement's own error, not "current transaction is aborted" (the staging
    table's DROP after it)."""
    data = pa.table({"customer_id": pa.array(["C1", None], pa.string())})
    with (
        Workspace.open(pg_ws) as ws,
        pytest.raises(sa.exc.IntegrityError, match="null value"),
        ws.store.begin() as conn,
    ):
        upsert(conn, schema.customers, data, ("customer_id",))


# --- values PostgreSQL cannot store: the same answer on both backends -----------------------


def _random_id(n: int) -> str:
    """An id of ``n`` characters that does not compress (PostgreSQL compresses long index
    entries, so a repeated letter would fit)."""
    digest = ""
    while len(digest) < n:
        digest += hashlib.sha256(digest.encode()).hexdigest()
    return "C" + digest[: n - 1]


def test_nul_characters_and_overlong_ids_are_rejected_on_every_backend(
    workspace: Workspace, tmp_path: Path
) -> None:
    long_ok, too_long, huge = _random_id(255), _random_id(256), _random_id(3000)
    path = tmp_path / "c.csv"
    path.write_bytes(
        "customer_id,name\nC1,plain\nC\x002,nul in the id\nC3,nul\x00in the name\n"
        f"{long_ok},255 characters\n{too_long},256 characters\n{huge},3000 characters\n".encode()
    )
    result = workspace.import_file("customers", path, today=TODAY)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 2, 4)
    assert sorted(workspace.store.table("customers").customer_id.execute()) == ["C1", long_ok]
    assert result.rejects_file is not None
    with open(result.rejects_file, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    nul = "contains a NUL character (byte 0), which databases cannot store"
    assert [row[:3] for row in rows] == [
        ["3", "customer_id", nul],
        ["4", "name", nul],
        ["6", "customer_id", "an id longer than 255 characters"],
        ["7", "customer_id", "an id longer than 255 characters"],
    ]


def test_an_overlong_text_key_is_rejected_too(workspace: Workspace, tmp_path: Path) -> None:
    """usage is keyed by customer, day and feature: the feature is part of the index."""
    workspace.import_file("customers", write(tmp_path / "c.csv", "customer_id\nC1\n"), today=TODAY)
    path = write(tmp_path / "u.csv", f"customer_id,day,feature\nC1,2024-01-01,search\n"
                 f"C1,2024-01-01,{_random_id(3000)}\n")  # fmt: skip
    result = workspace.import_file("usage", path, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
