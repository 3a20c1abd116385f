"""Notifications (docs/reports.md): digests of new alerts and open tasks by e-mail and to WeCom,
DingTalk and Feishu group robots, per user or team, in the receiver's language, retried with
back-off and logged in the ``notifications`` table."""

from keepwise.notify.channels import DeliveryError, Message
from keepwise.notify.digest import AlertItem, TaskItem
from keepwise.notify.outbox import Recipient, Sent, deliver, log, queue_digests, queue_probe
from keepwise.notify.settings import NOTIFY_KEYS, Channel, NotifySettings, parse_notify_settings

__all__ = [
    "NOTIFY_KEYS",
    "AlertItem",
    "Channel",
    "DeliveryError",
    "Message",
    "NotifySettings",
    "Recipient",
    "Sent",
    "TaskItem",
    "deliver",
    "log",
    "parse_notify_settings",
    "queue_digests",
    "queue_probe",
]
