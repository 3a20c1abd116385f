"""``ws.alerts``: early warning (预警规则与预警; docs/alerts.md) — the workspace's rules, rule
runs that open alerts, and the alerts' life (acknowledge, close, history)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keepwise._core import clock
from keepwise._core.errors import NotFoundError
from keepwise._core.i18n import register
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.rules import Alert, Rule, RunResult

register(
    {
        "workspace.no_alerts_run": {
            "zh": "没有截止日期为 {as_of} 的预警",
            "en": "There are no alerts dated {as_of}",
        },
    }
)


class AlertsService(Service):
    def rules(self) -> list[Rule]:
        """The workspace's rules: ``rules.yaml`` when present, else the built-in defaults."""
        from keepwise.rules import load_rules

        return load_rules(self.ws.path)

    def rule_labels(self) -> dict[str, dict[str, str]]:
        """Each alert rule's name in both languages (the survey rules' too), by rule id."""
        from keepwise.surveys import RULE_LABELS

        labels = {r.id: {"zh": r.label_zh, "en": r.label_en} for r in self.rules()}
        return labels | RULE_LABELS

    def init_rules(self, *, force: bool = False) -> Path:
        """Write the built-in rules to ``rules.yaml`` for editing; never overwrite unless
        ``force``."""
        from keepwise.rules import write_default_rules

        return write_default_rules(self.ws.path, force=force)

    def run(self, as_of: dt.date) -> RunResult:
        """Evaluate the enabled rules as of ``as_of`` and open the new alerts (deduplicated)."""
        from keepwise.rules import evaluate, record

        self.viewer.require("admin", "manager")
        self.ws.check_writable(as_of)
        rules = self.rules()
        hits = evaluate(self.store, rules, as_of, churn=self.ws.config.churn)
        with self.store.begin() as conn:
            return record(conn, rules, hits, as_of, at=clock.now())

    def find(
        self,
        *,
        status: str | None = None,
        rule: str | None = None,
        severity: str | None = None,
        owner: str | None = None,
        customer: str | None = None,
        limit: int | None = None,
    ) -> list[Alert]:
        """Alerts, newest first, filtered (a rep: of their own customers)."""
        from keepwise.rules import list_alerts

        with self.store.begin() as conn:
            return list_alerts(conn, status=status, rule=rule, severity=severity,
                               owner=self.scoped_owner(owner), customer=customer,
                               limit=limit)  # fmt: skip

    def get(self, alert_id: int) -> Alert:
        """One alert; not found when the viewer may not see its customer."""
        from keepwise.rules import list_alerts

        with self.store.begin() as conn:
            found = list_alerts(conn, alert_id=alert_id)
        if not found or not self.visible_ids([found[0].customer_id]):
            raise NotFoundError("alerts.not_found", alert_id=alert_id)
        return found[0]

    def ack(self, alert_id: int, *, actor: str, note: str | None = None) -> Alert:
        from keepwise.rules import acknowledge

        self.get(alert_id)
        with self.store.begin() as conn:
            return acknowledge(conn, alert_id, actor=actor, note=note, at=clock.now())

    def close(self, alert_id: int, *, actor: str, note: str) -> Alert:
        from keepwise.rules import close

        self.get(alert_id)
        with self.store.begin() as conn:
            return close(conn, alert_id, actor=actor, note=note, at=clock.now())

    def history(self, alert_id: int) -> list[dict[str, Any]]:
        from keepwise.rules import history

        self.get(alert_id)
        with self.store.begin() as conn:
            return history(conn, alert_id)

    def delete_run(self, as_of: dt.date, *, actor: str) -> tuple[int, int]:
        """Delete the still-open alerts opened by the rule run dated ``as_of`` (acknowledged
        and closed ones are kept): (deleted, kept); audited."""
        from keepwise.store import runs

        self.viewer.require("admin", "manager")
        with self.store.begin() as conn:
            deleted, kept = runs.delete_alerts(conn, as_of=as_of, actor=actor, at=clock.now())
        if not deleted and not kept:
            raise NotFoundError("workspace.no_alerts_run", as_of=as_of.isoformat())
        return deleted, kept
