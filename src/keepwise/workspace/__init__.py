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
``ws.directory``          customer search and the customer 360 view
``ws.users``              users and roles, passwords, API tokens, web sessions
``ws.settings``           churn definition, rules, reasons, thresholds, audit log
``ws.results``            stored report results (fast pages), by data version
``ws.jobs``               background jobs (imports, training, scoring) and their progress
``ws.reports``            retention, void-effect and no-value reports as HTML, XLSX or PDF
``ws.notify``             alert and task digests by e-mail and group robots, their log
``ws.surveys``            survey links (unique, expiring, single-use, signed) and answers
``ws.refresh``            the daily chain: inbox, scores, alerts, playbooks, notifications
========================  ==============================================================

Each service works for the workspace's viewer (:meth:`Workspace.as_user`): an admin or a
manager sees every customer, a rep only their own — in every query of every service.
"""

from keepwise.workspace.core import AsOf, TableCount, Workspace
from keepwise.workspace.viewer import OPERATOR, ROLES, Viewer

__all__ = ["OPERATOR", "ROLES", "AsOf", "TableCount", "Viewer", "Workspace"]
