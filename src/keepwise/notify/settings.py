"""The ``[notify]`` section of keepwise.toml: how messages are sent (docs/reports.md,
"Notifications").

```toml
[notify]
retries = 3               # attempts per message in one run (a failed one is tried again next run)
backoff_seconds = 30      # wait before the second attempt; doubles each time
timeout_seconds = 10      # per HTTP request or SMTP session

[notify.smtp]
host = "smtp.example.com"
port = 465
security = "ssl"          # ssl | starttls | none
username = "keepwise@example.com"
password_env = "KEEPWISE_SMTP_PASSWORD"   # or password = "…" (not recommended)
sender = "Keepwise <keepwise@example.com>"

[notify.channels.east-team]          # one group robot per team
type = "wecom"                       # email | wecom | dingtalk | feishu
webhook_env = "KEEPWISE_WECOM_EAST"  # or webhook = "https://qyapi.weixin.qq.com/…"
owners = ["E0001", "E0002"]          # whose alerts and tasks (default: everyone's)
lang = "zh"

[notify.channels.reps]
type = "email"
per_owner = true                     # every owner gets their own digest at owners.email
```
Secrets (``webhook``, ``secret``, ``password``) may be given directly or, better, as the name
of an environment variable (``*_env``), read when a message is sent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

from keepwise._core.config import check_keys, table
from keepwise._core.errors import ConfigError
from keepwise._core.i18n import Lang, Text, normalise, register

ChannelType = Literal["email", "wecom", "dingtalk", "feishu"]
TYPES: tuple[ChannelType, ...] = ("email", "wecom", "dingtalk", "feishu")
WHAT = ("alerts", "tasks")
NOTIFY_KEYS = ("retries", "backoff_seconds", "timeout_seconds", "smtp", "channels")
SMTP_KEYS = ("host", "port", "security", "username", "password", "password_env", "sender")
CHANNEL_KEYS = ("type", "webhook", "webhook_env", "secret", "secret_env", "to", "per_owner",
                "owners", "lang", "send", "enabled")  # fmt: skip

register(
    {
        "notify.expect.type": {"zh": "email、wecom、dingtalk 或 feishu", "en": "email, wecom, "
                               "dingtalk or feishu"},
        "notify.expect.list": {"zh": "字符串列表", "en": "a list of strings"},
        "notify.expect.number": {"zh": ">= 0 的数", "en": "a number >= 0"},
        "notify.expect.security": {"zh": "ssl、starttls 或 none", "en": "ssl, starttls or none"},
        "notify.expect.what": {"zh": "alerts 和/或 tasks", "en": "alerts and/or tasks"},
        "notify.needs_webhook": {
            "zh": "通道 {channel}（{type}）需要 webhook 或 webhook_env",
            "en": "The channel {channel} ({type}) needs webhook or webhook_env"},
        "notify.needs_to": {
            "zh": "邮件通道 {channel} 需要 to（收件地址列表）或 per_owner = true",
            "en": "The e-mail channel {channel} needs to (a list of addresses) or per_owner = true"},
        "notify.needs_smtp": {
            "zh": "邮件通道 {channel} 需要 [notify.smtp] 的 host 与 sender",
            "en": "The e-mail channel {channel} needs host and sender in [notify.smtp]"},
        "notify.env_missing": {
            "zh": "环境变量 {name} 未设置（{key}）",
            "en": "The environment variable {name} is not set ({key})"},
        "notify.unknown_channel": {
            "zh": "keepwise.toml 中没有通知通道 {channel}；已配置：{names}",
            "en": "No notification channel {channel} in keepwise.toml; configured: {names}"},
    }
)  # fmt: skip


@dataclass(frozen=True)
class Secret:
    """A value given directly or as the name of an environment variable (read when used)."""

    key: str
    value: str | None = None
    env: str | None = None

    def get(self) -> str | None:
        if self.env:
            found = os.environ.get(self.env)
            if not found:
                raise ConfigError("notify.env_missing", name=self.env, key=self.key)
            return found
        return self.value


@dataclass(frozen=True)
class Smtp:
    host: str | None = None
    port: int = 465
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str | None = None
    password: Secret = Secret("notify.smtp.password")
    sender: str | None = None


@dataclass(frozen=True)
class Channel:
    name: str
    type: ChannelType
    webhook: Secret = Secret("webhook")
    secret: Secret = Secret("secret")
    to: tuple[str, ...] = ()
    per_owner: bool = False
    #: Whose alerts and tasks (None: everyone's).
    owners: tuple[str, ...] | None = None
    lang: Lang | None = None
    send: tuple[str, ...] = WHAT
    enabled: bool = True


@dataclass(frozen=True)
class NotifySettings:
    retries: int = 3
    backoff_seconds: float = 30.0
    timeout_seconds: float = 10.0
    smtp: Smtp = Smtp()
    channels: tuple[Channel, ...] = field(default_factory=tuple)

    def channel(self, name: str) -> Channel:
        for c in self.channels:
            if c.name == name:
                return c
        raise ConfigError("notify.unknown_channel", channel=name,
                          names=", ".join(c.name for c in self.channels) or "—")  # fmt: skip


def _bad(key: str, value: Any, expected: str) -> ConfigError:
    return ConfigError("config.value", key=key, value=value, expected=Text(expected))


def _number(raw: dict[str, Any], key: str, default: float, prefix: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _bad(f"{prefix}.{key}", value, "notify.expect.number")
    return float(value)


def _strings(raw: dict[str, Any], key: str, prefix: str) -> tuple[str, ...] | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"{prefix}.{key}", value, "notify.expect.list")
    return tuple(value)


def _secret(raw: dict[str, Any], key: str, prefix: str) -> Secret:
    value, env = raw.get(key), raw.get(f"{key}_env")
    return Secret(f"{prefix}.{key}", None if value is None else str(value),
                  None if env is None else str(env))  # fmt: skip


def _channel(name: str, raw: dict[str, Any], smtp: Smtp) -> Channel:
    prefix = f"notify.channels.{name}"
    check_keys(raw, prefix, CHANNEL_KEYS)
    kind = raw.get("type")
    if kind not in TYPES:
        raise _bad(f"{prefix}.type", kind, "notify.expect.type")
    send = _strings(raw, "send", prefix) or WHAT
    if not set(send) <= set(WHAT):
        raise _bad(f"{prefix}.send", list(send), "notify.expect.what")
    owners = _strings(raw, "owners", prefix)
    channel = Channel(
        name=name, type=kind, webhook=_secret(raw, "webhook", prefix),
        secret=_secret(raw, "secret", prefix), to=_strings(raw, "to", prefix) or (),
        per_owner=bool(raw.get("per_owner", False)),
        owners=None if owners is None or "*" in owners else owners,
        lang=normalise(str(raw["lang"])) if raw.get("lang") else None, send=send,
        enabled=bool(raw.get("enabled", True)),
    )  # fmt: skip
    if kind == "email":
        if not channel.to and not channel.per_owner:
            raise ConfigError("notify.needs_to", channel=name)
        if not smtp.host or not smtp.sender:
            raise ConfigError("notify.needs_smtp", channel=name)
    elif channel.webhook.value is None and channel.webhook.env is None:
        raise ConfigError("notify.needs_webhook", channel=name, type=kind)
    return channel


def parse_notify_settings(raw: dict[str, Any]) -> NotifySettings:
    check_keys(raw, "notify", NOTIFY_KEYS)
    smtp_raw = table(raw, "smtp", "notify.smtp")
    check_keys(smtp_raw, "notify.smtp", SMTP_KEYS)
    security = smtp_raw.get("security", "ssl")
    if security not in ("ssl", "starttls", "none"):
        raise _bad("notify.smtp.security", security, "notify.expect.security")
    port = smtp_raw.get("port", 465 if security == "ssl" else 587 if security == "starttls" else 25)
    smtp = Smtp(host=smtp_raw.get("host"), port=int(port), security=security,
                username=smtp_raw.get("username"),
                password=_secret(smtp_raw, "password", "notify.smtp"),
                sender=smtp_raw.get("sender"))  # fmt: skip
    channels = tuple(_channel(str(name), table(table(raw, "channels", "notify.channels"), name,
                                               f"notify.channels.{name}"), smtp)
                     for name in table(raw, "channels", "notify.channels"))  # fmt: skip
    retries = int(_number(raw, "retries", 3, "notify"))
    return NotifySettings(
        retries=max(retries, 1), backoff_seconds=_number(raw, "backoff_seconds", 30.0, "notify"),
        timeout_seconds=_number(raw, "timeout_seconds", 10.0, "notify"), smtp=smtp,
        channels=channels,
    )  # fmt: skip
