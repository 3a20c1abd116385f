"""The customer pool (公海): a kept customer whom their owner has not followed up for
``[lifecycle] pool_after_days`` days returns to a shared pool when the pool is refreshed; a
rep claims customers from it, holding at most ``pool_claim_limit`` claimed ones at a time.

"Not followed up": no interaction recorded by the owner (or with no owner named) on the last
``pool_after_days`` days before ``as_of``, counting from the later of the owner's last
follow-up, the day the owner took the customer and the customer's acquisition. Only customers
kept under the churn definition at ``as_of`` go to the pool; churned and voided ones keep their
owner (their archive needs one). A customer is in the pool while it has no owner and its last
owner change is a return to the pool (keepwise.lifecycle.owners).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
import sqlalchemy as sa

from keepwise._core.config import ChurnConfig
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.churn import LOST, Tables, customer_base, day, live_orders, statuses, timeline
from keepwise.lifecycle.owners import OwnerChange, change_owner, change_owners, in_pool
from keepwise.lifecycle.records import active_owner, customer
from keepwise.store import schema

register(
    {
        "lifecycle.pool_off": {
            "zh": "公海未启用：请在 keepwise.toml 的 [lifecycle] 中设置 pool_after_days",
            "en": "The customer pool is off: set pool_after_days in [lifecycle] of keepwise.toml",
        },
        "lifecycle.not_in_pool": {
            "zh": "客户 {customer_id} 不在公海中",
            "en": "Customer {customer_id} is not in the customer pool",
        },
        "lifecycle.claim_limit": {
            "zh": "{owner_id} 已持有 {held} 个从公海认领的客户，达到上限 {limit}",
            "en": "{owner_id} already holds {held} customers claimed from the pool, the limit "
            "is {limit}",
        },
    }
)


@dataclass(frozen=True)
class PoolMember:
    customer_id: str
    name: str | None
    segment: str | None
    region: str | None
    from_owner: str | None
    pooled_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["pooled_at"] = self.pooled_at.isoformat()
        return out


def due(con: Any, churn: ChurnConfig, as_of: dt.date, days: int) -> list[dict[str, Any]]:
    """Kept customers with an owner not followed up for more than ``days`` days before
    ``as_of``: customer_id, owner_id, since (the day the count starts from)."""
    t = Tables.from_backend(con)
    t0 = dt.datetime.combine(as_of, dt.time())
    s = statuses(t, churn, as_of)
    s = s.filter(s.kept, s.owner_id.notnull()).select("customer_id", "owner_id", "acq")
    i = t.interactions.filter(t.interactions.occurred_at < t0)
    f = i.select(fcid="customer_id", fowner="owner_id", fday=i.occurred_at.date())
    fu = s.inner_join(f, s.customer_id == f.fcid)
    fu = fu.filter((fu.fowner == fu.owner_id) | fu.fowner.isnull())
    fu = fu.group_by(lcid=fu.customer_id).aggregate(last_followup=fu.fday.max())
    oc = con.table("owner_changes")
    oc = oc.filter(oc.occurred_at < t0, oc.to_owner.notnull())
    took = oc.group_by(tcid=oc.customer_id, towner=oc.to_owner).aggregate(
        took=oc.occurred_at.max().date()
    )
    j = s.left_join(fu, s.customer_id == fu.lcid).drop("lcid")
    j = j.left_join(took, (j.customer_id == took.tcid) & (j.owner_id == took.towner))
    since = ibis.greatest(j.acq, j.last_followup.fill_null(j.acq), j.took.fill_null(j.acq))
    j = j.select("customer_id", "owner_id", since=since)
    j = j.filter(j.since < day(as_of - dt.timedelta(days=days))).order_by("customer_id")
    return list(j.to_pyarrow().to_pylist())


def return_to_pool(
    conn: sa.Connection, rows: list[dict[str, Any]], *, at: dt.datetime, actor: str, days: int
) -> list[OwnerChange]:
    """Return the customers of :func:`due` to the pool (those whose owner is still the one
    judged: a reassignment in between wins)."""
    c = schema.customers
    ids = [r["customer_id"] for r in rows]
    found = conn.execute(
        sa.select(c.c.customer_id, c.c.owner_id).where(c.c.customer_id.in_(ids))
    ).all() if ids else []  # fmt: skip
    now_owned = {cid: owner for cid, owner in found}
    still = [r for r in rows if now_owned.get(r["customer_id"]) == r["owner_id"]]
    moves = [(r["customer_id"], r["owner_id"], None) for r in still]
    details = [{"pool_after_days": days, "followed_up_since": r["since"]} for r in still]
    return change_owners(conn, moves, at=at, kind="pool", actor=actor, details=details)


def members(conn: sa.Connection) -> list[PoolMember]:
    """The customers in the pool, longest there first."""
    c, oc = schema.customers, schema.owner_changes
    ranked = sa.select(
        oc.c.customer_id, oc.c.kind, oc.c.from_owner, oc.c.occurred_at,
        sa.func.row_number().over(partition_by=oc.c.customer_id,
                                  order_by=(oc.c.occurred_at.desc(), oc.c.id.desc())).label("n"),
    ).subquery()  # fmt: skip
    rows = conn.execute(
        sa.select(c.c.customer_id, c.c.name, c.c.segment, c.c.region, ranked.c.from_owner,
                  ranked.c.occurred_at)
        .join(ranked, ranked.c.customer_id == c.c.customer_id)
        .where(c.c.owner_id.is_(None), ranked.c.n == 1, ranked.c.kind == "pool")
        .order_by(ranked.c.occurred_at, c.c.customer_id)
    ).all()  # fmt: skip
    return [PoolMember(*r) for r in rows]


def claimed_held(conn: sa.Connection, owner_id: str) -> int:
    """How many customers ``owner_id`` holds that they claimed from the pool (their last owner
    change is that claim)."""
    c, oc = schema.customers, schema.owner_changes
    last_kind = (
        sa.select(oc.c.kind).where(oc.c.customer_id == c.c.customer_id)
        .order_by(oc.c.occurred_at.desc(), oc.c.id.desc()).limit(1).scalar_subquery()
    )  # fmt: skip
    return int(conn.execute(
        sa.select(sa.func.count()).where(c.c.owner_id == owner_id, last_kind == "claim")
    ).scalar_one())  # fmt: skip


def claim(
    conn: sa.Connection, customer_id: str, owner_id: str, *, at: dt.datetime, actor: str,
    limit: int,
) -> OwnerChange:  # fmt: skip
    """``owner_id`` takes a customer from the pool, within their claim limit."""
    customer(conn, customer_id)
    active_owner(conn, owner_id)
    if not in_pool(conn, customer_id):
        raise InputError("lifecycle.not_in_pool", customer_id=customer_id)
    held = claimed_held(conn, owner_id)
    if held >= limit:
        raise InputError("lifecycle.claim_limit", owner_id=owner_id, held=held, limit=limit)
    return change_owner(conn, customer_id, None, owner_id, at=at, kind="claim", actor=actor)


@dataclass(frozen=True)
class PoolOutcome:
    """Of the returns to the pool in a group, how many were followed by each outcome."""

    group: str  # all / claimed / unclaimed
    returns: int
    ordered_again: int
    won_back: int
    lost: int

    def share(self, count: int) -> float | None:
        return count / self.returns if self.returns else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dataclasses.asdict(self)
        for key in ("ordered_again", "won_back", "lost"):
            out[f"{key}_share"] = self.share(out[key])
        return out


def report(con: Any, churn: ChurnConfig, as_of: dt.date) -> list[PoolOutcome]:
    """What followed each return to the pool before ``as_of``: an order since (ordering
    again), a win-back since (a return from churned or voided, under the churn definition) or a
    loss since; for all returns, those claimed later and those not."""
    t = Tables.from_backend(con)
    t0 = dt.datetime.combine(as_of, dt.time())
    oc = con.table("owner_changes")
    oc = oc.filter(oc.occurred_at < t0)
    entries = oc.filter(oc.kind == "pool").select(
        eid="id", cid="customer_id", e_at="occurred_at", e_day=oc.occurred_at.date()
    )
    claims = oc.filter(oc.kind == "claim").select(ccid="customer_id", c_at="occurred_at")
    claimed = entries.inner_join(
        claims, [entries.cid == claims.ccid, claims.c_at >= entries.e_at]
    ).select("eid")
    o = live_orders(t, as_of).select(ocid="customer_id", o_at="ordered_at")
    ordered = entries.inner_join(o, [entries.cid == o.ocid, o.o_at >= entries.e_at]).select("eid")
    base = customer_base(t, as_of)
    events = timeline(t, base.filter(base.customer_id.isin(entries.cid)), churn, as_of)
    back = events.filter(events.from_status.isin(LOST) & ~events.to_status.isin(LOST))
    lost = events.filter(events.loss == 1)

    def after(ev: Any) -> Any:
        ev = ev.select(vcid="customer_id", v_on="on")
        return entries.inner_join(ev, [entries.cid == ev.vcid, ev.v_on >= entries.e_day]).select(
            "eid"
        )

    flags = entries.select(
        "eid", claimed=entries.eid.isin(claimed.eid), ordered=entries.eid.isin(ordered.eid),
        won=entries.eid.isin(after(back).eid), lost=entries.eid.isin(after(lost).eid),
    ).to_pyarrow().to_pylist()  # fmt: skip
    groups = {"all": flags, "claimed": [f for f in flags if f["claimed"]],
              "unclaimed": [f for f in flags if not f["claimed"]]}  # fmt: skip
    return [PoolOutcome(name, len(rows), sum(r["ordered"] for r in rows),
                        sum(r["won"] for r in rows), sum(r["lost"] for r in rows))
            for name, rows in groups.items()]  # fmt: skip
