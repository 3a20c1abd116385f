"""The workspace's scratch folder (``<workspace>/tmp/``) for the files an import writes on the
way: the UTF-8 copy of a GB18030 file, DuckDB's spill files, the rejects file before the import
commits.

Each import takes a :class:`Lease`: a folder ``tmp/<token>/`` and a lock file
``tmp/<token>.lock`` that stays locked while the import runs. A process killed mid-import
(``kill -9``, a power cut) leaves its folder behind, but its lock dies with it: the next import
removes every folder whose lock nobody holds. A running import in another process or thread
keeps its lock and its files.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from pathlib import Path
from types import TracebackType

if sys.platform != "win32":
    import fcntl

LOCK_SUFFIX = ".lock"


class Lease:
    """``with Lease(workspace / "tmp") as lease:`` write under ``lease.folder``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.token = ""
        self._lock_fd: int | None = None

    @property
    def folder(self) -> Path:
        return self.root / self.token

    def __enter__(self) -> Lease:
        self.root.mkdir(parents=True, exist_ok=True)
        sweep(self.root)
        while self._lock_fd is None:
            self.token = f"{os.getpid()}-{secrets.token_hex(6)}"
            self._lock_fd = _take_new_lock(self.root / (self.token + LOCK_SUFFIX))
        self.folder.mkdir()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        lock = self.root / (self.token + LOCK_SUFFIX)
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # Windows: the lock file can only be removed once closed
            self._lock_fd = None
        lock.unlink(missing_ok=True)


def sweep(root: Path) -> list[str]:
    """Remove what killed imports left in ``root``; return the tokens removed."""
    removed = []
    for lock in root.glob("*" + LOCK_SUFFIX):
        token = lock.name.removesuffix(LOCK_SUFFIX)
        if _is_abandoned(lock):
            shutil.rmtree(root / token, ignore_errors=True)
            lock.unlink(missing_ok=True)
            removed.append(token)
    return removed


def _take_new_lock(path: Path) -> int | None:
    """Create and lock ``path``; None if a sweep removed it between the two steps."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR)
    except FileExistsError:
        return None
    if sys.platform != "win32":
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            return None
    return fd


def _is_abandoned(lock: Path) -> bool:
    """Nobody holds the lock (POSIX: flock; Windows: an open file cannot be removed)."""
    if sys.platform == "win32":
        try:
            lock.unlink()
        except PermissionError:
            return False
        except FileNotFoundError:
            pass
        return True
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
