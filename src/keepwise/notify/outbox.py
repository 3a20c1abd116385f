"""Notifications as rows (the ``notifications`` table): each digest is queued with the alerts
and tasks it tells about claimed for its recipient (``notified_items``, so that nothing is told
twice), then delivered with retries and back-off; every attempt and the last error are
recorded, and a message that failed stays ``failed`` and is tried again by the next run —
never lost silently."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from keepwise._core.errors import KeepwiseError
from keepwise._core.i18n import Lang
from keepwise.notify.channels import DeliveryError, Message, send_email, send_robot
from keepwise.notify.digest import AlertItem, TaskItem, digest, probe_message
from keepwise.notify.settings import Channel, NotifySettings
from keepwise.store import Store, schema

N = schema.notifications
ITEMS = schema.notified_items


@dataclass(frozen=True)
class Recipient:
    channel: Channel
    #: The e-mail address(es) or, for a group robot, the channel's name.
    address: str
    owners: tuple[str, ...] | None
    lang: Lang
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sent:
    """One message of a run: where it went and how it ended."""

    id: int
    channel: str
    recipient: str
    kind: str
    status: str
    attempts: int
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recipients(conn: sa.Connection, settings: NotifySettings, default: Lang) -> list[Recipient]:
    """Who gets a digest: each group robot, each e-mail list, and with ``per_owner`` each
    (active) owner with an e-mail address, in the language of their user account if any."""
    out: list[Recipient] = []
    user_lang = {r[0]: r[1] for r in conn.execute(
        sa.select(schema.users.c.owner_id, schema.users.c.lang)
        .where(schema.users.c.owner_id.isnot(None)))}  # fmt: skip
    for ch in settings.channels:
        if not ch.enabled:
            continue
        lang = ch.lang or default
        if ch.type != "email":
            out.append(Recipient(ch, ch.name, ch.owners, lang))
        elif ch.to:
            out.append(Recipient(ch, ", ".join(ch.to), ch.owners, lang, tuple(ch.to)))
        if ch.type == "email" and ch.per_owner:
            o = schema.owners
            query = sa.select(o.c.owner_id, o.c.email).where(o.c.email.isnot(None) & o.c.active)
            if ch.owners is not None:
                query = query.where(o.c.owner_id.in_(ch.owners))
            for owner_id, email in conn.execute(query.order_by(o.c.owner_id)):
                lang_of = user_lang.get(owner_id)
                out.append(Recipient(ch, str(email), (str(owner_id),),
                                     lang_of if lang_of in ("zh", "en") else lang,  # type: ignore[arg-type]
                                     (str(email),)))  # fmt: skip
    return out


def _claim(conn: sa.Connection, r: Recipient, nid: int) -> None:
    """Mark the recipient's open alerts not yet told about as told by ``nid``."""
    a, c = schema.alerts, schema.customers
    item_id = sa.cast(a.c.id, sa.Text)
    query = sa.select(sa.literal(r.channel.name), sa.literal(r.address), sa.literal("alert"),
                      item_id, sa.literal(nid)).select_from(
        a.outerjoin(c, a.c.customer_id == c.c.customer_id)).where(a.c.status == "open")  # fmt: skip
    if r.owners is not None:
        query = query.where(c.c.owner_id.in_(r.owners))
    told = sa.exists().where((ITEMS.c.channel == r.channel.name) & (ITEMS.c.recipient == r.address)
                             & (ITEMS.c.item_kind == "alert") & (ITEMS.c.item_id == item_id))  # fmt: skip
    conn.execute(sa.insert(ITEMS).from_select(
        ["channel", "recipient", "item_kind", "item_id", "notification_id"], query.where(~told)))  # fmt: skip


