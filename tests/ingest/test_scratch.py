"""Files written on the way (the UTF-8 copy of a GB18030 file, the rejects file before the
commit) live in ``<workspace>/tmp/``; an import killed with ``kill -9`` leaves no rejects file
and its scratch files are removed by the next import, while another running import keeps its
own. A batch id that DuckDB hands out again after a kill never meets an old rejects file."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from ingest_support import CUSTOMERS_CSV, TODAY, write

from keepwise import Workspace
from keepwise.ingest.scratch import Lease, sweep

CHILD = """
import datetime as dt, sys, time
from pathlib import Path
import keepwise.ingest.importer as importer
import keepwise.ingest.readers as readers
from keepwise import Workspace

def stop(*args, **kwargs):
    print("ready", flush=True)
    time.sleep(120)

if sys.argv[3] == "reading":
    readers._parse_csv = stop        # the UTF-8 copy of the file exists
else:
    importer._finish_batch = stop    # the rows are upserted, the rejects file is written
ws = Workspace.open(Path(sys.argv[1]))
ws.import_file("customers", Path(sys.argv[2]), today=dt.date.fromisoformat(sys.argv[4]))
"""

#: GB18030 (transcoded on the way), one row rejected (negative cost).
GB_FILE = "客户编号,客户名称,获客成本\nC7,上海恒泰贸易,5\nC8,深圳嘉禾,-1\n"


def _kill_import_while(stage: str, ws_path: Path, file: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ws_path), str(file), stage, TODAY.isoformat()],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    child.kill()  # SIGKILL: no clean-up runs
    child.wait(timeout=30)


def _scratch_files(ws_path: Path) -> list[str]:
    return sorted(p.name for p in (ws_path / "tmp").rglob("*") if p.is_file())


def test_a_killed_import_leaves_no_rejects_and_its_scratch_is_cleaned(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", lang="en")
    ws.import_file("customers", write(tmp_path / "c.csv", CUSTOMERS_CSV), today=TODAY)
    ws.close()
    file = write(tmp_path / "gb.csv", GB_FILE, "gb18030")

    _kill_import_while("reading", ws.path, file)
    leftovers = _scratch_files(ws.path)
    assert any(name.endswith(".csv") for name in leftovers), leftovers  # the UTF-8 copy
    _kill_import_while("loading", ws.path, file)
    assert "rejects.csv" in _scratch_files(ws.path)
    assert list((ws.path / "rejects").glob("*")) == []  # no rejects file without its batch

    result = ws.import_file("customers", file, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert list((ws.path / "tmp").iterdir()) == []  # both killed imports' files are gone
    [rejects] = (ws.path / "rejects").glob("*")
    assert str(rejects) == result.rejects_file
    assert rejects.name == f"customers-{result.batch_id}-rejects.csv"
    rows = list(csv.DictReader(rejects.read_text("utf-8-sig").splitlines()))
    assert [(r["客户编号"], r["line"]) for r in rows] == [("C8", "3")]
    assert [b["id"] for b in ws.recent_imports()] == [result.batch_id, 1]
    ws.close()


def test_a_failed_import_leaves_no_rejects_file(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keepwise.ingest.importer as importer

    def fail(*args: object) -> None:
        raise RuntimeError("the batch could not be recorded")

    bad = write(tmp_path / "c.csv", "customer_id,acquisition_cost\nC1,1\nC2,-1\n")
    with monkeypatch.context() as patch:
        patch.setattr(importer, "_finish_batch", fail)
        with pytest.raises(RuntimeError):
            ws.import_file("customers", bad, today=TODAY)
    assert list((ws.path / "rejects").glob("*")) == []
    assert list((ws.path / "tmp").iterdir()) == []
    result = ws.import_file("customers", bad, today=TODAY)
    assert [p.name for p in (ws.path / "rejects").glob("*")] == [
        f"customers-{result.batch_id}-rejects.csv"
    ]


def test_an_old_rejects_file_is_never_overwritten(ws: Workspace, tmp_path: Path) -> None:
    """A workspace whose database was recreated keeps old rejects files with the same ids."""
    (ws.path / "rejects").mkdir()
    old = write(ws.path / "rejects" / "customers-1-rejects.csv", "kept\n")
    bad = write(tmp_path / "c.csv", "customer_id,acquisition_cost\nC1,1\nC2,-1\n")
    result = ws.import_file("customers", bad, today=TODAY)
    assert result.batch_id == 1
    assert old.read_text() == "kept\n"
    assert result.rejects_file == str(ws.path / "rejects" / "customers-1-rejects-2.csv")
    assert ws.recent_imports()[0]["rejects_path"] == result.rejects_file


def test_a_running_lease_is_kept_and_an_abandoned_one_removed(tmp_path: Path) -> None:
    root = tmp_path / "tmp"
    root.mkdir()
    (root / "4242-dead").mkdir()
    write(root / "4242-dead" / "copy.csv", "x")
    write(root / "4242-dead.lock", "")  # nobody holds it: its process was killed
    with Lease(root) as running:
        write(running.folder / "copy.csv", "in use")
        with Lease(root) as other:  # another import (thread or process) starts meanwhile
            assert running.folder.is_dir() and other.folder != running.folder
        assert sweep(root) == []
        assert (running.folder / "copy.csv").read_text() == "in use"
    assert list(root.iterdir()) == []
