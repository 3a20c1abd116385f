"""``ws.refresh``: the daily chain (docs/reports.md, "Daily refresh") — new files of the inbox,
stored API results, value scores, risk scores (the model retrained when missing or old),
alerts, playbooks, notifications — each step logged with its time in ``refresh_runs``.

Idempotent: a file is imported once (by checksum); a step whose results for the day exist and
whose inputs have not changed since is skipped; alerts and notifications never repeat. Two
refreshes never run at once (a running one is refused)."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from keepwise._core import clock
from keepwise._core.errors import InputError, KeepwiseError
from keepwise._core.i18n import register, t
from keepwise.store import schema
from keepwise.workspace.core import Service

#: The settings of ``[refresh]`` (checked when a workspace opens).
REFRESH_KEYS = ("inbox", "retrain_days", "kinds", "mappings", "steps")
#: The chain's order. The API server's stored results are refreshed after the steps that write
#: scores, alerts and tasks (each of which makes them stale), so the server's next reader finds
#: them current.
STEPS = ("import", "value", "risk", "alerts", "playbooks", "results", "notify")
#: A run still marked running after this long is taken to have died.
STALE_AFTER = dt.timedelta(hours=6)
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".parquet")

register(
    {
        "refresh.running": {
            "zh": "另一个 keepwise refresh 正在运行（始于 {since}）；请等它完成",
            "en": "Another keepwise refresh is running (since {since}); wait for it to finish",
        },
        "refresh.note.no_inbox": {"zh": "收件目录 {path} 不存在", "en": "No inbox folder {path}"},
        "refresh.note.unknown_kind": {
            "zh": "无法从文件名判断 {file} 的类型（在 [refresh.kinds] 中为它指定类型）",
            "en": "Cannot tell the kind of {file} from its name (give it one in [refresh.kinds])"},
        "refresh.note.no_results": {
            "zh": "本工作区没有需要刷新的已存结果（API 服务的报表缓存）",
            "en": "No stored results to refresh (the API server's report cache)"},
        "refresh.note.no_channels": {
            "zh": "keepwise.toml 中没有配置通知通道 [notify.channels]",
            "en": "No notification channels in keepwise.toml ([notify.channels])"},
        "refresh.note.unchanged": {
            "zh": "截止 {as_of} 的结果已存在，且之后数据没有变化",
            "en": "The results as of {as_of} exist and the data has not changed since"},
        "refresh.note.disabled": {"zh": "此步骤在 [refresh] steps 中未启用",
                                  "en": "This step is not in [refresh] steps"},
    }
)  # fmt: skip


@dataclass
class Step:
    step: str
    status: str = "done"  # done / skipped / failed
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


@dataclass
class RefreshRun:
    id: int
    as_of: dt.date
    status: str
    steps: list[Step]
    started_at: dt.datetime
    finished_at: dt.datetime | None = None

    @property
    def failed(self) -> bool:
        return any(s.status == "failed" for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        out["started_at"] = self.started_at.isoformat()
        out["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return out


class RefreshService(Service):
    def run(
        self, as_of: dt.date, *, actor: str | None = None, lang: str = "en",
        sleep: Callable[[float], None] = time.sleep,
    ) -> RefreshRun:  # fmt: skip
        """Run the chain as of ``as_of``; every step is recorded, a failed step does not stop
        the ones after it (each reads what is there)."""
        self.ws.check_writable(as_of)
        run = self._start(as_of, actor)
        wanted = set(self.option("refresh", "steps", list(STEPS)))
        work: dict[str, Callable[[Step], None]] = {
            "import": lambda s: self._import(s, as_of, lang), "results": self._results,
            "value": lambda s: self._value(s, as_of, lang), "risk": lambda s: self._risk(s, as_of, lang),
            "alerts": lambda s: self._alerts(s, as_of, lang), "playbooks": lambda s: self._playbooks(s, as_of, lang, actor),
            "notify": lambda s: self._notify(s, as_of, lang, sleep),
        }  # fmt: skip
        for name in STEPS:
            step = Step(name)
            started = time.perf_counter()
            if name not in wanted:
                step.status, step.note = "skipped", t("refresh.note.disabled", lang)
            else:
                try:
                    work[name](step)
                except KeepwiseError as exc:
                    step.status, step.note = "failed", exc.message(lang)
                except Exception as exc:  # a step's bug must not hide the others' results
                    step.status, step.note = "failed", f"{type(exc).__name__}: {exc}"
            step.seconds = round(time.perf_counter() - started, 3)
            run.steps.append(step)
            self._save(run)
        run.status = "failed" if run.failed else "done"
        run.finished_at = clock.now()
        self._save(run)
        return run

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        r = schema.refresh_runs
        with self.store.begin() as conn:
            rows = conn.execute(sa.select(r).order_by(r.c.id.desc()).limit(limit)).mappings()
            return [{**dict(x), "steps": json.loads(x["steps"] or "[]")} for x in rows]

    # --- bookkeeping ------------------------------------------------------------------------

    def _start(self, as_of: dt.date, actor: str | None) -> RefreshRun:
        r = schema.refresh_runs
        now = clock.now()
        with self.store.begin() as conn:
            busy = conn.execute(sa.select(r.c.started_at).where(
                (r.c.status == "running") & (r.c.started_at > now - STALE_AFTER))).scalar()  # fmt: skip
            if busy is not None:
                raise InputError("refresh.running", since=busy.isoformat(timespec="seconds"))
            rid = conn.execute(sa.insert(r).values(as_of=as_of, started_at=now, status="running",
                                                   steps="[]", actor=actor)
                               .returning(r.c.id)).scalar_one()  # fmt: skip
        return RefreshRun(int(rid), as_of, "running", [], now)

    def _save(self, run: RefreshRun) -> None:
        r = schema.refresh_runs
        steps = json.dumps([asdict(s) for s in run.steps], ensure_ascii=False, default=str)
        with self.store.begin() as conn:
            conn.execute(sa.update(r).where(r.c.id == run.id).values(
                status=run.status, steps=steps, finished_at=run.finished_at))  # fmt: skip

    def _signature(self, *, alerts: bool = False) -> str:
        """What the scores and alerts (with ``alerts``: the playbooks) are computed from, in a
        few cheap numbers: when it is unchanged since a run's results were stored, running
        again would store the same."""
        counts = []
        tables = [(schema.import_batches, "id"), (schema.status_events, "id"),
                  (schema.surveys, None), (schema.interactions, None)]  # fmt: skip
        if alerts:
            tables.append((schema.alerts, "id"))
        with self.store.begin() as conn:
            # (not tasks: the playbooks step makes them after the scores and alerts)
            for table, col in tables:
                q = sa.select(sa.func.count(), sa.func.max(table.c[col]) if col else sa.null())
                counts.append(list(conn.execute(q.select_from(table)).one()))
        return json.dumps(counts, default=str)

    def _unchanged(self, step: str, as_of: dt.date, signature: str | None = None) -> bool:
        """Whether the last run that did ``step`` as of ``as_of`` saw the same data."""
        signature = signature or self._signature()
        for past in self.runs(limit=50):
            if past["as_of"] != as_of:
                continue
            for s in past["steps"]:
                if s["step"] == step and s["status"] == "done":
                    return bool(s["detail"].get("signature") == signature)
        return False

    # --- the steps ----------------------------------------------------------------------------

    def _inbox_files(self, lang: str) -> tuple[list[tuple[str, Path]], list[str]]:
        from keepwise.ingest import KINDS
        from keepwise.workspace.imports import DEMO_KINDS

        folder = self.ws.path / str(self.option("refresh", "inbox", "inbox"))
        if not folder.is_dir():
            return [], [t("refresh.note.no_inbox", lang, path=str(folder))]
        patterns: dict[str, str] = dict(self.option("refresh", "kinds", {}))
        found, notes = [], []
        for path in sorted(p for p in folder.iterdir() if p.is_file()
                           and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")):  # fmt: skip
            kind = next((k for pat, k in patterns.items() if fnmatch.fnmatch(path.name, pat)), None)
            if kind is None:
                stem = path.stem.lower().replace("_", "-")
                kind = max((k for k in KINDS if stem == k or stem.startswith(f"{k}-")
                            or stem.startswith(f"{k}.")), key=len, default=None)  # fmt: skip
            if kind is None or kind not in KINDS:
                notes.append(t("refresh.note.unknown_kind", lang, file=path.name))
                continue
            found.append((kind, path))
        order = {k: i for i, k in enumerate(DEMO_KINDS)}
        found.sort(key=lambda kp: (order.get(kp[0], len(order)), kp[1].name))
        return found, notes

    def _import(self, step: Step, as_of: dt.date, lang: str) -> None:
        from keepwise.ingest.readers import file_checksum

        files, notes = self._inbox_files(lang)
        mappings: dict[str, str] = dict(self.option("refresh", "mappings", {}))
        b = schema.import_batches
        imported, seen, failed = [], [], []
        for kind, path in files:
            checksum = file_checksum(path)
            with self.store.begin() as conn:
                done = conn.execute(sa.select(b.c.id).where(
                    (b.c.checksum == checksum) & (b.c.kind == kind))).first()  # fmt: skip
            if done is not None:
                seen.append(path.name)
                continue
            mapping = mappings.get(kind)
            try:
                result = self.ws.imports.load(kind, path, today=self.ws.today(), lang=lang,  # type: ignore[arg-type]
                                              mapping=self.ws.path / mapping if mapping else None,
                                              actor="refresh")  # fmt: skip
            except KeepwiseError as exc:
                failed.append({"file": path.name, "kind": kind, "error": exc.message(lang)})
                continue
            imported.append({"file": path.name, "kind": kind, "loaded": result.rows_loaded,
                             "rejected": result.rows_rejected})  # fmt: skip
        step.detail = {"imported": imported, "already_imported": seen, "failed": failed}
        if notes:
            step.note = "; ".join(notes)
        if failed:
            step.status = "failed"
            step.note = "; ".join([*notes, *(f"{f['file']}: {f['error']}" for f in failed)])
        elif not imported:
            step.status = "skipped"

    def _results(self, step: Step) -> None:
        refresh = getattr(getattr(self.ws, "results", None), "refresh", None)
        if refresh is None:
            step.status, step.note = "skipped", t("refresh.note.no_results", "en")
            return
        step.detail = {"refreshed": refresh()}

    def _value(self, step: Step, as_of: dt.date, lang: str) -> None:
        if self._unchanged("value", as_of):
            step.status, step.note = "skipped", t("refresh.note.unchanged", lang, as_of=as_of)
            return
        signature = self._signature()
        _, stored = self.ws.value.score(as_of)
        step.detail = {"stored": stored, "signature": signature}

    def _risk(self, step: Step, as_of: dt.date, lang: str) -> None:
        if self._unchanged("risk", as_of):
            step.status, step.note = "skipped", t("refresh.note.unchanged", lang, as_of=as_of)
            return
        signature = self._signature()
        trained = None
        if self._needs_training(as_of):
            trained = self.ws.risk.train(as_of).to_dict().get("model_version")
        scored = self.ws.risk.score(as_of)
        step.detail = {"trained": trained, "scored": scored.customers, "bands": scored.bands,
                       "model_version": scored.model_version, "signature": signature}  # fmt: skip

    def _needs_training(self, as_of: dt.date) -> bool:
        m = schema.models
        days = int(self.option("refresh", "retrain_days", 30))
        with self.store.begin() as conn:
            latest = conn.execute(sa.select(sa.func.max(m.c.as_of)).where(m.c.kind == "churn")
                                  .where(m.c.as_of <= as_of)).scalar()  # fmt: skip
        if latest is None:
            return True
        latest = latest.date() if isinstance(latest, dt.datetime) else latest
        return (as_of - latest).days >= days

    def _alerts(self, step: Step, as_of: dt.date, lang: str) -> None:
        if self._unchanged("alerts", as_of):
            step.status, step.note = "skipped", t("refresh.note.unchanged", lang, as_of=as_of)
            return
        signature = self._signature()
        result = self.ws.alerts.run(as_of)
        step.detail = {"opened": result.opened, "already_open": result.already_open,
                       "signature": signature}  # fmt: skip

    def _playbooks(self, step: Step, as_of: dt.date, lang: str, actor: str | None) -> None:
        """The workspace's playbooks (``ws.playbooks.run``): new targets, tasks and the survey
        tasks' links. Skipped when nothing they read changed since today's run (a run finds no
        new target anyway: this keeps the run log from growing)."""
        signature = self._signature(alerts=True)
        if self._unchanged("playbooks", as_of, signature):
            step.status, step.note = "skipped", t("refresh.note.unchanged", lang, as_of=as_of)
            return
        result = self.ws.playbooks.run(as_of, actor=actor or "refresh")
        runs = [r.run_id for r in result.runs if r.tasks and r.run_id is not None]
        links = self.ws.surveys.for_tasks(run_ids=runs) if runs else {}
        step.detail = {
            "targets": sum(r.targets for r in result.runs),
            "held_out": sum(r.held_out for r in result.runs),
            "tasks": sum(r.tasks for r in result.runs), "survey_links": len(links),
            "closed_tasks": result.closed_tasks,
            "playbooks": {r.playbook_id: r.tasks for r in result.runs if r.targets},
            "signature": signature,
        }  # fmt: skip

    def _notify(self, step: Step, as_of: dt.date, lang: str,
                sleep: Callable[[float], None]) -> None:  # fmt: skip
        settings = self.ws.notify.settings()
        if not settings.channels:
            step.status, step.note = "skipped", t("refresh.note.no_channels", lang)
            return
        sent = self.ws.notify.send(as_of, sleep=sleep)
        step.detail = {"messages": [s.to_dict() for s in sent]}
        if any(s.status == "failed" for s in sent):
            step.status = "failed"