def _claim_tasks(conn: sa.Connection, r: Recipient, nid: int,
                 tasks: Sequence[TaskItem]) -> list[TaskItem]:  # fmt: skip
    """Mark the recipient's tasks of ``tasks`` (the open ones, as ``ws.tasks`` lists them) not
    yet told about as told by ``nid``; returns them."""
    mine = [k for k in tasks if r.owners is None or k.owner_id in r.owners]
    told = set(conn.execute(sa.select(ITEMS.c.item_id).where(
        (ITEMS.c.channel == r.channel.name) & (ITEMS.c.recipient == r.address)
        & (ITEMS.c.item_kind == "task"))).scalars())  # fmt: skip
    new = [k for k in mine if str(k.id) not in told]
    if new:
        conn.execute(sa.insert(ITEMS), [
            {"channel": r.channel.name, "recipient": r.address, "item_kind": "task",
             "item_id": str(k.id), "notification_id": nid} for k in new])  # fmt: skip
    return new


def _claimed(conn: sa.Connection, nid: int, limit: int) -> tuple[list[Any], int]:
    a, c = schema.alerts, schema.customers
    mine = (ITEMS.c.notification_id == nid) & (ITEMS.c.item_kind == "alert")
    count = conn.execute(sa.select(sa.func.count()).select_from(ITEMS).where(mine)).scalar_one()
    ids = sa.select(sa.cast(ITEMS.c.item_id, sa.BigInteger)).where(mine).scalar_subquery()
    rank = sa.case({"high": 0, "medium": 1, "low": 2}, value=a.c.severity, else_=3)
    query = (sa.select(a, c.c.name.label("customer_name"))
             .select_from(a.outerjoin(c, a.c.customer_id == c.c.customer_id))
             .where(a.c.id.in_(ids)).order_by(rank, a.c.id).limit(limit))  # fmt: skip
    return list(conn.execute(query).mappings().all()), int(count)


def queue_digests(
    conn: sa.Connection, settings: NotifySettings, *, as_of: dt.date, at: dt.datetime,
    default_lang: Lang, rule_labels: Mapping[str, Mapping[str, str]],
    tasks: Sequence[TaskItem] = (),
) -> list[int]:  # fmt: skip
    """Queue one digest per recipient with something new to tell; returns their ids.
    ``tasks`` are the open tasks (``ws.tasks``, the soonest due first)."""
    from keepwise.notify.digest import MAX_LINES

    queued = []
    for r in recipients(conn, settings, default_lang):
        nid = _insert(conn, r, "digest", as_of, at, f"claim|{secrets.token_hex(12)}")
        if "alerts" in r.channel.send:
            _claim(conn, r, nid)
        new_tasks = _claim_tasks(conn, r, nid, tasks) if "tasks" in r.channel.send else []
        alerts, n_alerts = _claimed(conn, nid, MAX_LINES)
        if not n_alerts and not new_tasks:
            conn.execute(sa.delete(N).where(N.c.id == nid))
            continue
        message = digest(as_of, [_alert(a) for a in alerts], n_alerts, new_tasks[:MAX_LINES],
                         len(new_tasks), r.lang, rule_labels)  # fmt: skip
        items = conn.execute(sa.select(ITEMS.c.item_kind, ITEMS.c.item_id)
                             .where(ITEMS.c.notification_id == nid)
                             .order_by(ITEMS.c.item_kind, ITEMS.c.item_id)).all()  # fmt: skip
        key = hashlib.sha256(json.dumps([r.channel.name, r.address, [list(i) for i in items]])
                             .encode()).hexdigest()  # fmt: skip
        conn.execute(sa.update(N).where(N.c.id == nid).values(
            subject=message.title, body=_body(message), dedup_key=f"digest|{key}"))  # fmt: skip
        queued.append(nid)
    return queued


def queue_probe(conn: sa.Connection, settings: NotifySettings, channel: str, *, at: dt.datetime,
                default_lang: Lang) -> list[int]:  # fmt: skip
    """Queue a test message to every recipient of ``channel``."""
    ch = settings.channel(channel)
    out = []
    for r in recipients(conn, settings, default_lang):
        if r.channel.name != ch.name:
            continue
        message = probe_message(ch.name, r.lang)
        nid = _insert(conn, r, "test", None, at, f"test|{secrets.token_hex(12)}")
        conn.execute(sa.update(N).where(N.c.id == nid).values(subject=message.title,
                                                               body=_body(message)))  # fmt: skip
        out.append(nid)
    return out


