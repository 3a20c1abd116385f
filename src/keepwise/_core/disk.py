"""A full disk, recognised wherever it surfaces: an ``OSError`` from Python, DuckDB's
``Could not write file "…": No space left on device``, or PostgreSQL's ``could not extend file``
(SQLSTATE 53100), possibly wrapped by SQLAlchemy. The user is told that the disk is full and
where, instead of a raw error with a SQL statement."""

from __future__ import annotations

import errno
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from keepwise._core.errors import DiskFullError
from keepwise._core.i18n import register

register(
    {
        "disk.full": {
            "zh": "磁盘已满：无法写入 {file}（文件夹 {folder}，剩余 {free}）。"
            "请释放该磁盘的空间后重试；数据没有任何改动。",
            "en": "The disk is full: {file} could not be written (folder {folder}, {free} free). "
            "Free some space on that disk and try again; nothing was changed.",
        },
        "disk.full_server": {
            "zh": "数据库服务器的磁盘已满（{detail}）。请联系管理员释放空间后重试；数据没有任何改动。",
            "en": "The database server's disk is full ({detail}). Ask its administrator to free "
            "some space, then try again; nothing was changed.",
        },
    }
)

_NO_SPACE_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_SPACE_TEXT = ("no space left on device", "disk quota exceeded", "not enough space on the disk")
_QUOTED_PATH = re.compile(r'(?:file|directory) "([^"]+)"', re.IGNORECASE)
_PG_DISK_FULL = "53100"


def disk_full_error(exc: BaseException, path: Path | str | None = None) -> DiskFullError | None:
    """The :class:`DiskFullError` that ``exc`` means, or None when it is about something else.
    ``path`` names the file being written when the error itself does not (a failed ``write``)."""
    if isinstance(exc, DiskFullError):
        return exc
    for err in _chain(exc):
        if getattr(err, "sqlstate", None) == _PG_DISK_FULL:
            return DiskFullError("disk.full_server", detail=_first_line(err))
        text = str(err)
        is_os_error = isinstance(err, OSError) and err.errno in _NO_SPACE_ERRNOS
        if is_os_error or any(s in text.lower() for s in _NO_SPACE_TEXT):
            named = getattr(err, "filename", None) if isinstance(err, OSError) else None
            quoted = _QUOTED_PATH.search(text)
            where = named or (quoted.group(1) if quoted else None) or path
            return _local(Path(where) if where else None)
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver error SQLAlchemy wraps (``.orig``), and their causes."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        err = todo.pop(0)
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        yield err
        todo += [getattr(err, "orig", None), err.__cause__, err.__context__]


def _local(file: Path | None) -> DiskFullError:
    if file is None:
        return DiskFullError("disk.full", file="?", folder="?", free="?")
    folder = file if file.is_dir() else file.parent
    try:
        free = _size(shutil.disk_usage(folder).free)
    except OSError:
        free = "?"
    return DiskFullError("disk.full", file=str(file), folder=str(folder), free=free)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
