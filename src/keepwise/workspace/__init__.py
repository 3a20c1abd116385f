"""The application facade. Interfaces (CLI, API, web) call a :class:`Workspace` and nothing
below it. The workspace holds the configuration and the store; each area has one service,
an attribute of the workspace, whose methods every interface calls alike:

========================  ==============================================================
``ws.imports``            import files, the demo company, table counts, recent imports
``ws.metrics``            KPIs, drill-down, cohorts, survival, reasons, impact, summary
``ws.value``              RFM, tiers, CLV, no-value customers and decisions
``ws.risk``               the churn model: train, score, risk list, back-test, survival
``ws.alerts``             early-warning rules and alerts
``ws.customers``          one customer: show, void (approvals), churn, reactivate, revert, reassign
``ws.owners``             an owner's departure; the customer pool (公海)
``ws.reports``            retention, void-effect and no-value reports as HTML, XLSX or PDF
``ws.notify``             alert and task digests by e-mail and group robots, their log
``ws.surveys``            survey links (unique, expiring, single-use, signed) and answers
``ws.refresh``            the daily chain: inbox, scores, alerts, playbooks, notifications
========================  ==============================================================
"""

from keepwise.workspace.core import AsOf, TableCount, Workspace

__all__ = ["AsOf", "TableCount", "Workspace"]
