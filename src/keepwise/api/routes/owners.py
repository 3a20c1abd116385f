"""Account owners and the customer pool (公海; docs/lifecycle.md): an owner's departure with
the hand-over of their customers (managers and admins), the pool's customers, a rep's claim
(at most ``[lifecycle] pool_claim_limit`` held), the return of neglected customers to the pool
and what became of them. Each change is audited with the user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.api.common import as_of_day
from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import AsOfQuery, Day, Id

router = APIRouter(tags=["owners"], dependencies=[Depends(current_session)])

register(
    {
        "api.claim_for_whom": {
            "zh": "请用 owner_id 指明由哪位负责人认领",
            "en": "Name the owner who claims the customer (owner_id)",
        },
    }
)


class Leave(BaseModel):
    as_of: Day | None = Field(None, description="The day the owner leaves (default: the day "
                              "after the data ends)")  # fmt: skip
    to: Id | None = Field(None, description="Hand every customer to this owner (default: "
                          "round robin within region and segment)")  # fmt: skip


class Claim(BaseModel):
    customer_id: Id
    owner_id: Id | None = Field(None, description="The owner who claims (a rep: themselves, "
                                "the default)")  # fmt: skip


class PoolRefresh(BaseModel):
    as_of: Day | None = None


@router.post("/owners/{owner_id}/leave")
def leave(ws: ViewerWs, auth: CurrentSession, owner_id: Id, body: Leave) -> dict[str, Any]:
    """The owner leaves: their customers are handed on, each change recorded, and the
    owner_left alert opened for those kept (managers and admins)."""
    done = ws.owners.leave(owner_id, as_of=as_of_day(ws, body.as_of, writing=True),
                           actor=auth.viewer.username, to=body.to)  # fmt: skip
    return done.to_dict()


@router.get("/pool")
def pool(ws: ViewerWs) -> list[dict[str, Any]]:
    """The customers in the pool, longest there first (anyone may see them: reps claim)."""
    return [m.to_dict() for m in ws.owners.pool()]


@router.post("/pool/claim")
def claim(ws: ViewerWs, auth: CurrentSession, body: Claim) -> dict[str, Any]:
    """Take a customer from the pool: a rep for themselves, at most ``pool_claim_limit``
    claimed customers held at a time; a manager names the owner."""
    owner = body.owner_id or auth.viewer.owner_id
    if owner is None:
        raise InputError("api.claim_for_whom")
    return ws.owners.claim(body.customer_id, owner_id=owner,
                           actor=auth.viewer.username).to_dict()  # fmt: skip


@router.post("/pool/refresh")
def pool_refresh(ws: ViewerWs, auth: CurrentSession, body: PoolRefresh) -> dict[str, Any]:
    """Return the kept customers their owner has not followed up for ``pool_after_days`` to
    the pool (managers and admins)."""
    day = as_of_day(ws, body.as_of, writing=True)
    changes = ws.owners.pool_refresh(as_of=day, actor=auth.viewer.username)
    return {"as_of": day, "returned": [c.to_dict() for c in changes]}


@router.get("/pool/report")
def pool_report(ws: ViewerWs, as_of: AsOfQuery = None) -> dict[str, Any]:
    """Of the returns to the pool: how many ordered again, were won back or were lost since
    (managers and admins)."""
    day = as_of_day(ws, as_of)
    return {"as_of": day, "groups": [o.to_dict() for o in ws.owners.pool_report(as_of=day)]}
