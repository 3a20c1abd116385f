"""The message formats of the group robots and e-mail, and sending them.

* WeCom (企业微信) group robot: POST ``{"msgtype": "markdown", "markdown": {"content": …}}`` to the
  webhook; success is ``errcode`` 0.
* DingTalk (钉钉) custom robot: POST ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
  with a signing secret the URL gets ``timestamp`` (milliseconds) and ``sign`` = URL-encoded
  Base64 of HMAC-SHA256 keyed by the secret over ``timestamp + "\\n" + secret``; success is
  ``errcode`` 0.
* Feishu (飞书) custom bot: POST ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title",
  "content": [[{"tag": "text", "text": …}], …]}}}}``; with a signing secret the body gets
  ``timestamp`` (seconds) and ``sign`` = Base64 of HMAC-SHA256 keyed by ``timestamp + "\\n" +
  secret`` over an empty message; success is ``code`` 0.
* E-mail over SMTP (stdlib ``smtplib``): a plain-text part and an HTML part.

Any failure raises :class:`DeliveryError` with what the receiver said.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from keepwise._core.i18n import Lang
from keepwise.notify.settings import Channel, Smtp


class DeliveryError(Exception):
    """A message did not get through (the text says why)."""


@dataclass(frozen=True)
class Message:
    """A message before it is put in a channel's format: a title and sections of lines."""

    title: str
    sections: list[tuple[str, list[str]]]
    lang: Lang

    def text(self) -> str:
        parts = [self.title, ""]
        for heading, lines in self.sections:
            parts += [heading, *(f"- {line}" for line in lines), ""]
        return "\n".join(parts).rstrip() + "\n"

    def markdown(self) -> str:
        parts = [f"### {self.title}", ""]
        for heading, lines in self.sections:
            parts += [f"**{heading}**", "", *(f"- {line}" for line in lines), ""]
        return "\n".join(parts).rstrip()

    def html(self) -> str:
        body = [f"<h2>{html.escape(self.title)}</h2>"]
        for heading, lines in self.sections:
            body.append(f"<h3>{html.escape(heading)}</h3><ul>")
            body += [f"<li>{html.escape(line)}</li>" for line in lines]
            body.append("</ul>")
        return f'<html><body style="font-family: sans-serif">{"".join(body)}</body></html>'


# --- payloads and signatures (pure: the tests' receivers check them) ------------------------


def wecom_payload(message: Message) -> dict[str, Any]:
    # A WeCom markdown message holds at most 4,096 bytes.
    return {"msgtype": "markdown", "markdown": {"content": _cut(message.markdown(), 4096)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def dingtalk_url(webhook: str, secret: str | None, timestamp_ms: int) -> str:
    if not secret:
        return webhook
    sep = "&" if "?" in webhook else "?"
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{webhook}{sep}timestamp={timestamp_ms}&sign={sign}"


def dingtalk_payload(message: Message) -> dict[str, Any]:
    return {"msgtype": "markdown",
            "markdown": {"title": message.title, "text": _cut(message.markdown(), 18000)}}  # fmt: skip


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def feishu_payload(message: Message, secret: str | None, timestamp_s: int) -> dict[str, Any]:
    content = []
    for heading, lines in message.sections:
        content.append([{"tag": "text", "text": heading}])
        content += [[{"tag": "text", "text": f"• {line}"}] for line in lines]
    locale = "zh_cn" if message.lang == "zh" else "en_us"
    body: dict[str, Any] = {"msg_type": "post",
                            "content": {"post": {locale: {"title": message.title,
                                                          "content": content}}}}  # fmt: skip
    if secret:
        body = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s), **body}
    return body


def _cut(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 4].decode(errors="ignore") + "\n…"


# --- sending -----------------------------------------------------------------------------------


def post_json(url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(
            f"HTTP {exc.code}: {exc.read()[:200].decode(errors='replace')}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    try:
        answer = json.loads(text)
    except ValueError:
        raise DeliveryError(f"not JSON: {text[:200]}") from None
    return answer if isinstance(answer, dict) else {"answer": answer}


def send_robot(channel: Channel, message: Message, *, timestamp_ms: int, timeout: float) -> None:
    webhook, secret = channel.webhook.get() or "", channel.secret.get()
    if channel.type == "wecom":
        answer = post_json(webhook, wecom_payload(message), timeout)
        ok = answer.get("errcode") == 0
    elif channel.type == "dingtalk":
        answer = post_json(dingtalk_url(webhook, secret, timestamp_ms), dingtalk_payload(message),
                           timeout)  # fmt: skip
        ok = answer.get("errcode") == 0
    else:
        payload = feishu_payload(message, secret, timestamp_ms // 1000)
        answer = post_json(webhook, payload, timeout)
        ok = answer.get("code", answer.get("StatusCode")) == 0
    if not ok:
        raise DeliveryError(json.dumps(answer, ensure_ascii=False)[:300])


def send_email(
    smtp: Smtp, to: list[str], message: Message, *, timeout: float, at: dt.datetime
) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = smtp.sender or ""
    mail["To"] = ", ".join(to)
    mail["Date"] = format_datetime(at.replace(tzinfo=dt.UTC))
    mail["Message-ID"] = make_msgid(domain="keepwise")
    mail.set_content(message.text())
    mail.add_alternative(message.html(), subtype="html")
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host or "", smtp.port, timeout=timeout,
                                                     context=ssl.create_default_context())  # fmt: skip
        else:
            client = smtplib.SMTP(smtp.host or "", smtp.port, timeout=timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            password = smtp.password.get()
            if smtp.username and password:
                client.login(smtp.username, password)
            refused = client.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if refused:
        raise DeliveryError(f"refused: {', '.join(refused)}")
