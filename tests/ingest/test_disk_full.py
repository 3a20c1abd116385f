"""A full disk while importing: the message says the disk is full and where (in both
languages), the CLI exits 2 without a traceback or SQL, and nothing is half-loaded.

The disk fills for real, portably and without root: the file being written is a symbolic link
to ``/dev/full``, on which every write fails with ENOSPC — DuckDB's write-ahead log (DuckDB's own
error text), the rejects file, the UTF-8 copy of a GB18030 file."""

from __future__ import annotations

import csv
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from ingest_support import CUSTOMERS_CSV, TODAY, write

import keepwise.ingest.importer as importer
import keepwise.ingest.readers as readers
from keepwise import Workspace
from keepwise._core.disk import disk_full_error
from keepwise._core.errors import DiskFullError

pytestmark = pytest.mark.skipif(
    not Path("/dev/full").exists(), reason="needs /dev/full (Linux, BSD) to fill a disk"
)

BAD_ROWS = "customer_id,name,acquisition_cost\nC1,A,1\nC2,B,-5\n"  # C2 is rejected


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    w = Workspace.init(tmp_path / "ws", lang="en")
    w.import_file("customers", write(tmp_path / "first.csv", CUSTOMERS_CSV), today=TODAY)
    yield w
    w.close()


def _state(ws: Workspace) -> tuple[list[tuple[object, ...]], list[str], list[str]]:
    """Customers, recorded batches, rejects files."""
    with ws.store.begin() as conn:
        rows = conn.execute(sa.text("SELECT customer_id, name FROM customers ORDER BY 1")).all()
        batches = [str(b) for b in conn.execute(sa.text("SELECT id FROM import_batches")).all()]
    files = sorted(p.name for p in (ws.path / "rejects").glob("*"))
    return [tuple(r) for r in rows], batches, files


def _fill_wal(ws: Workspace) -> Path:
    """Close the database (DuckDB checkpoints: no log left) and make its log a full disk."""
    ws.close()
    wal = ws.path / "keepwise.duckdb.wal"
    assert not wal.exists()
    wal.symlink_to("/dev/full")
    return wal


def test_database_log_on_a_full_disk(ws: Workspace, tmp_path: Path) -> None:
    before = _state(ws)
    wal = _fill_wal(ws)
    with pytest.raises(DiskFullError) as err:
        ws.import_file("customers", write(tmp_path / "c.csv", BAD_ROWS), today=TODAY)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert en.startswith(f"The disk is full: {wal} could not be written (folder {ws.path}, ")
    assert "nothing was changed" in en and "INSERT" not in en
    assert zh.startswith(f"磁盘已满：无法写入 {wal}（文件夹 {ws.path}，剩余 ")
    ws.close()
    wal.unlink()
    assert _state(ws) == before  # nothing half-loaded, no rejects file
    again = ws.import_file("customers", tmp_path / "c.csv", today=TODAY)
    assert (again.rows_loaded, again.rows_rejected) == (1, 1)


def test_the_cli_says_so_and_exits_2(ws: Workspace, tmp_path: Path) -> None:
    _fill_wal(ws)
    env = {**os.environ, "KEEPWISE_LANG": "zh"}
    done = subprocess.run(
        [sys.executable, "-m", "keepwise", "-w", str(ws.path), "import", "customers",
         str(write(tmp_path / "c.csv", BAD_ROWS))],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "磁盘已满" in done.stderr and "keepwise.duckdb.wal" in done.stderr
    assert "Traceback" not in done.stderr and "[SQL:" not in done.stderr


def test_rejects_file_on_a_full_disk(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(ws)
    real_write = importer.write_rejects
    written: list[Path] = []

    def onto_full_disk(path: Path, *args: object) -> None:
        path.symlink_to("/dev/full")
        written.append(path)
        real_write(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "write_rejects", onto_full_disk)
    with pytest.raises(DiskFullError) as err:
        ws.import_file("customers", write(tmp_path / "c.csv", BAD_ROWS), today=TODAY)
    [path] = written
    assert path.parent.parent == ws.path / "tmp"  # written in the workspace's scratch folder
    assert err.value.message().startswith(f"The disk is full: {path} could not be written")
    assert _state(ws) == before
    assert list((ws.path / "tmp").iterdir()) == []  # the scratch files went with the import


def test_utf8_copy_of_a_gb18030_file_on_a_full_disk(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(ws)
    made: list[Path] = []

    def onto_full_disk(*args: object, dir: Path, suffix: str, **kw: object) -> object:
        path = Path(dir) / f"copy{suffix}"
        path.symlink_to("/dev/full")
        made.append(path)
        return open(path, "wb")

    monkeypatch.setattr(readers.tempfile, "NamedTemporaryFile", onto_full_disk)
    big = "customer_id,name\n" + "".join(f"G{i},上海恒泰贸易有限公司\n" for i in range(20_000))
    with pytest.raises(DiskFullError) as err:
        ws.import_file("customers", write(tmp_path / "g.csv", big, "gb18030"), today=TODAY)
    [path] = made
    assert f"The disk is full: {path} could not be written" in err.value.message()
    assert _state(ws) == before


def test_postgresql_server_disk_full_is_named_as_such() -> None:
    """The server's own SQLSTATE (53100), as SQLAlchemy wraps it."""
    driver = psycopg.errors.DiskFull('could not extend file "base/16384/16385": No space left')
    wrapped = sa.exc.OperationalError("INSERT INTO customers …", {}, driver)
    full = disk_full_error(wrapped)
    assert full is not None and full.key == "disk.full_server"
    assert 'could not extend file "base/16384/16385"' in full.message("en")
    assert "数据库服务器的磁盘已满" in full.message("zh")


def test_other_errors_are_not_a_full_disk(tmp_path: Path) -> None:
    assert disk_full_error(OSError(errno.EACCES, "Permission denied", str(tmp_path))) is None
    assert disk_full_error(ValueError("No space at all")) is None
    full = disk_full_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), tmp_path / "x.csv")
    assert full is not None and str(tmp_path / "x.csv") in full.message()


def test_rejects_file_is_moved_into_place_after_the_commit(ws: Workspace, tmp_path: Path) -> None:
    result = ws.import_file("customers", write(tmp_path / "c.csv", BAD_ROWS), today=TODAY)
    assert result.rejects_file == str(ws.path / "rejects" / f"customers-{result.batch_id}"
                                      "-rejects.csv")  # fmt: skip
    rows = list(csv.DictReader(Path(result.rejects_file).read_text("utf-8-sig").splitlines()))
    assert [r["customer_id"] for r in rows] == ["C2"]
