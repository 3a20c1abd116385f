"""The canonical data model (DESIGN.md): one SQLAlchemy Core table per entity.

Ids coming from the source system are kept as text and are the primary keys of the imported
tables, so re-importing a file upserts by external id. Integer keys of tables Keepwise writes
itself come from sequences (DuckDB has no SERIAL). There are no database-level foreign keys:
DuckDB rejects updates of rows that a foreign key references, which an upsert needs; the import
checks references instead and rejects the rows that break them.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

STATUSES = ("active", "at_risk", "churned", "voided", "won_back")
#: Tables indexed by ``customer_id`` (migrations 0006 and 0008): the customer 360 reads one
#: customer's rows of each by that index instead of a scan. On DuckDB an indexed column must
#: not be set by an upsert that does not change it (store/bulk.py).
BY_CUSTOMER = ("orders", "interactions", "tickets", "surveys", "status_events", "scores",
               "contracts", "tasks", "alerts")  # fmt: skip
LOST_STATUSES = ("churned", "voided")


def _seq_id(table: str) -> tuple[sa.Sequence, sa.Column[int]]:
    seq = sa.Sequence(f"{table}_id_seq", metadata=metadata)
    col: sa.Column[int] = sa.Column(
        "id", sa.BigInteger, seq, primary_key=True, server_default=seq.next_value()
    )
    return seq, col


def _text(name: str, **kw: object) -> sa.Column[str]:
    return sa.Column(name, sa.Text, **kw)  # type: ignore[arg-type]


def _ts(name: str, **kw: object) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime, **kw)  # type: ignore[arg-type]


def _batch() -> sa.Column[int]:
    return sa.Column("import_batch_id", sa.BigInteger)


owners = sa.Table(
    "owners",
    metadata,
    _text("owner_id", primary_key=True),
    _text("name"),
    _text("email"),
    _text("role"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _ts("left_at"),
    _batch(),
)

customers = sa.Table(
    "customers",
    metadata,
    _text("customer_id", primary_key=True),
    _text("name"),
    _text("segment"),
    _text("industry"),
    _text("region"),
    _text("channel"),
    _text("owner_id"),
    _ts("acquired_at"),
    # The end of the customer's *current* contract; its history is in ``contracts``.
    sa.Column("contract_end", sa.Date),
    sa.Column("birthday", sa.Date),
    sa.Column("acquisition_cost", sa.Double),
    # Current status, kept in step with status_events by the domain layer.
    _text("status", nullable=False, server_default="active"),
    _ts("status_changed_at"),
    _batch(),
)

# Contract history: one row per contract; a renewal is a new row (``renewed_from`` names the
# contract it renews), so the contract in force at any past moment is known. ``customers.
# contract_end`` is only the current contract's end (keepwise.churn.contracts).
contracts = sa.Table(
    "contracts",
    metadata,
    _text("contract_id", primary_key=True),
    _text("customer_id", nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("value", sa.Double),
    _text("renewed_from"),
    _batch(),
)

orders = sa.Table(
    "orders",
    metadata,
    _text("order_id", primary_key=True),
    _text("customer_id", nullable=False),
    _ts("ordered_at", nullable=False),
    sa.Column("amount", sa.Double, nullable=False),
    sa.Column("cost", sa.Double),
    _text("product"),
    sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
    _batch(),
)

usage = sa.Table(
    "usage",
    metadata,
    _text("customer_id", primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    _text("feature", primary_key=True, server_default=""),
    sa.Column("visits", sa.Integer),
    sa.Column("minutes", sa.Double),
    _batch(),
)

interactions = sa.Table(
    "interactions",
    metadata,
    _text("interaction_id", primary_key=True),
    _text("customer_id", nullable=False),
    _text("owner_id"),
    _ts("occurred_at", nullable=False),
    _text("channel"),
    _text("type"),
    _text("outcome"),
    _text("note"),
    sa.Column("task_id", sa.BigInteger),
    # import, or task (an outcome recorded in Keepwise: not data, so it never moves where the
    # data ends).
    _text("source", nullable=False, server_default="import"),
    _batch(),
)

tickets = sa.Table(
    "tickets",
    metadata,
    _text("ticket_id", primary_key=True),
    _text("customer_id", nullable=False),
    _ts("opened_at", nullable=False),
    _ts("first_response_at"),
    _ts("resolved_at"),
    _text("category"),
    sa.Column("is_complaint", sa.Boolean, nullable=False, server_default=sa.false()),
    _batch(),
)

surveys = sa.Table(
    "surveys",
    metadata,
    _text("survey_id", primary_key=True),
    _text("customer_id", nullable=False),
    _ts("answered_at", nullable=False),
    sa.Column("csat", sa.Integer),
    sa.Column("recommend", sa.Integer),
    _text("reason"),
    _text("comment"),
    _batch(),
)

leads = sa.Table(
    "leads",
    metadata,
    _text("lead_id", primary_key=True),
    _ts("created_at", nullable=False),
    _text("source"),
    sa.Column("cost", sa.Double),
    _text("customer_id"),
    _ts("converted_at"),
    _batch(),
)

marketing_spend = sa.Table(
    "marketing_spend",
    metadata,
    sa.Column("period_start", sa.Date, primary_key=True),
    _text("channel", primary_key=True),
    sa.Column("amount", sa.Double, nullable=False),
    _batch(),
)

_, _status_event_id = _seq_id("status_events")
status_events = sa.Table(
    "status_events",
    metadata,
    _status_event_id,
    _text("customer_id", nullable=False),
    _ts("occurred_at", nullable=False),
    _text("from_status"),
    _text("to_status", nullable=False),
    _text("reason"),
    _text("actor"),
    _text("note"),
    _text("destination"),
    # import / user / rule / inferred: who or what recorded the change.
    _text("source", nullable=False, server_default="import"),
    _batch(),
    # A revert (keepwise.lifecycle): the id of the event it undoes. The churn definition and
    # the current status leave out both the undone event and the revert itself.
    sa.Column("reverts", sa.BigInteger),
    sa.UniqueConstraint("customer_id", "occurred_at", "to_status", name="uq_status_event"),
)

# A status change that waits for a manager (``[lifecycle] void_needs_approval``): pending until
# approved (the event is recorded then; ``event_id``) or rejected. Never deleted.
_, _request_id = _seq_id("status_requests")
status_requests = sa.Table(
    "status_requests",
    metadata,
    _request_id,
    _text("customer_id", nullable=False),
    _text("to_status", nullable=False),
    _text("requested_by", nullable=False),
    _ts("requested_at", nullable=False),
    _text("reason"),
    _text("note"),
    _text("destination"),
    _text("state", nullable=False, server_default="pending"),  # pending / approved / rejected
    _text("decided_by"),
    _ts("decided_at"),
    _text("decision_note"),
    sa.Column("event_id", sa.BigInteger),
)

# Every change of a customer's owner: a reassignment, an owner's departure, a return to the
# customer pool (公海; ``to_owner`` null) and a claim from it (keepwise.lifecycle).
_, _owner_change_id = _seq_id("owner_changes")
owner_changes = sa.Table(
    "owner_changes",
    metadata,
    _owner_change_id,
    _text("customer_id", nullable=False),
    _text("from_owner"),
    _text("to_owner"),
    _ts("occurred_at", nullable=False),
    _text("kind", nullable=False),  # reassign / manager / owner_left / pool / claim
    _text("actor"),
    _text("note"),
)

reasons = sa.Table(
    "reasons",
    metadata,
    _text("code", primary_key=True),
    _text("label_zh", nullable=False),
    _text("label_en", nullable=False),
    sa.Column("avoidable", sa.Boolean, nullable=False),
    sa.Column("builtin", sa.Boolean, nullable=False, server_default=sa.false()),
)

_, _score_id = _seq_id("scores")
scores = sa.Table(
    "scores",
    metadata,
    _score_id,
    _text("customer_id", nullable=False),
    _text("model_version", nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("churn_probability", sa.Double),
    _text("risk_band"),
    _text("drivers"),  # JSON list of {feature, value, contribution, text_zh, text_en}
    sa.Column("p_alive", sa.Double),
    sa.Column("expected_purchases", sa.Double),
    sa.Column("predicted_clv", sa.Double),
    sa.Column("clv_low", sa.Double),  # the interval of predicted_clv (migration 0003)
    sa.Column("clv_high", sa.Double),
    sa.Column("rfm_r", sa.Integer),
    sa.Column("rfm_f", sa.Integer),
    sa.Column("rfm_m", sa.Integer),
    _text("rfm_segment"),
    _text("value_tier"),
    sa.Column("profit_contribution", sa.Double),
    _ts("created_at"),
    sa.UniqueConstraint("customer_id", "model_version", "as_of", name="uq_score"),
)

models = sa.Table(
    "models",
    metadata,
    _text("model_version", primary_key=True),
    _text("kind", nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    _ts("created_at", nullable=False),
    _text("params"),  # JSON
    _text("evaluation"),  # JSON
    sa.Column("artifact", sa.LargeBinary),
)

_, _alert_id = _seq_id("alerts")
alerts = sa.Table(
    "alerts",
    metadata,
    _alert_id,
    _text("customer_id", nullable=False),
    _text("rule", nullable=False),
    _text("severity", nullable=False),
    _text("evidence"),  # JSON
    _text("suggested_playbook"),
    _text("status", nullable=False, server_default="open"),
    sa.Column("as_of", sa.Date, nullable=False),
    _ts("opened_at", nullable=False),
    _ts("closed_at"),
    _text("actor"),
    _text("note"),
)

playbooks = sa.Table(
    "playbooks",
    metadata,
    _text("playbook_id", primary_key=True),
    _text("name_zh", nullable=False),
    _text("name_en", nullable=False),
    _text("trigger"),  # JSON
    _text("task_type", nullable=False),
    sa.Column("due_days", sa.Integer, nullable=False, server_default="7"),
    sa.Column("holdout_share", sa.Double, nullable=False, server_default="0.1"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _ts("created_at"),
)

_, _task_id = _seq_id("tasks")
tasks = sa.Table(
    "tasks",
    metadata,
    _task_id,
    _text("customer_id", nullable=False),
    _text("playbook_id"),
    _text("type", nullable=False),
    _text("owner_id"),
    sa.Column("due", sa.Date),
    _text("status", nullable=False, server_default="open"),
    _text("outcome"),
    sa.Column("holdout", sa.Boolean, nullable=False, server_default=sa.false()),
    _ts("created_at", nullable=False),
    _ts("completed_at"),
    _text("note"),
    # The run that created the task, the day it was targeted for, and what it cost.
    sa.Column("run_id", sa.BigInteger),
    sa.Column("as_of", sa.Date),
    sa.Column("cost", sa.Double),
    _text("message_zh"),
    _text("message_en"),
    # The reason code of a feedback outcome; why a task was closed (voided, churned).
    _text("reason"),
    _text("closed_reason"),
    _text("actor"),
)

# One row per run of one playbook on one as-of day, with the definition it ran with.
_, _run_id = _seq_id("playbook_runs")
playbook_runs = sa.Table(
    "playbook_runs",
    metadata,
    _run_id,
    _text("playbook_id", nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    _ts("run_at", nullable=False),
    _text("actor"),
    _text("measure", nullable=False),
    _text("definition"),  # JSON
    sa.Column("targets", sa.BigInteger, nullable=False),
    sa.Column("held_out", sa.BigInteger, nullable=False),
    sa.Column("tasks", sa.BigInteger, nullable=False),
    sa.Column("already_targeted", sa.BigInteger, nullable=False),
)

# Every customer a playbook targeted, treated (with its tasks) or held out (no task): the
# units of the playbook's evaluation. ``trigger_key`` names the occasion (a birthday, …) that
# may target the customer once only.
_, _target_id = _seq_id("playbook_targets")
playbook_targets = sa.Table(
    "playbook_targets",
    metadata,
    _target_id,
    sa.Column("run_id", sa.BigInteger, nullable=False),
    _text("playbook_id", nullable=False),
    _text("customer_id", nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    _text("measure", nullable=False),
    sa.Column("holdout", sa.Boolean, nullable=False),
    sa.Column("draw", sa.Double, nullable=False),
    _text("trigger_key"),
    _text("detail"),  # JSON: the status, reason, alert or occasion behind the targeting
    sa.UniqueConstraint("playbook_id", "customer_id", "as_of", name="uq_playbook_target"),
)

_, _user_id = _seq_id("users")
users = sa.Table(
    "users",
    metadata,
    _user_id,
    _text("username", nullable=False, unique=True),
    _text("display_name"),
    _text("role", nullable=False),  # admin / manager / rep / analyst
    _text("owner_id"),
    _text("password_hash"),
    _text("lang", nullable=False, server_default="zh"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _ts("created_at"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _text("token_hash", primary_key=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    _text("label"),
    _ts("created_at", nullable=False),
    _ts("last_used_at"),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Web sessions: the cookie holds a random token, the table only its SHA-256, with the session's
# CSRF token (synchronizer pattern) and its expiry; logging out or disabling the user ends it.
sessions = sa.Table(
    "sessions",
    metadata,
    _text("token_hash", primary_key=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    _text("csrf_token", nullable=False),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _text("ip"),
)

# Failed logins, for rate limiting per user name and client address (kept in the database so
# that every server process of a PostgreSQL workspace counts the same attempts).
_, _login_failure_id = _seq_id("login_failures")
login_failures = sa.Table(
    "login_failures",
    metadata,
    _login_failure_id,
    _text("username", nullable=False),
    _text("ip", nullable=False),
    _ts("failed_at", nullable=False),
)

# Stored results of reports (KPIs, the overview, drill-downs, risk list …): one row per report
# and parameters, valid while the data version it was computed on is current.
report_results = sa.Table(
    "report_results",
    metadata,
    _text("report", primary_key=True),
    _text("params_hash", primary_key=True),
    _text("params", nullable=False),  # JSON
    _text("data_version", nullable=False),
    _ts("computed_at", nullable=False),
    sa.Column("seconds", sa.Double),
    _text("payload", nullable=False),  # JSON
)

# Long work (imports, training, scoring) run in the background by the server: its progress
# and outcome, queryable by id after a page reload.
_, _job_id = _seq_id("jobs")
jobs = sa.Table(
    "jobs",
    metadata,
    _job_id,
    _text("kind", nullable=False),
    _text("status", nullable=False, server_default="queued"),  # queued/running/done/failed
    sa.Column("progress", sa.Double),
    _text("stage"),
    _text("params"),  # JSON
    _text("result"),  # JSON
    _text("error_code"),
    _text("error_params"),  # JSON
    _text("created_by"),
    _text("owner_scope"),
    _ts("created_at", nullable=False),
    _ts("started_at"),
    _ts("finished_at"),
)

_, _batch_id = _seq_id("import_batches")
import_batches = sa.Table(
    "import_batches",
    metadata,
    _batch_id,
    _text("kind", nullable=False),
    _text("file_name", nullable=False),
    _text("checksum", nullable=False),
    _text("encoding"),
    sa.Column("rows_read", sa.BigInteger, nullable=False),
    sa.Column("rows_loaded", sa.BigInteger, nullable=False),
    sa.Column("rows_rejected", sa.BigInteger, nullable=False),
    sa.Column("rows_inserted", sa.BigInteger),
    sa.Column("rows_updated", sa.BigInteger),
    _text("rejects_path"),
    _ts("started_at", nullable=False),
    _ts("finished_at"),
    _text("actor"),
)

_, _audit_id = _seq_id("audit_log")
audit_log = sa.Table(
    "audit_log",
    metadata,
    _audit_id,
    _ts("occurred_at", nullable=False),
    _text("actor"),
    _text("action", nullable=False),
    _text("entity"),
    _text("entity_id"),
    _text("detail"),  # JSON
)

# Messages sent to people (docs/reports.md, "Notifications"): one row per message, with every
# attempt counted and the last error, so that nothing is lost silently; ``dedup_key`` keeps a
# second run of the same day from sending the same digest again.
_, _notification_id = _seq_id("notifications")
notifications = sa.Table(
    "notifications",
    metadata,
    _notification_id,
    _text("channel", nullable=False),  # the [notify.channels.NAME] it went through
    _text("kind", nullable=False),  # digest / test
    _text("recipient", nullable=False),  # an e-mail address, or the group robot's channel
    _text("lang", nullable=False),
    _text("subject"),
    _text("body"),
    _text("dedup_key", nullable=False, unique=True),
    sa.Column("as_of", sa.Date),
    _ts("created_at", nullable=False),
    _ts("sent_at"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    _text("status", nullable=False, server_default="pending"),  # pending / sent / failed
    _text("error"),
)

# Which alert or task each recipient has already been told about (once, whatever happens).
notified_items = sa.Table(
    "notified_items",
    metadata,
    _text("channel", primary_key=True),
    _text("recipient", primary_key=True),
    _text("item_kind", primary_key=True),  # alert / task
    _text("item_id", primary_key=True),
    sa.Column("notification_id", sa.BigInteger, nullable=False),
)

# Survey links (docs/reports.md, "Surveys"): unique, expiring, single-use; the link carries the
# token id and expiry signed with the workspace's survey key.
survey_links = sa.Table(
    "survey_links",
    metadata,
    _text("token_id", primary_key=True),
    _text("customer_id", nullable=False),
    _text("lang", nullable=False),
    sa.Column("task_id", sa.BigInteger),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("used_at"),
    _text("survey_id"),
    _text("answer"),  # JSON: what was answered, "leaving" included
    _text("created_by"),
)

# Keys Keepwise makes for itself (the survey links' signing key).
workspace_keys = sa.Table(
    "workspace_keys",
    metadata,
    _text("name", primary_key=True),
    _text("value", nullable=False),
    _ts("created_at", nullable=False),
)

# Runs of ``keepwise refresh``: each step with its outcome and time (JSON).
_, _refresh_id = _seq_id("refresh_runs")
refresh_runs = sa.Table(
    "refresh_runs",
    metadata,
    _refresh_id,
    sa.Column("as_of", sa.Date, nullable=False),
    _ts("started_at", nullable=False),
    _ts("finished_at"),
    _text("status", nullable=False),  # running / done / failed
    _text("steps"),
    _text("actor"),
)

#: Tables loaded by ``keepwise import KIND``, keyed by KIND.
IMPORT_TABLES: dict[str, sa.Table] = {
    "customers": customers,
    "contracts": contracts,
    "owners": owners,
    "orders": orders,
    "usage": usage,
    "interactions": interactions,
    "tickets": tickets,
    "surveys": surveys,
    "leads": leads,
    "spend": marketing_spend,
    "status-events": status_events,
}
