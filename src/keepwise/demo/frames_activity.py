"""Import-contract DataFrames of activity: orders, usage, tickets, surveys, follow-ups and
status events. Records fall inside the customer's active spans only (none after a churn or void,
again after a win-back or revert), except the follow-ups that belong to the churn itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from keepwise.demo import names, texts, vocab
from keepwise.demo.engagement import SURVEY_REASONS, Surveys, Usage
from keepwise.demo.events import categorical, fade, stream
from keepwise.demo.followups import (
    CARE,
    COMPLAINT,
    EXIT,
    RETENTION,
    ROUTINE,
    WINBACK,
    Contacts,
    actor_at,
)
from keepwise.demo.frames import Ids, dates, frame, moments, serial, text
from keepwise.demo.lifecycle import Lifecycle
from keepwise.demo.orders import Orders
from keepwise.demo.population import Customers, Owners
from keepwise.demo.service import Tickets
from keepwise.demo.statuses import (
    ACTIVE,
    AT_RISK,
    CHURNED,
    FLAG_KINDS,
    VOIDED,
    WON_BACK,
    StatusEvents,
)
from keepwise.demo.timeline import Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


def active(life: Lifecycle, who: I64, time: F64) -> B:
    return (time < life.end[who]) | (time >= life.restart[who])


def orders_frame(orders: Orders, ids: Ids, timeline: Timeline) -> pd.DataFrame:
    return frame(
        "orders",
        {
            "order_id": text(serial("O", orders.time.size)),
            "customer_id": text(ids.customer(orders.customer)),
            "ordered_at": moments(timeline, orders.time),
            "amount": pd.Series(orders.amount, copy=False),
            "cost": pd.Series(orders.cost, copy=False),
            "product": text(names.pick(vocab.PRODUCTS, orders.product)),
            "cancelled": pd.Series(orders.cancelled, copy=False),
        },
    )


def usage_frame(usage: Usage, ids: Ids, timeline: Timeline) -> pd.DataFrame:
    return frame(
        "usage",
        {
            "customer_id": text(ids.customer(usage.customer)),
            "day": dates(timeline, usage.week),
            "visits": pd.Series(usage.visits, copy=False),
            "minutes": pd.Series(usage.minutes, copy=False),
            "feature": text(names.pick(vocab.FEATURES, usage.feature)),
        },
    )


def tickets_frame(tickets: Tickets, life: Lifecycle, ids: Ids, timeline: Timeline) -> pd.DataFrame:
    keep = active(life, tickets.customer, tickets.opened)
    order = np.flatnonzero(keep)[np.argsort(tickets.opened[keep], kind="stable")]
    return frame(
        "tickets",
        {
            "ticket_id": text(serial("T", order.size)),
            "customer_id": text(ids.customer(tickets.customer[order])),
            "opened_at": moments(timeline, tickets.opened[order]),
            "first_response_at": moments(timeline, tickets.first_response()[order]),
            "resolved_at": moments(timeline, tickets.resolved()[order]),
            "category": text(names.pick(vocab.TICKET_CATEGORIES, tickets.category[order])),
            "is_complaint": pd.Series(tickets.complaint[order], copy=False),
        },
    )


def surveys_frame(surveys: Surveys, ids: Ids, timeline: Timeline, seed: int) -> pd.DataFrame:
    rng = stream(seed, "frame-surveys")
    order = np.argsort(surveys.time, kind="stable")
    reason = surveys.reason[order]
    praise = SURVEY_REASONS.index("praise")
    said = (reason >= 0) & ((reason == praise) | (rng.random(order.size) < 0.5))
    comment = names.pick(
        [texts.SURVEY_COMMENTS[r] for r in SURVEY_REASONS], np.where(said, reason, -1)
    )
    return frame(
        "surveys",
        {
            "survey_id": text(serial("S", order.size)),
            "customer_id": text(ids.customer(surveys.customer[order])),
            "answered_at": moments(timeline, surveys.time[order]),
            "csat": pd.Series(surveys.csat[order], copy=False),
            "recommend": pd.Series(surveys.recommend[order], copy=False),
            "reason": text(names.pick(SURVEY_REASONS, np.where(reason == praise, -1, reason))),
            "comment": text(comment),
        },
    )


def interactions_frame(
    customers: Customers,
    owners: Owners,
    life: Lifecycle,
    contacts: tuple[Contacts, Contacts],
    ids: Ids,
    timeline: Timeline,
    seed: int,
) -> pd.DataFrame:
    rng = stream(seed, "frame-interactions")
    ongoing, about_leaving = contacts
    ongoing = ongoing.take(active(life, ongoing.customer, ongoing.time))
    who = np.concatenate([ongoing.customer, about_leaving.customer])
    time = np.concatenate([ongoing.time, about_leaving.time])
    kind = np.concatenate([ongoing.kind, about_leaving.kind])
    order = np.argsort(time, kind="stable")
    who, time, kind = who[order], time[order], kind[order]
    outcome = _outcomes(rng, life, who, time, kind)
    channel = categorical(rng, vocab.CONTACT_BY_SEGMENT, rows=customers.segment[who])
    channel = np.where(kind == CARE, np.where(rng.random(who.size) < 0.7, 2, channel), channel)
    note_keys = list(texts.FOLLOWUP_NOTES)
    note_index = {key: i for i, key in enumerate(note_keys)}
    lookup = np.full((len(vocab.FOLLOWUP_TYPES), len(vocab.OUTCOMES)), -1)
    for (t, o), i in note_index.items():
        lookup[vocab.FOLLOWUP_TYPES.index(t), vocab.OUTCOMES.index(o)] = i
    return frame(
        "interactions",
        {
            "interaction_id": text(serial("I", who.size)),
            "customer_id": text(ids.customer(who)),
            "owner_id": text(ids.owner(actor_at(customers, owners, who, time))),
            "occurred_at": moments(timeline, time),
            "channel": text(names.pick(vocab.CONTACT_CHANNELS, channel)),
            "type": text(names.pick(vocab.FOLLOWUP_TYPES, kind)),
            "outcome": text(names.pick(vocab.OUTCOMES, outcome)),
            "note": text(names.pick(list(texts.FOLLOWUP_NOTES.values()), lookup[kind, outcome])),
        },
    )


def _outcomes(rng: np.random.Generator, life: Lifecycle, who: I64, time: F64, kind: I64) -> I64:
    """Conversations turn sour as a churn approaches; win-back offers succeed when it came back."""
    o = {name: i for i, name in enumerate(vocab.OUTCOMES)}
    u = rng.random(who.size)
    closeness = 1.0 - fade(time, life.churn[who], 1.0, 90.0)
    sour = 0.05 + 0.4 * closeness
    routine = np.select(
        [u < sour, u < sour + 0.15, u < sour + 0.45],
        [o["negative"], o["no_answer"], o["neutral"]],
        o["positive"],
    )
    unhappy = 0.2 + 0.6 * closeness
    complaint = np.select(
        [u < unhappy, u < unhappy + 0.15], [o["negative"], o["neutral"]], o["issue_resolved"]
    )
    leaving = np.isfinite(life.churn[who])
    retention = np.where(u < 0.75, np.where(leaving, o["negative"], o["positive"]), o["no_answer"])
    exit_call = np.where(u < 0.65, o["reason_confirmed"], o["no_answer"])
    accepted = np.isfinite(life.back[who]) & (time < life.back[who]) & leaving
    winback = np.where(accepted, o["offer_accepted"], o["offer_declined"])
    return np.select(
        [
            kind == ROUTINE,
            kind == CARE,
            kind == COMPLAINT,
            kind == RETENTION,
            kind == EXIT,
            kind == WINBACK,
        ],
        [routine, routine, complaint, retention, exit_call, winback],
    )


def status_frame(events: StatusEvents, ids: Ids, timeline: Timeline, seed: int) -> pd.DataFrame:
    rng = stream(seed, "frame-status")
    status, reason = events.status, events.reason
    notes, index = _note_table()
    variant = rng.integers(0, 2, status.size)
    reason_note = index["reason"] + np.maximum(reason, 0) * 2 + variant
    note = np.select(
        [
            (status == CHURNED) | (status == VOIDED),
            status == AT_RISK,
            (status == ACTIVE) & _after_void(events),
            status == ACTIVE,
            status == WON_BACK,
        ],
        [
            reason_note,
            index["flag"] + np.maximum(events.flag, 0),
            index["reverted"],
            index["recovered"],
            index["won_back"] + variant,
        ],
    )
    actor = pc.if_else(
        pa.array(events.actor < 0),
        pa.scalar("system", pa.large_string()),
        ids.owner(np.maximum(events.actor, 0)),
    )
    return frame(
        "status-events",
        {
            "customer_id": text(ids.customer(events.customer)),
            "occurred_at": moments(timeline, events.time),
            "to_status": text(names.pick(vocab.STATUSES, status)),
            "reason": text(names.pick(vocab.REASONS, reason)),
            "actor": text(actor),
            "note": text(names.pick(notes, note)),
            "destination": text(names.pick(vocab.COMPETITORS, events.destination)),
        },
    )


def _after_void(events: StatusEvents) -> B:
    """Rows that directly follow a void of the same customer (i.e. reverts)."""
    out = np.zeros(events.status.size, dtype=bool)
    out[1:] = (events.customer[1:] == events.customer[:-1]) & (events.status[:-1] == VOIDED)
    return out


def _note_table() -> tuple[list[str], dict[str, int]]:
    notes: list[str] = []
    index: dict[str, int] = {}
    index["reason"] = len(notes)
    for code in vocab.REASONS:
        notes.extend(texts.REASON_NOTES[code][:2])
    index["flag"] = len(notes)
    notes.extend(texts.AT_RISK_NOTES[k] for k in FLAG_KINDS)
    index["reverted"] = len(notes)
    notes.append(texts.REVERTED_NOTE)
    index["recovered"] = len(notes)
    notes.append(texts.RECOVERED_NOTE)
    index["won_back"] = len(notes)
    notes.extend(texts.WON_BACK_NOTES)
    return notes, index
