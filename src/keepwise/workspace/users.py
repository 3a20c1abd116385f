"""``ws.users``: the people who log in — users and roles, passwords (argon2), API tokens, web
sessions and login rate limiting (docs/api.md, "Authentication"). Managing users needs the
admin role; every change is written to the audit log with who made it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from keepwise._core import clock
from keepwise._core.errors import InputError, NotFoundError, TooManyAttempts, Unauthenticated
from keepwise._core.i18n import normalise, register
from keepwise.store import audit, schema
from keepwise.workspace.core import Service
from keepwise.workspace.viewer import ROLES, Viewer

if TYPE_CHECKING:
    from argon2 import PasswordHasher

#: The settings of ``[server]`` with their defaults (checked when a workspace opens).
SERVER_DEFAULTS: dict[str, Any] = {"session_hours": 12, "login_attempts": 5,
                                   "login_window_minutes": 15, "secure_cookies": True}  # fmt: skip
SERVER_KEYS = tuple(SERVER_DEFAULTS)
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[\w.@+-]{1,64}$")
#: Tokens start with this, so that a leaked one is easy to recognise (and to grep for).
TOKEN_PREFIX = "kw_"

register(
    {
        "users.bad_role": {
            "zh": "未知角色 {role}（可用：admin、manager、rep）",
            "en": "Unknown role {role} (use admin, manager or rep)",
        },
        "users.bad_name": {
            "zh": "用户名 {name} 无效：1-64 个字母、数字或 . _ @ + -",
            "en": "Invalid user name {name}: 1-64 letters, digits or . _ @ + -",
        },
        "users.disabled": {"zh": "用户 {name} 已停用", "en": "The user {name} is disabled"},
        "users.exists": {"zh": "用户 {name} 已存在", "en": "The user {name} already exists"},
        "users.not_found": {"zh": "没有用户 {name}", "en": "There is no user {name}"},
        "users.rep_needs_owner": {
            "zh": "销售代表（rep）需要 --owner：其在导入数据中的负责人编号",
            "en": "A rep needs --owner: their owner id in the imported data",
        },
        "users.unknown_owner": {
            "zh": "导入的数据中没有负责人 {owner}（见 owners 表或客户的 owner_id）",
            "en": "There is no owner {owner} in the imported data (owners, or a customer's "
            "owner_id)",
        },
        "users.short_password": {
            "zh": "密码至少需要 {n} 个字符",
            "en": "The password needs at least {n} characters",
        },
        "users.no_token": {
            "zh": "用户 {name} 没有编号为 {token} 的有效令牌",
            "en": "The user {name} has no active token {token}",
        },
        "users.last_admin": {
            "zh": "不能停用最后一个启用的管理员",
            "en": "The last active admin cannot be disabled",
        },
        "auth.bad_login": {
            "zh": "用户名或密码错误",
            "en": "Wrong user name or password",
        },
        "auth.too_many": {
            "zh": "登录失败次数过多，请 {minutes} 分钟后再试",
            "en": "Too many failed logins; try again in {minutes} minutes",
        },
        "auth.required": {
            "zh": "请先登录（会话已过期或令牌无效）",
            "en": "Log in first (the session has expired or the token is not valid)",
        },
    }
)


def check_server_settings(raw: dict[str, Any]) -> None:
    """Positive numbers of hours, attempts and minutes; a true or false Secure flag."""
    from keepwise._core.errors import ConfigError
    from keepwise._core.i18n import Text

    for key, value in raw.items():
        expected: Text | str
        if key == "secure_cookies":
            ok = isinstance(value, bool)
            expected = "true | false"
        else:
            whole = key != "session_hours"
            ok = (isinstance(value, int) if whole else isinstance(value, int | float)) and \
                not isinstance(value, bool) and value > 0  # fmt: skip
            expected = Text("config.expect.positive_int") if whole else "> 0"
        if not ok:
            raise ConfigError("config.value", key=f"server.{key}", value=value,
                              expected=expected)  # fmt: skip


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    owner_id: str | None
    display_name: str | None
    lang: str
    active: bool
    created_at: dt.datetime | None

    def viewer(self) -> Viewer:
        return Viewer(self.username, self.role, self.owner_id, self.id, normalise(self.lang))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "role": self.role,
                "owner_id": self.owner_id, "display_name": self.display_name,
                "lang": self.lang, "active": self.active,
                "created_at": self.created_at.isoformat() if self.created_at else None}  # fmt: skip


@dataclass(frozen=True)
class Session:
    """A web session: the viewer, the CSRF token every form and state-changing call must
    carry, and when it ends."""

    viewer: Viewer
    csrf_token: str
    expires_at: dt.datetime


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters


def token_hash(token: str) -> str:
    """Tokens and session ids are long random strings: a plain SHA-256 is enough to store
    them (no guessing to slow down, unlike passwords)."""
    return hashlib.sha256(token.encode()).hexdigest()


class UsersService(Service):
    def _setting(self, name: str) -> Any:
        return self.option("server", name, SERVER_DEFAULTS[name])

    # --- users ----------------------------------------------------------------------------

    def add(
        self, username: str, *, role: str, password: str | None = None,
        owner_id: str | None = None, display_name: str | None = None, lang: str = "zh",
        actor: str,
    ) -> User:  # fmt: skip
        self.viewer.require("admin")
        if not _USERNAME.match(username):
            raise InputError("users.bad_name", name=username)
        if role not in ROLES:
            raise InputError("users.bad_role", role=role)
        if role == "rep" and not owner_id:
            raise InputError("users.rep_needs_owner")
        if owner_id:
            self._check_owner(owner_id)
        hashed = self._hash(password) if password is not None else None
        u, now = schema.users, clock.now()
        with self.store.begin() as conn:
            if conn.execute(sa.select(u.c.id).where(u.c.username == username)).first():
                raise InputError("users.exists", name=username)
            conn.execute(sa.insert(u).values(
                username=username, role=role, owner_id=owner_id, display_name=display_name,
                password_hash=hashed, lang=normalise(lang), active=True, created_at=now,
            ))  # fmt: skip
            audit.write(conn, action="users.add", actor=actor, at=now, entity="user",
                        entity_id=username, detail={"role": role, "owner_id": owner_id})  # fmt: skip
        return self.get(username)

    def get(self, username: str) -> User:
        u = schema.users
        with self.store.begin() as conn:
            row = conn.execute(sa.select(u).where(u.c.username == username)).mappings().first()
        if row is None:
            raise NotFoundError("users.not_found", name=username)
        return _user(row)

    def active(self, username: str) -> User:
        """The user, who must be active (``--as-user``): a disabled user runs nothing."""
        user = self.get(username)
        if not user.active:
            raise Unauthenticated("users.disabled", name=username)
        return user

    def find(self) -> list[User]:
        """Every user (admin only)."""
        self.viewer.require("admin")
        u = schema.users
        with self.store.begin() as conn:
            return [_user(r) for r in conn.execute(sa.select(u).order_by(u.c.id)).mappings()]

    def disable(self, username: str, *, actor: str) -> User:
        """The user can no longer log in; their sessions end and their tokens stop working."""
        self.viewer.require("admin")
        user = self.get(username)
        u = schema.users
        with self.store.begin() as conn:
            if user.role == "admin" and user.active:
                admins = conn.execute(sa.select(sa.func.count()).where(
                    u.c.role == "admin", u.c.active, u.c.id != user.id)).scalar_one()  # fmt: skip
                if not admins:
                    raise InputError("users.last_admin")
            conn.execute(sa.update(u).where(u.c.id == user.id).values(active=False))
            conn.execute(sa.delete(schema.sessions).where(schema.sessions.c.user_id == user.id))
            audit.write(conn, action="users.disable", actor=actor, at=clock.now(),
                        entity="user", entity_id=username)  # fmt: skip
        return self.get(username)

    def set_password(self, username: str, password: str, *, actor: str) -> None:
        """An admin sets anyone's password; every user may change their own."""
        if username != self.viewer.username:
            self.viewer.require("admin")
        user = self.get(username)
        u = schema.users
        with self.store.begin() as conn:
            conn.execute(sa.update(u).where(u.c.id == user.id)
                         .values(password_hash=self._hash(password)))  # fmt: skip
            conn.execute(sa.delete(schema.sessions).where(schema.sessions.c.user_id == user.id))
            audit.write(conn, action="users.password", actor=actor, at=clock.now(),
                        entity="user", entity_id=username)  # fmt: skip

    def set_lang(self, username: str, lang: str, *, actor: str) -> User:
        if username != self.viewer.username:
            self.viewer.require("admin")
        user = self.get(username)
        with self.store.begin() as conn:
            conn.execute(sa.update(schema.users).where(schema.users.c.id == user.id)
                         .values(lang=normalise(lang)))  # fmt: skip
            audit.write(conn, action="users.lang", actor=actor, at=clock.now(), entity="user",
                        entity_id=username, detail={"lang": normalise(lang)})  # fmt: skip
        return self.get(username)

    def _check_owner(self, owner_id: str) -> None:
        o, c = schema.owners, schema.customers
        with self.store.begin() as conn:
            known = conn.execute(sa.select(o.c.owner_id).where(o.c.owner_id == owner_id)).first()
            known = (
                known
                or conn.execute(
                    sa.select(c.c.customer_id).where(c.c.owner_id == owner_id).limit(1)
                ).first()
            )
        if not known:
            raise InputError("users.unknown_owner", owner=owner_id)

    @staticmethod
    def _hash(password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise InputError("users.short_password", n=MIN_PASSWORD)
        return _hasher().hash(password)

    # --- API tokens -----------------------------------------------------------------------

    def create_token(self, username: str, *, label: str | None = None, actor: str) -> str:
        """A new API token for ``username``, returned once: only its hash is stored."""
        if username != self.viewer.username:
            self.viewer.require("admin")
        user = self.get(username)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest, now = token_hash(token), clock.now()
        with self.store.begin() as conn:
            conn.execute(
                sa.insert(schema.api_tokens).values(
                    token_hash=digest, user_id=user.id, label=label, created_at=now, revoked=False
                )
            )
            audit.write(conn, action="tokens.create", actor=actor, at=now, entity="token",
                        entity_id=digest[:12], detail={"user": username, "label": label})  # fmt: skip
        return token

    def tokens(self, username: str) -> list[dict[str, Any]]:
        """A user's tokens (id = the first 12 characters of the stored hash), newest first."""
        if username != self.viewer.username:
            self.viewer.require("admin")
        user = self.get(username)
        t = schema.api_tokens
        query = sa.select(t).where(t.c.user_id == user.id).order_by(t.c.created_at.desc())
        with self.store.begin() as conn:
            rows = conn.execute(query).mappings().all()
        return [{"id": r["token_hash"][:12], "label": r["label"], "created_at": r["created_at"],
                 "last_used_at": r["last_used_at"], "revoked": r["revoked"]}
                for r in rows]  # fmt: skip

    def revoke_token(self, username: str, token_id: str | None = None, *, actor: str) -> int:
        """Revoke one token of ``username`` (by its id) or, without an id, all of them;
        returns how many."""
        if username != self.viewer.username:
            self.viewer.require("admin")
        user = self.get(username)
        t = schema.api_tokens
        where = [t.c.user_id == user.id, ~t.c.revoked]
        with self.store.begin() as conn:
            rows = [r[0] for r in conn.execute(sa.select(t.c.token_hash).where(*where))]
            hit = [h for h in rows if token_id is None or h.startswith(token_id)]
            if token_id is not None and (len(token_id) < 6 or len(hit) != 1):
                raise NotFoundError("users.no_token", name=username, token=token_id)
            if hit:
                conn.execute(sa.update(t).where(t.c.token_hash.in_(hit)).values(revoked=True))
                audit.write(conn, action="tokens.revoke", actor=actor, at=clock.now(),
                            entity="token", entity_id=",".join(h[:12] for h in hit),
                            detail={"user": username})  # fmt: skip
        return len(hit)

    def viewer_for_token(self, token: str) -> Viewer:
        """The user a bearer token belongs to (active user, token not revoked)."""
        t, u = schema.api_tokens, schema.users
        digest, now = token_hash(token), clock.now()
        query = (sa.select(u, t.c.last_used_at).join(t, t.c.user_id == u.c.id)
                 .where(t.c.token_hash == digest, ~t.c.revoked, u.c.active))  # fmt: skip
        with self.store.begin() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise Unauthenticated("auth.required")
        last = row["last_used_at"]
        if last is None or now - last > dt.timedelta(minutes=10):  # a write now and then only
            with self.store.begin() as conn:
                conn.execute(sa.update(t).where(t.c.token_hash == digest).values(last_used_at=now))
        return _user(row).viewer()

    # --- logins and sessions -----------------------------------------------------------------

    def login(self, username: str, password: str, *, ip: str) -> tuple[str, Session]:
        """Check a password and open a web session: (session token, session). Failures are
        counted per user name and address; past ``[server] login_attempts`` within
        ``login_window_minutes`` the next tries are refused until the window has passed,
        right password or not."""
        now = clock.now()
        limit = int(self._setting("login_attempts"))
        window = dt.timedelta(minutes=int(self._setting("login_window_minutes")))
        f = schema.login_failures
        key = (f.c.username == username, f.c.ip == ip)
        with self.store.begin() as conn:
            failed = conn.execute(sa.select(sa.func.count()).where(
                *key, f.c.failed_at > now - window)).scalar_one()  # fmt: skip
        if failed >= limit:
            raise TooManyAttempts("auth.too_many", minutes=int(window.total_seconds() // 60))
        user = self._check_password(username, password)
        if user is None:
            with self.store.begin() as conn:
                conn.execute(sa.insert(f).values(username=username, ip=ip, failed_at=now))
            raise Unauthenticated("auth.bad_login")
        with self.store.begin() as conn:
            conn.execute(sa.delete(f).where(*key))
            conn.execute(sa.delete(schema.sessions).where(schema.sessions.c.expires_at < now))
        return self._open_session(user, ip, now)

    def _check_password(self, username: str, password: str) -> User | None:
        from argon2.exceptions import InvalidHashError, VerificationError

        u = schema.users
        with self.store.begin() as conn:
            row = conn.execute(sa.select(u).where(u.c.username == username)).mappings().first()
        stored = row["password_hash"] if row is not None else None
        try:
            # An unknown user costs one hash too: the answer's timing does not tell who exists.
            ok: bool = _hasher().verify(stored or _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            ok = False
        if row is None or not stored or not ok or not row["active"]:
            return None
        return _user(row)

    def _open_session(self, user: User, ip: str, now: dt.datetime) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = now + dt.timedelta(hours=float(self._setting("session_hours")))
        with self.store.begin() as conn:
            conn.execute(sa.insert(schema.sessions).values(
                token_hash=token_hash(token), user_id=user.id, csrf_token=csrf,
                created_at=now, expires_at=expires, ip=ip))  # fmt: skip
        return token, Session(user.viewer(), csrf, expires)

    def session(self, token: str) -> Session:
        """The session a cookie's token opens (active user, not expired)."""
        # Read on every request, never remembered: a logout or a disabled user ends the
        # session at once in every server process (docs/api.md, "Web sessions").
        s, u = schema.sessions, schema.users
        query = (sa.select(u, s.c.csrf_token, s.c.expires_at).join(s, s.c.user_id == u.c.id)
                 .where(s.c.token_hash == token_hash(token), u.c.active,
                        s.c.expires_at > clock.now()))  # fmt: skip
        with self.store.begin() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise Unauthenticated("auth.required")
        return Session(_user(row).viewer(), row["csrf_token"], row["expires_at"])

    def logout(self, token: str) -> None:
        with self.store.begin() as conn:
            conn.execute(sa.delete(schema.sessions)
                         .where(schema.sessions.c.token_hash == token_hash(token)))  # fmt: skip


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def _user(row: Any) -> User:
    return User(id=int(row["id"]), username=row["username"], role=row["role"],
                owner_id=row["owner_id"], display_name=row["display_name"],
                lang=row["lang"], active=bool(row["active"]),
                created_at=row["created_at"])  # fmt: skip