def _insert(conn: sa.Connection, r: Recipient, kind: str, as_of: dt.date | None,
            at: dt.datetime, key: str) -> int:  # fmt: skip
    return int(conn.execute(sa.insert(N).values(
        channel=r.channel.name, kind=kind, recipient=r.address, lang=r.lang, dedup_key=key,
        as_of=as_of, created_at=at, attempts=0, status="pending").returning(N.c.id)).scalar_one())  # fmt: skip


def _body(message: Message) -> str:
    return json.dumps({"title": message.title, "sections": message.sections,
                       "lang": message.lang}, ensure_ascii=False)  # fmt: skip


def _alert(r: Any) -> AlertItem:
    return AlertItem(int(r["id"]), r["customer_id"], r["customer_name"], r["rule"],
                     r["severity"], r["suggested_playbook"])  # fmt: skip


def deliver(
    store: Store, settings: NotifySettings, *, now: Callable[[], dt.datetime],
    sleep: Callable[[float], None], ids: Sequence[int] | None = None,
) -> list[Sent]:  # fmt: skip
    """Send the pending and failed messages (only ``ids`` if given): up to ``retries``
    attempts each, waiting ``backoff_seconds`` × 2^n between them; every attempt is recorded."""
    query = sa.select(N).where(N.c.status.in_(("pending", "failed"))).order_by(N.c.id)
    if ids is not None:
        query = query.where(N.c.id.in_(list(ids)))
    with store.begin() as conn:
        rows = conn.execute(query).mappings().all()
    return [_deliver_one(store, settings, dict(row), now, sleep) for row in rows]


def _deliver_one(store: Store, settings: NotifySettings, row: dict[str, Any],
                 now: Callable[[], dt.datetime], sleep: Callable[[float], None]) -> Sent:  # fmt: skip
    body = json.loads(row["body"] or "{}")
    message = Message(body.get("title", ""), [(h, list(ls)) for h, ls in body.get("sections", [])],
                      body.get("lang", row["lang"]))  # fmt: skip
    attempts, status, error = int(row["attempts"]), "failed", None
    for attempt in range(settings.retries):
        try:
            _send(settings, row, message, now())
            status, error = "sent", None
        except (DeliveryError, KeepwiseError) as exc:
            error = exc.message("en") if isinstance(exc, KeepwiseError) else str(exc)
        attempts += 1
        with store.begin() as conn:
            conn.execute(sa.update(N).where(N.c.id == row["id"]).values(
                attempts=attempts, status=status, error=error,
                sent_at=now() if status == "sent" else None))  # fmt: skip
        if status == "sent":
            break
        if attempt + 1 < settings.retries:
            sleep(settings.backoff_seconds * 2**attempt)
    return Sent(int(row["id"]), row["channel"], row["recipient"], row["kind"], status, attempts,
                error)  # fmt: skip


def _send(settings: NotifySettings, row: dict[str, Any], message: Message, at: dt.datetime) -> None:
    channel = settings.channel(row["channel"])
    if channel.type == "email":
        to = [a.strip() for a in str(row["recipient"]).split(",") if a.strip()]
        send_email(settings.smtp, to, message, timeout=settings.timeout_seconds, at=at)
    else:
        stamp = int(at.replace(tzinfo=dt.UTC).timestamp() * 1000)
        send_robot(channel, message, timestamp_ms=stamp, timeout=settings.timeout_seconds)


def log(conn: sa.Connection, *, limit: int = 50, status: str | None = None) -> list[dict[str, Any]]:
    """The latest messages, newest first."""
    query = sa.select(N.c.id, N.c.channel, N.c.kind, N.c.recipient, N.c.lang, N.c.subject,
                      N.c.as_of, N.c.created_at, N.c.sent_at, N.c.attempts, N.c.status,
                      N.c.error).order_by(N.c.id.desc()).limit(limit)  # fmt: skip
    if status:
        query = query.where(N.c.status == status)
    return [dict(r) for r in conn.execute(query).mappings()]
