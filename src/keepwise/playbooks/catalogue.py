"""The words of playbooks and tasks: task types, outcomes, statuses, trigger and filter keys,
care-calendar occasions — one place that the playbook file parser, the CLI and the docs share.
"""

from __future__ import annotations

from keepwise._core.i18n import register
from keepwise._core.words import TASK_TYPES

#: What came of a task (``tasks done --outcome``). ``feedback`` needs a reason code.
OUTCOMES: dict[str, tuple[str, str]] = {
    "reached": ("已联系上", "reached"),
    "not_reached": ("未联系上", "not reached"),
    "offer_accepted": ("接受优惠", "offer accepted"),
    "feedback": ("已记录反馈", "feedback recorded"),
    "won_back": ("已挽回", "won back"),
    "lost": ("未能挽回", "lost"),
}

#: Stored task statuses; ``overdue`` is derived (open, due before the as-of date).
TASK_STATUSES: dict[str, tuple[str, str]] = {
    "open": ("待办", "open"),
    "overdue": ("已逾期", "overdue"),
    "done": ("已完成", "done"),
    "skipped": ("已跳过", "skipped"),
    "closed": ("已关闭", "closed"),
}

#: Care-calendar occasions (seed 003 ⑩) and the holidays a playbook may name.
OCCASIONS: dict[str, tuple[str, str]] = {
    "birthday": ("生日", "birthday"),
    "contract_anniversary": ("合作周年", "contract anniversary"),
    "holiday": ("节日", "holiday"),
}

#: What a playbook measures: kept customers staying, or lost customers coming back.
MEASURES: dict[str, tuple[str, str]] = {
    "retention": ("留存率", "retention"),
    "winback": ("挽回率", "win-back"),
}

#: Keys of ``trigger:`` — the event that makes a customer a target.
TRIGGER_KEYS = (
    "alert", "status", "reason", "risk_band", "tier", "segment", "care_calendar", "holidays",
    "within_days", "days_ahead",
)  # fmt: skip
#: Keys of ``filter:`` — who among the triggered customers is targeted.
FILTER_KEYS = ("segment", "region", "industry", "channel", "owner", "tier", "risk_band", "reason")
#: Keys of an action (one task per target and action).
ACTION_KEYS = ("type", "owner", "due_days", "cost", "message_zh", "message_en")
#: Keys of a playbook.
PLAYBOOK_KEYS = (
    "id", "name_zh", "name_en", "enabled", "trigger", "filter", "actions", "holdout",
    "holdout_seed", "cooldown_days", "evaluate_days",
)  # fmt: skip
#: Fields a message template may use.
MESSAGE_FIELDS = ("customer_id", "customer", "owner", "due", "playbook", "occasion", "detail")

BANDS = ("low", "medium", "high")
TIERS = ("high", "mid", "low", "no_value")

register(
    {f"playbooks.word.{group}.{key}": {"zh": zh, "en": en}
     for group, words in (("task", TASK_TYPES), ("outcome", OUTCOMES),
                          ("task_status", TASK_STATUSES), ("occasion", OCCASIONS),
                          ("measure", MEASURES))
     for key, (zh, en) in words.items()}
)  # fmt: skip


def word(group: str, key: str | None, lang: str) -> str:
    """A task type, outcome, status, occasion or measure in ``lang`` (unknown: as it is)."""
    from keepwise._core.i18n import t

    table = {"task": TASK_TYPES, "outcome": OUTCOMES, "task_status": TASK_STATUSES,
             "occasion": OCCASIONS, "measure": MEASURES}[group]  # fmt: skip
    if key is None:
        return "—"
    return t(f"playbooks.word.{group}.{key}", lang) if key in table else key
