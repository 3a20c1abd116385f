"""``ws.surveys``: survey links for customers (``keepwise survey send``, a playbook's survey
task) and their answers from the public page (docs/reports.md, "Surveys")."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from keepwise._core import clock
from keepwise._core.errors import ConfigError
from keepwise._core.i18n import Lang, register
from keepwise.store import audit, schema
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.surveys import Answer, Link

#: The settings of ``[surveys]`` (checked when a workspace opens).
SURVEY_KEYS = ("base_url", "days", "secret_env")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
KEY_NAME = "survey_links"

register(
    {
        "survey.secret_missing": {
            "zh": "环境变量 {name} 未设置（surveys.secret_env）",
            "en": "The environment variable {name} is not set (surveys.secret_env)",
        },
    }
)


class SurveysService(Service):
    def _key(self) -> str:
        """The key links are signed with: ``[surveys] secret_env`` names an environment
        variable holding it, else Keepwise makes one and keeps it in the database."""
        import os

        env = self.option("surveys", "secret_env", None)
        if env:
            value = os.environ.get(str(env))
            if not value:
                raise ConfigError("survey.secret_missing", name=env)
            return value
        k = schema.workspace_keys
        with self.store.begin() as conn:
            found = conn.execute(sa.select(k.c.value).where(k.c.name == KEY_NAME)).scalar()
            if found is None:
                found = secrets.token_urlsafe(32)
                conn.execute(
                    sa.insert(k).values(name=KEY_NAME, value=found, created_at=clock.now())
                )
        return str(found)

    def url(self, token: str) -> str:
        base = str(self.option("surveys", "base_url", DEFAULT_BASE_URL)).rstrip("/")
        return f"{base}/s/{token}"

    def create(
        self, customer_id: str, *, lang: Lang | None = None, days: int | None = None,
        task_id: int | None = None, actor: str | None = None,
    ) -> Link:  # fmt: skip
        """A new link for ``customer_id`` (valid ``days``, default ``[surveys] days`` or 14)."""
        from keepwise import surveys

        key = self._key()
        with self.store.begin() as conn:
            return surveys.create_link(
                conn, key, customer_id, lang=lang or self.ws.config.language,
                days=int(days if days is not None else self.option("surveys", "days", 14)),
                at=clock.now(),
                task_id=task_id, created_by=actor,
            )  # fmt: skip

    def for_tasks(
        self, *, run_ids: Sequence[int] | None = None, task_ids: Sequence[int] | None = None,
        create: bool = False,
    ) -> dict[int, Link]:  # fmt: skip
        """The links of the survey tasks of playbook runs ``run_ids`` (or of ``task_ids``), by
        task id; with ``create``, an open survey task without one gets one (in the workspace's
        language, valid ``[surveys] days``). Asking again gives the same links."""
        from keepwise import surveys

        key = self._key()
        with self.store.begin() as conn:
            return surveys.task_links(
                conn, key, run_ids=run_ids, task_ids=task_ids, create=create,
                lang=self.ws.config.language, days=int(self.option("surveys", "days", 14)),
                at=clock.now(),
            )  # fmt: skip

    def state(self, token: str) -> tuple[str, Any]:
        """``open``, ``invalid``, ``expired`` or ``used``, with the link's row."""
        from keepwise import surveys

        key = self._key()
        with self.store.begin() as conn:
            return surveys.state(conn, key, token, clock.now())

    def reasons(self, lang: Lang) -> list[tuple[str, str]]:
        r = schema.reasons
        with self.store.begin() as conn:
            rows = conn.execute(sa.select(r.c.code, r.c.label_zh, r.c.label_en)
                                .where(~r.c.code.in_(("duplicate", "invalid", "no_value")))
                                .order_by(r.c.code)).all()  # fmt: skip
        return [(code, zh if lang == "zh" else en) for code, zh, en in rows]

    def answer(self, token: str, form: dict[str, Any]) -> tuple[str, list[int]]:
        """Store a submitted form: the link's state before it (``open`` when it was stored)
        and the alerts opened. A bad form raises InputError and stores nothing."""
        from keepwise import surveys

        key = self._key()
        where, row = self.state(token)
        if where != "open":
            return where, []
        with self.store.begin() as conn:
            codes = set(conn.execute(sa.select(schema.reasons.c.code)).scalars())
        parsed = surveys.parse_answer(form, codes)
        with self.store.begin() as conn:
            where, opened = surveys.record_answer(conn, key, token, parsed, now=clock.now())
            if where == "open":
                # Audited in the same transaction: the entry moves the data version, so the
                # stored results (csat, nps) are recomputed.
                audit.write(conn, action="survey.answer", actor="survey", at=clock.now(),
                            entity="survey", entity_id=f"kw-{row['token_id']}",
                            detail={"customer_id": row["customer_id"]})  # fmt: skip
        task_id = None if row is None else row["task_id"]
        if where == "open" and task_id is not None:
            self._close_task(int(task_id), parsed)
        return where, opened

    def page(self, token: str) -> tuple[str, str]:
        """The public page of a link: ``(state, html)``, the form in the link's language when
        the link is ``open``, else the page saying it is ``invalid``, ``expired`` or ``used``
        (in the workspace's language when the link is not valid)."""
        from keepwise.surveys import page

        where, row = self.state(token)
        lang = self._page_lang(row)
        if where != "open":
            return where, page.state_page(lang, where)
        return where, page.form_page(lang, self.ws.config.name, self.reasons(lang))

    def submit(self, token: str, form: dict[str, Any]) -> tuple[str, str]:
        """Store a form sent from the public page: ``(outcome, html)``, the outcome
        ``thanks`` (stored), ``invalid``, ``expired`` or ``used`` (nothing stored), or ``bad``
        (a value out of range, nothing stored: the form again with the error)."""
        from keepwise._core.errors import InputError
        from keepwise.surveys import page

        try:
            where, _ = self.answer(token, form)
        except InputError as err:
            _, row = self.state(token)
            lang = self._page_lang(row)
            return "bad", page.form_page(lang, self.ws.config.name, self.reasons(lang),
                                         error=err.message(lang))  # fmt: skip
        _, row = self.state(token)
        outcome = "thanks" if where == "open" else where
        return outcome, page.state_page(self._page_lang(row), outcome)

    def _page_lang(self, row: Any) -> Lang:
        lang = None if row is None else row["lang"]
        return "en" if lang == "en" else "zh" if lang == "zh" else self.ws.config.language

    def _close_task(self, task_id: int, answer: Answer) -> None:
        """The survey task the link was made for is done: the customer answered (feedback with
        their reason, else reached), a follow-up the KPIs count. A task done or skipped meanwhile
        stays as it is."""
        import contextlib

        from keepwise._core.errors import InputError

        outcome = "feedback" if answer.reason else "reached"
        with contextlib.suppress(InputError):  # not open any more
            self.ws.tasks.done(task_id, outcome=outcome, reason=answer.reason, actor="survey",
                               note=answer.comment)  # fmt: skip
