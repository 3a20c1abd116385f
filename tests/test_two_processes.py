"""Two processes on one embedded DuckDB file: the second waits, then is served or gets a clear
message — never a traceback or a damaged file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from keepwise import Workspace

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
