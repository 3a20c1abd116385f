"""The digest of new alerts and open tasks one recipient gets, in the recipient's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from keepwise._core.i18n import Lang, register, t
from keepwise._core.words import LEVELS, SUGGESTED_PLAYBOOKS, TASK_TYPES
from keepwise.notify.channels import Message

#: Lines of each kind a message lists (the count says how many there are in all).
MAX_LINES = 20

register(
    {
        "notify.digest.title": {
            "zh": "Keepwise 客户提醒（{as_of}）：{alerts} 条新预警，{tasks} 项待办任务",
            "en": "Keepwise ({as_of}): {alerts} new alerts, {tasks} open tasks"},
        "notify.digest.alerts": {"zh": "新预警", "en": "New alerts"},
        "notify.digest.tasks": {"zh": "待办任务", "en": "Open tasks"},
        "notify.digest.alert": {
            "zh": "[{severity}] {customer}：{rule}（建议：{playbook}）",
            "en": "[{severity}] {customer}: {rule} (suggested: {playbook})"},
        "notify.digest.task": {
            "zh": "{type} · {customer}，截止 {due}，负责人 {owner}",
            "en": "{type} · {customer}, due {due}, owner {owner}"},
        "notify.digest.overdue": {"zh": "（已逾期）", "en": " (overdue)"},
        "notify.digest.link": {"zh": " · 问卷链接：{url}", "en": " · survey link: {url}"},
        "notify.digest.more": {"zh": "……另有 {n} 条", "en": "… and {n} more"},
        "notify.digest.customer": {"zh": "{name}（{id}）", "en": "{name} ({id})"},
        "notify.test.title": {
            "zh": "Keepwise 测试消息：通道 {channel}", "en": "Keepwise test message: channel {channel}"},
        "notify.test.heading": {"zh": "通知通道工作正常", "en": "The notification channel works"},
        "notify.test.line": {
            "zh": "这条消息由 keepwise notify test 发出，无需处理。",
            "en": "This message was sent by keepwise notify test; nothing to do."},
        "notify.none": {"zh": "—", "en": "—"},
    }
)  # fmt: skip


@dataclass(frozen=True)
class AlertItem:
    id: int
    customer_id: str
    customer_name: str | None
    rule: str
    severity: str
    playbook: str | None


@dataclass(frozen=True)
class TaskItem:
    id: int
    customer_id: str
    customer_name: str | None
    type: str
    due: dt.date | None
    owner_id: str | None
    overdue: bool = False
    #: The survey link of a survey task, for the owner to send.
    url: str | None = None


def _word(words: Mapping[str, tuple[str, str]], key: str | None, lang: Lang) -> str:
    if not key:
        return t("notify.none", lang)
    zh, en = words.get(key, (key, key))
    return zh if lang == "zh" else en


def _customer(cid: str, name: str | None, lang: Lang) -> str:
    return t("notify.digest.customer", lang, name=name or cid, id=cid)


def digest(
    as_of: dt.date, alerts: Sequence[AlertItem], n_alerts: int, tasks: Sequence[TaskItem],
    n_tasks: int, lang: Lang, rule_labels: Mapping[str, Mapping[str, str]],
) -> Message:  # fmt: skip
    """The message: a title with the counts, the alerts (most severe first) and the tasks
    (soonest due first), at most :data:`MAX_LINES` of each."""
    sections = []
    if n_alerts:
        lines = [t("notify.digest.alert", lang, severity=_word(LEVELS, a.severity, lang),
                   customer=_customer(a.customer_id, a.customer_name, lang),
                   rule=rule_labels.get(a.rule, {}).get(lang, a.rule),
                   playbook=_word(SUGGESTED_PLAYBOOKS, a.playbook, lang)) for a in alerts[:MAX_LINES]]  # fmt: skip
        if n_alerts > len(lines):
            lines.append(t("notify.digest.more", lang, n=n_alerts - len(lines)))
        sections.append((t("notify.digest.alerts", lang), lines))
    if n_tasks:
        lines = [_task_line(k, lang) for k in tasks[:MAX_LINES]]
        if n_tasks > len(lines):
            lines.append(t("notify.digest.more", lang, n=n_tasks - len(lines)))
        sections.append((t("notify.digest.tasks", lang), lines))
    title = t("notify.digest.title", lang, as_of=as_of.isoformat(), alerts=n_alerts,
              tasks=n_tasks)  # fmt: skip
    return Message(title, sections, lang)


def _task_line(k: TaskItem, lang: Lang) -> str:
    line = t("notify.digest.task", lang, type=_word(TASK_TYPES, k.type, lang),
             customer=_customer(k.customer_id, k.customer_name, lang),
             due=k.due.isoformat() if k.due else "—", owner=k.owner_id or "—")  # fmt: skip
    if k.overdue:
        line += t("notify.digest.overdue", lang)
    if k.url:
        line += t("notify.digest.link", lang, url=k.url)
    return line


def probe_message(channel: str, lang: Lang) -> Message:
    return Message(t("notify.test.title", lang, channel=channel),
                   [(t("notify.test.heading", lang), [t("notify.test.line", lang)])], lang)  # fmt: skip
