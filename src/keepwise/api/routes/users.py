"""Users (admins): list, add, disable, set a password, create and revoke API tokens."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Field

from keepwise.api.deps import CurrentSession, ViewerWs, current_session
from keepwise.api.params import Id, Text

router = APIRouter(prefix="/users", tags=["users"], dependencies=[Depends(current_session)])

Username = Annotated[str, Path(min_length=1, max_length=64)]


class NewUser(BaseModel):
    username: Annotated[Text, Field(min_length=1, max_length=64)]
    role: Literal["admin", "manager", "rep"]
    password: Text
    owner_id: Id | None = None
    display_name: Text | None = None
    lang: Literal["zh", "en"] = "zh"


class Password(BaseModel):
    password: Text


class NewToken(BaseModel):
    label: Text | None = None


@router.get("")
def users(ws: ViewerWs) -> list[dict[str, Any]]:
    return [u.to_dict() for u in ws.users.find()]


@router.post("", status_code=201)
def add(ws: ViewerWs, auth: CurrentSession, body: NewUser) -> dict[str, Any]:
    """Add a user; a rep needs ``owner_id`` (their owner id in the imported data)."""
    user = ws.users.add(body.username, role=body.role, password=body.password,
                        owner_id=body.owner_id, display_name=body.display_name, lang=body.lang,
                        actor=auth.viewer.username)  # fmt: skip
    return user.to_dict()


@router.post("/{username}/disable")
def disable(ws: ViewerWs, auth: CurrentSession, username: Username) -> dict[str, Any]:
    """The user can no longer log in; their sessions end, their tokens stop working."""
    return ws.users.disable(username, actor=auth.viewer.username).to_dict()


@router.put("/{username}/password", status_code=204)
def password(ws: ViewerWs, auth: CurrentSession, username: Username, body: Password) -> Response:
    ws.users.set_password(username, body.password, actor=auth.viewer.username)
    return Response(status_code=204)


@router.get("/{username}/tokens")
def tokens(ws: ViewerWs, username: Username) -> list[dict[str, Any]]:
    ws.viewer.require("admin")
    return ws.users.tokens(username)


@router.post("/{username}/tokens", status_code=201)
def new_token(
    ws: ViewerWs, auth: CurrentSession, username: Username, body: NewToken
) -> dict[str, Any]:
    """A new API token for the user, shown this once."""
    ws.viewer.require("admin")
    return {"token": ws.users.create_token(username, label=body.label, actor=auth.viewer.username)}


@router.delete("/{username}/tokens/{token_id}", status_code=204)
def revoke(ws: ViewerWs, auth: CurrentSession, username: Username, token_id: Id) -> Response:
    ws.viewer.require("admin")
    ws.users.revoke_token(username, token_id, actor=auth.viewer.username)
    return Response(status_code=204)
