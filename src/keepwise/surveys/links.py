"""Survey links and answers (docs/reports.md, "Surveys"): a link is unique, expires and can be
answered once; an answer is stored as a row of ``surveys`` (so csat and nps count it), and a
detractor (would-recommend 0-6) or a "thinking of leaving" answer opens an alert for the
customer's owner."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import Lang, register
from keepwise.store import schema
from keepwise.surveys.tokens import new_token_id, sign, verify

State = Literal["open", "invalid", "expired", "used"]
L = schema.survey_links
DETRACTOR_AT_MOST = 6
RULE_LABELS = {
    "survey_detractor": {"zh": "问卷：不愿推荐（0-6 分）", "en": "Survey: detractor (0-6)"},
    "survey_leaving": {"zh": "问卷：考虑离开", "en": "Survey: thinking of leaving"},
}

register(
    {
        "survey.no_customer": {"zh": "客户 {customer_id} 不存在", "en": "No customer {customer_id}"},
        "survey.bad_days": {"zh": "有效天数必须在 1 到 365 之间", "en": "Days valid must be 1 to 365"},
        "survey.bad_csat": {"zh": "满意度须为 1 到 5 分", "en": "Satisfaction must be 1 to 5"},
        "survey.bad_recommend": {"zh": "推荐意愿须为 0 到 10 分", "en": "Would-recommend must be 0 to 10"},
        "survey.bad_reason": {"zh": "未知的原因 {reason}", "en": "Unknown reason {reason}"},
        "survey.empty": {
            "zh": "请至少给出满意度或推荐意愿的分数",
            "en": "Please give at least a satisfaction or a would-recommend score"},
    }
)  # fmt: skip


@dataclass(frozen=True)
class Link:
    token: str
    token_id: str
    customer_id: str
    lang: Lang
    expires_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token, "customer_id": self.customer_id, "lang": self.lang,
                "expires_at": self.expires_at.isoformat()}  # fmt: skip


@dataclass(frozen=True)
class Answer:
    csat: int | None
    recommend: int | None
    reason: str | None
    leaving: bool
    comment: str | None


def create_link(
    conn: sa.Connection, key: str, customer_id: str, *, lang: Lang, days: int,
    at: dt.datetime, task_id: int | None = None, created_by: str | None = None,
) -> Link:  # fmt: skip
    if not 1 <= days <= 365:
        raise InputError("survey.bad_days")
    c = schema.customers
    found = conn.execute(sa.select(c.c.customer_id).where(c.c.customer_id == customer_id)).first()
    if found is None:
        raise NotFoundError("survey.no_customer", customer_id=customer_id)
    token_id = new_token_id()
    expires = (at + dt.timedelta(days=days)).replace(microsecond=0)
    conn.execute(sa.insert(L).values(token_id=token_id, customer_id=customer_id, lang=lang,
                                     task_id=task_id, created_at=at, expires_at=expires,
                                     created_by=created_by))  # fmt: skip
    return Link(sign(key, token_id, expires), token_id, customer_id, lang, expires)


def state(conn: sa.Connection, key: str, token: str, now: dt.datetime) -> tuple[State, Any]:
    """Where a link stands: ``open`` (with its row), ``invalid`` (forged, altered or unknown),
    ``expired`` or ``used``."""
    checked = verify(key, token)
    if checked is None:
        return "invalid", None
    token_id, expires_at = checked
    row = conn.execute(sa.select(L).where(L.c.token_id == token_id)).mappings().first()
    if row is None or row["expires_at"] != expires_at:
        return "invalid", None
    if row["used_at"] is not None:
        return "used", row
    if now >= row["expires_at"]:
        return "expired", row
    return "open", row


def parse_answer(form: dict[str, Any], reasons: set[str]) -> Answer:
    """The answer of a submitted form (text values), checked."""

    def score(name: str, low: int, high: int, key: str) -> int | None:
        text = str(form.get(name) or "").strip()
        if not text:
            return None
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise InputError(key)
        return int(text)

    csat = score("csat", 1, 5, "survey.bad_csat")
    recommend = score("recommend", 0, 10, "survey.bad_recommend")
    if csat is None and recommend is None:
        raise InputError("survey.empty")
    reason = str(form.get("reason") or "").strip() or None
    if reason is not None and reason not in reasons:
        raise InputError("survey.bad_reason", reason=reason)
    # NUL is no text (PostgreSQL refuses it in a text column): dropped, not an error.
    comment = str(form.get("comment") or "").replace("\x00", "").strip()[:2000] or None
    leaving = str(form.get("leaving") or "").lower() in ("1", "yes", "true", "on")
    return Answer(csat, recommend, reason, leaving, comment)


def record_answer(
    conn: sa.Connection, key: str, token: str, answer: Answer, *, now: dt.datetime
) -> tuple[State, list[int]]:
    """Store the answer of an open link: a ``surveys`` row, the link marked used (once: a
    second submission finds it used and stores nothing), alerts for a detractor or a customer
    thinking of leaving. Returns the link's state before the answer and the alerts opened."""
    where, row = state(conn, key, token, now)
    if where != "open":
        return where, []
    # Marked used only if nobody did meanwhile (RETURNING: DuckDB reports no row count).
    used = conn.execute(sa.update(L).where((L.c.token_id == row["token_id"]) & L.c.used_at.is_(None))
                        .values(used_at=now, survey_id=f"kw-{row['token_id']}",
                                answer=json.dumps(answer.__dict__, ensure_ascii=False))
                        .returning(L.c.token_id)).all()  # fmt: skip
    if len(used) != 1:
        return "used", []
    survey_id = f"kw-{row['token_id']}"
    conn.execute(sa.insert(schema.surveys).values(
        survey_id=survey_id, customer_id=row["customer_id"], answered_at=now, csat=answer.csat,
        recommend=answer.recommend, reason=answer.reason, comment=answer.comment))  # fmt: skip
    return "open", _alerts(conn, row["customer_id"], survey_id, answer, now)


def _alerts(conn: sa.Connection, customer_id: str, survey_id: str, answer: Answer,
            now: dt.datetime) -> list[int]:  # fmt: skip
    wanted = []
    if answer.recommend is not None and answer.recommend <= DETRACTOR_AT_MOST:
        wanted.append(("survey_detractor", "medium", "care_call"))
    if answer.leaving:
        wanted.append(("survey_leaving", "high", "exec_visit"))
    a = schema.alerts
    evidence = json.dumps({"survey_id": survey_id, "csat": answer.csat,
                           "recommend": answer.recommend, "reason": answer.reason,
                           "comment": answer.comment}, ensure_ascii=False)  # fmt: skip
    opened = []
    for rule, severity, playbook in wanted:
        already = conn.execute(sa.select(a.c.id).where(
            (a.c.customer_id == customer_id) & (a.c.rule == rule)
            & a.c.status.in_(("open", "acknowledged")))).first()  # fmt: skip
        if already is not None:
            continue
        opened.append(int(conn.execute(sa.insert(a).values(
            customer_id=customer_id, rule=rule, severity=severity, evidence=evidence,
            suggested_playbook=playbook, status="open", as_of=now.date(), opened_at=now,
        ).returning(a.c.id)).scalar_one()))  # fmt: skip
    return opened
