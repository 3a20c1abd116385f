"""``ws.results``: stored report results (docs/api.md, "Stored results").

The KPI engine computes from the data on every call (seconds on a large workspace); pages must
not. Each report result is stored in ``report_results`` under its report, its parameters and
the viewer's customer scope, with the data version it was computed on
(:meth:`Workspace.data_version`: it moves with every import, lifecycle action, scoring run and
audited change). A read whose stored version is current returns the stored result; otherwise
the result is computed once (concurrent readers of the same result wait for that one
computation), stored and returned. :meth:`ResultsService.refresh` recomputes the stale ones
(the server runs it after each write it makes), so the next reader finds them ready.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from keepwise._core import clock
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise._core.jsondata import jsonable
from keepwise.store import schema
from keepwise.workspace.core import Service
from keepwise.workspace.reports import REPORTS
from keepwise.workspace.viewer import Viewer

register(
    {
        "results.unknown_report": {
            "zh": "未知的报表 {report}",
            "en": "Unknown report {report}",
        },
    }
)

#: Reports recomputed only when asked for (too long to redo after every write).
ON_REQUEST = ("backtest",)
#: Parsed results kept in memory per process (most recent first out last), by key and version.
_MEMORY_SIZE = 64
_memory: OrderedDict[tuple[str, str, str, str], Stored] = OrderedDict()
_memory_guard = threading.Lock()
#: One lock per result being computed: concurrent readers of a stale result wait for one
#: computation instead of each starting their own.
_computing: dict[tuple[str, str, str], threading.Lock] = {}


@dataclass(frozen=True)
class Stored:
    """A report result: its payload (JSON data), when it was computed and on which data."""

    report: str
    params: dict[str, Any]
    payload: Any
    data_version: str
    computed_at: dt.datetime
    seconds: float | None

    def meta(self) -> dict[str, Any]:
        return {"report": self.report, "computed_at": self.computed_at.isoformat(),
                "data_version": self.data_version, "seconds": self.seconds}  # fmt: skip


def params_key(params: dict[str, Any]) -> tuple[str, str]:
    text = json.dumps(jsonable(params), sort_keys=True, ensure_ascii=False)
    return text, hashlib.sha256(text.encode()).hexdigest()


class ResultsService(Service):
    def get(self, report: str, params: dict[str, Any], *, unscoped: bool = False) -> Stored:
        """The result of ``report`` for ``params`` (and the viewer's scope): stored when its
        data version is current, else computed now and stored. ``unscoped``: computed over
        every customer whoever asks — for lookups by the services, which check first that
        the viewer may see the customer they read (never handed out whole)."""
        if report not in REPORTS:
            raise InputError("results.unknown_report", report=report)
        if unscoped and self.viewer.owner_scope is not None:
            from keepwise.workspace.viewer import OPERATOR

            view = self.ws.as_user(OPERATOR, reads_only=self.ws.reads_only)
            return view.results.get(report, params)
        params = {**params, "scope": self.viewer.owner_scope}
        text, digest = params_key(params)
        version = self.ws.data_version()
        found = self._recall(report, digest, version)
        if found is not None:
            return found
        lock = self._lock(report, digest)
        with lock:
            found = self._recall(report, digest, version)
            if found is not None:
                return found
            return self._compute(report, params, text, digest, version)

    def latest(self, report: str, params: dict[str, Any]) -> tuple[Stored, bool] | None:
        """The stored result of ``report`` for ``params`` whatever its data version, and
        whether it is current (for reports too long to compute on a read: the back-test);
        None when there is none."""
        params = {**params, "scope": self.viewer.owner_scope}
        _, digest = params_key(params)
        r = schema.report_results
        with self.store.begin() as conn:
            row = conn.execute(sa.select(r).where(
                r.c.report == report, r.c.params_hash == digest)).mappings().first()  # fmt: skip
        if row is None:
            return None
        stored = Stored(report, json.loads(row["params"]), json.loads(row["payload"]),
                        row["data_version"], row["computed_at"], row["seconds"])  # fmt: skip
        return stored, stored.data_version == self.ws.data_version()

    def invalidate(self, report: str | None = None) -> int:
        """Forget stored results (of one report, or all): the next read recomputes them."""
        r = schema.report_results
        query = sa.delete(r) if report is None else sa.delete(r).where(r.c.report == report)
        with self.store.begin() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(r)).scalar_one()
            conn.execute(query)
        with _memory_guard:
            _memory.clear()
        return int(count)

    def refresh(self, *, limit: int = 50, budget_s: float = 300.0) -> int:
        """Recompute the stored results that are stale (most recently computed first, at most
        ``limit`` of them, within about ``budget_s`` seconds); returns how many."""
        r = schema.report_results
        version = self.ws.data_version()
        query = (sa.select(r.c.report, r.c.params)
                 .where(r.c.data_version != version, r.c.report.not_in(ON_REQUEST))
                 .order_by(r.c.computed_at.desc()).limit(limit))  # fmt: skip
        with self.store.begin() as conn:
            stale = conn.execute(query).all()
        done, started = 0, time.monotonic()
        for report, text in stale:
            if report not in REPORTS or time.monotonic() - started > budget_s:
                continue
            params = json.loads(text)
            scope = params.get("scope")
            viewer = Viewer("refresh", "admin") if scope is None else \
                Viewer("refresh", "rep", owner_id=scope)  # fmt: skip
            view = self.ws.as_user(viewer)
            try:
                view.results.get(report, {k: v for k, v in params.items() if k != "scope"})
                done += 1
            except Exception:  # a report that no longer computes (data gone): left stale
                continue
        return done

    # --- inside ---------------------------------------------------------------------------

    def _lock(self, report: str, digest: str) -> threading.Lock:
        with _memory_guard:
            return _computing.setdefault((self.store.url, report, digest), threading.Lock())

    def _recall(self, report: str, digest: str, version: str) -> Stored | None:
        key = (self.store.url, report, digest, version)
        with _memory_guard:
            hit = _memory.get(key)
            if hit is not None:
                _memory.move_to_end(key)
                return hit
        r = schema.report_results
        with self.store.begin() as conn:
            row = conn.execute(sa.select(r).where(
                r.c.report == report, r.c.params_hash == digest, r.c.data_version == version
            )).mappings().first()  # fmt: skip
        if row is None:
            return None
        stored = Stored(report, json.loads(row["params"]), json.loads(row["payload"]),
                        row["data_version"], row["computed_at"], row["seconds"])  # fmt: skip
        self._remember(key, stored)
        return stored

    def _compute(
        self, report: str, params: dict[str, Any], text: str, digest: str, version: str
    ) -> Stored:
        started = time.monotonic()
        payload = jsonable(REPORTS[report](self.ws, {k: v for k, v in params.items()
                                                     if k != "scope"}))  # fmt: skip
        seconds = round(time.monotonic() - started, 3)
        stored = Stored(report, params, payload, version, clock.now(), seconds)
        row = {"report": report, "params_hash": digest, "params": text,
               "data_version": version, "computed_at": stored.computed_at, "seconds": seconds,
               "payload": json.dumps(payload, ensure_ascii=False, allow_nan=False)}  # fmt: skip
        stmt = insert(schema.report_results).values(row)
        stmt = stmt.on_conflict_do_update(
            index_elements=["report", "params_hash"],
            set_={c: stmt.excluded[c] for c in ("params", "data_version", "computed_at",
                                                "seconds", "payload")},
        )  # fmt: skip
        self.store.transact(lambda conn: conn.execute(stmt))
        self._remember((self.store.url, report, digest, version), stored)
        return stored

    @staticmethod
    def _remember(key: tuple[str, str, str, str], stored: Stored) -> None:
        with _memory_guard:
            _memory[key] = stored
            _memory.move_to_end(key)
            while len(_memory) > _MEMORY_SIZE:
                _memory.popitem(last=False)
