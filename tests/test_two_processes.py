"""Two processes on one embedded DuckDB file: the second waits, then is served or gets a clear
message — never a traceback or a damaged file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keepwise import Workspace
from keepwise._core.errors import BusyError
from keepwise.store import Store
from keepwise.store.db import database_url_for

HOLD = """
import sys, time
from pathlib import Path
from keepwise import Workspace
ws = Workspace.open(Path(sys.argv[1]))
ws.table_counts()            # opens the database file and keeps it
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
ws.close()
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    return proc


def _cli(path: Path, *args: str, timeout: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KEEPWISE_BUSY_TIMEOUT": timeout, "KEEPWISE_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "keepwise", "-w", str(path), *args],
                          capture_output=True, text=True, env=env, check=False)  # fmt: skip


def test_second_process_gets_a_clear_message_then_works(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    holder = _hold(tmp_path / "ws", 6)
    started = time.monotonic()
    busy = _cli(tmp_path / "ws", "status", timeout="1")
    assert time.monotonic() - started < 5
    assert busy.returncode == 2
    assert "in use by another Keepwise process" in busy.stderr
    assert "Traceback" not in busy.stderr + busy.stdout
    holder.wait(timeout=20)
    after = _cli(tmp_path / "ws", "status", "--json", timeout="1")
    assert after.returncode == 0, after.stderr
    assert '"reasons": 17' in after.stdout  # the file is intact


def test_second_process_waits_and_is_served(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "ws").close()
    holder = _hold(tmp_path / "ws", 1.5)
    served = _cli(tmp_path / "ws", "status", "--json", timeout="20")
    holder.wait(timeout=20)
    assert served.returncode == 0, served.stderr
    assert '"reasons": 17' in served.stdout


def test_the_busy_message_names_the_holding_process(tmp_path: Path) -> None:
    """DuckDB's lock error gives the holder's PID: the message names it (and, where the system
    tells, its command line) instead of "(?)"."""
    Workspace.init(tmp_path / "ws").close()
    holder = _hold(tmp_path / "ws", 60)
    try:
        with pytest.raises(BusyError) as err:
            Store(database_url_for(tmp_path / "ws"), busy_timeout=0.3)
    finally:
        holder.kill()
        holder.wait(timeout=20)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert f"in use by another Keepwise process (PID {holder.pid}: " in en
    assert f"另一个 Keepwise 进程使用（PID {holder.pid}: " in zh
    if sys.platform.startswith("linux"):  # the command line, read from /proc
        assert f"PID {holder.pid}: {Path(sys.executable).name} -c import sys, time" in en
