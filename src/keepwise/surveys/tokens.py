"""Survey link tokens: ``TOKEN_ID.EXPIRES.SIGNATURE``, the signature an HMAC-SHA256 of the id
and expiry (Unix seconds) under the workspace's survey key. A token is checked before the
database is read: a forged or altered link never reaches it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets


def new_token_id() -> str:
    return secrets.token_urlsafe(16)


def _epoch(at: dt.datetime) -> int:
    return int(at.replace(tzinfo=dt.UTC).timestamp())


def sign(key: str, token_id: str, expires_at: dt.datetime) -> str:
    payload = f"{token_id}.{_epoch(expires_at)}"
    mac = hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def verify(key: str, token: str) -> tuple[str, dt.datetime] | None:
    """``(token_id, expires_at)`` of a token signed with ``key``; None when forged or
    malformed."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[0]) > 64:
        return None
    token_id, expires = parts[0], int(parts[1])
    if expires > 10**11:
        return None
    expires_at = dt.datetime.fromtimestamp(expires, dt.UTC).replace(tzinfo=None)
    if not hmac.compare_digest(sign(key, token_id, expires_at), token):
        return None
    return token_id, expires_at
