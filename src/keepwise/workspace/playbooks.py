"""``ws.playbooks``: retention playbooks (docs/playbooks.md) — the workspace's playbook files,
runs that target customers and create tasks, whether each playbook worked (uplift against its
hold-out), and seed 000's void-effect evaluation.

For the workspace's viewer (docs/api.md, "Roles"): anyone may read the playbooks' definitions;
writing them, running them, their runs and their evaluations are for managers and admins (a
playbook targets every owner's customers, and its verdict is the company's). Runs and the
writing of the files are audited with the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keepwise._core import clock
from keepwise._core.errors import NotFoundError
from keepwise._core.i18n import register
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.playbooks import Playbook, RunResult
    from keepwise.playbooks.evaluate import Evaluation

register(
    {
        "workspace.no_playbook": {
            "zh": "没有编号为 {playbook} 的行动方案；现有：{known}",
            "en": "There is no playbook {playbook}; known: {known}",
        },
    }
)


#: The roles that run playbooks and read their evaluations.
MANAGERS = ("admin", "manager")


class PlaybooksService(Service):
    def find(self) -> list[Playbook]:
        """The workspace's playbooks: ``playbooks/*.yaml``, else the built-ins."""
        from keepwise.playbooks import load_playbooks

        return load_playbooks(self.ws.path)

    def init(self, *, force: bool = False, actor: str | None = None) -> list[Path]:
        """Write the built-in playbooks to ``playbooks/`` for editing (``actor``: who, for
        the audit log; the viewer by default)."""
        self.viewer.require(*MANAGERS)
        from keepwise.playbooks import write_builtin

        paths = write_builtin(self.ws.path, force=force)
        self._audit(
            "playbooks.init",
            None,
            {"files": len(paths), "force": force},
            actor or self.viewer.username,
        )
        return paths

    def chosen(self, ids: Sequence[str] | None) -> list[Playbook]:
        """The playbooks named (all when None); an unknown id is an error."""
        found = self.find()
        if not ids:
            return found
        by_id = {p.id: p for p in found}
        for pid in ids:
            if pid not in by_id:
                raise NotFoundError("workspace.no_playbook", playbook=pid,
                                    known=", ".join(by_id))  # fmt: skip
        return [by_id[pid] for pid in ids]

    def run(self, as_of: dt.date, *, actor: str, ids: Sequence[str] | None = None) -> RunResult:
        """Run the enabled playbooks (or those named) as of ``as_of``: targets, hold-out and
        tasks, and a survey link for each survey task; running again on the same day adds
        nothing."""
        self.viewer.require(*MANAGERS)
        from keepwise.playbooks import run_playbooks

        self.ws.check_writable(as_of)
        kinds = {r.id: r.kind for r in self.ws.alerts.rules()}
        result = run_playbooks(self.store, self.chosen(ids), as_of, churn=self.ws.config.churn,
                               actor=actor, at=clock.now(), rule_kinds=kinds)  # fmt: skip
        # A survey task is sent as a link to the customer's survey page (ws.surveys).
        self.ws.surveys.for_tasks(
            run_ids=[r.run_id for r in result.runs if r.tasks and r.run_id is not None], create=True
        )
        self._audit("playbooks.run", ",".join(ids) if ids else None, {
            "as_of": as_of.isoformat(), "targets": sum(r.targets for r in result.runs),
            "tasks": sum(r.tasks for r in result.runs)}, actor)  # fmt: skip
        return result

    def replay(
        self, *, since: dt.date, until: dt.date, every: int, actor: str,
        ids: Sequence[str] | None = None, alerts: bool = False,
    ) -> list[RunResult]:  # fmt: skip
        """:meth:`run` on every ``every``-th day from ``since`` to ``until`` (inclusive), each
        day first running the early-warning rules when ``alerts``: the history a company
        would have had, had it run them all along (the demo's playbooks started in the past)."""
        self.viewer.require(*MANAGERS)
        self.ws.check_writable(until)
        out = []
        day = since
        while day <= until:
            if alerts:
                self.ws.alerts.run(day)
            out.append(self.run(day, actor=actor, ids=ids))
            day += dt.timedelta(days=every)
        return out

    def evaluate(
        self, *, as_of: dt.date, ids: Sequence[str] | None = None, days: int | None = None
    ) -> list[Evaluation]:
        """Treated against hold-out for each playbook (or those named), over ``days`` after
        targeting (each playbook's ``evaluate_days`` by default). A playbook no longer in the
        files is judged too when named, from its recorded targets."""
        self.viewer.require(*MANAGERS)
        from keepwise.playbooks.evaluate import evaluate_playbooks

        current = {p.id: p for p in self.find()}
        names = list(ids) if ids else list(current)
        recorded = self._recorded()
        for pid in names:
            if pid not in current and pid not in recorded:
                raise NotFoundError("workspace.no_playbook", playbook=pid,
                                    known=", ".join(current))  # fmt: skip
        days_of = {p: days or (current[p].evaluate_days if p in current else 90) for p in names}
        measures = {p: current[p].measure if p in current else recorded[p] for p in names}
        con = self.store.ibis()
        return evaluate_playbooks(
            self.ws.tables(), con.table("playbook_targets"), con.table("tasks"),
            self.ws.config.churn, as_of, days_of, measures,
        )  # fmt: skip

    def runs(self, playbook: str | None = None) -> list[dict[str, Any]]:
        """The recorded runs, newest first."""
        self.viewer.require(*MANAGERS)
        import sqlalchemy as sa

        from keepwise.store import schema

        r = schema.playbook_runs
        query = sa.select(r).order_by(r.c.as_of.desc(), r.c.id.desc())
        if playbook:
            query = query.where(r.c.playbook_id == playbook)
        with self.store.begin() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def first_runs(self) -> dict[str, dt.date]:
        """Each playbook's first day with targets (its start, for before/after comparisons)."""
        con = self.store.ibis()
        r = con.table("playbook_runs")
        r = r.filter(r.targets > 0)
        df = r.group_by("playbook_id").aggregate(first=r.as_of.min()).execute()
        return {str(p): _day(f) for p, f in zip(df["playbook_id"], df["first"], strict=True)}

    def void_effect(
        self, *, as_of: dt.date, start: dt.date | None = None, end: dt.date | None = None,
        grain: str = "month",
    ) -> dict[str, Any]:  # fmt: skip
        """Seed 000's five parts as data: void ratio and trend, reasons and destinations,
        business impact, follow-up of voided customers, what changed after the playbooks."""
        self.viewer.require(*MANAGERS)
        from keepwise.workspace.void_effect import void_effect

        return void_effect(self.ws, as_of=as_of, start=start, end=end, grain=grain)

    def _audit(
        self, action: str, entity_id: str | None, detail: dict[str, Any], actor: str
    ) -> None:
        """An audit entry of entity ``playbook`` (which moves the data version: the stored
        evaluations are then recomputed)."""
        from keepwise.store import audit

        with self.store.begin() as conn:
            audit.write(conn, action=action, actor=actor, at=clock.now(),
                        entity="playbook", entity_id=entity_id, detail=detail)  # fmt: skip

    def _recorded(self) -> dict[str, str]:
        """Playbooks with recorded targets, and their measure."""
        con = self.store.ibis()
        tg = con.table("playbook_targets")
        df = tg.group_by("playbook_id").aggregate(measure=tg.measure.max()).execute()
        return dict(zip(df["playbook_id"], df["measure"], strict=True))


def _day(value: object) -> dt.date:
    import pandas as pd

    return pd.Timestamp(value).date()  # type: ignore[arg-type]
