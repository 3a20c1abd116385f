"""``ws.settings``: what the workspace is set to — the churn definition, the early-warning
rules, the reason taxonomy, the value, risk and server thresholds — and the audit log.

Everyone may read them. The reason taxonomy (the workspace's own reasons) is changed here by an
admin; the churn definition and thresholds live in ``keepwise.toml`` and the rules in
``rules.yaml``, edited as files (every stored result depends on them; a running server reads
them when it starts)."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from keepwise._core import clock
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.store import audit, schema
from keepwise.workspace.core import Service

register(
    {
        "settings.builtin_reason": {
            "zh": "{code} 是内置原因，不能修改",
            "en": "{code} is a built-in reason and cannot be changed",
        },
        "settings.bad_code": {
            "zh": "原因编码 {code} 无效：1-40 个小写字母、数字或下划线",
            "en": "Invalid reason code {code}: 1-40 lower-case letters, digits or underscores",
        },
        "settings.empty_label": {
            "zh": "原因需要中文和英文名称",
            "en": "A reason needs a Chinese and an English label",
        },
    }
)

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SettingsService(Service):
    def churn(self) -> dict[str, Any]:
        """The churn definition (``[churn]``): the default rule and the per-segment ones."""
        config = self.ws.config.churn
        return {"default": asdict(config.default),
                "segments": {k: asdict(v) for k, v in config.segments.items()}}  # fmt: skip

    def rules(self) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.ws.alerts.rules()]

    def reasons(self) -> list[dict[str, Any]]:
        r = schema.reasons
        with self.store.begin() as conn:
            rows = conn.execute(sa.select(r).order_by(~r.c.builtin, r.c.code)).mappings()
            return [dict(row) for row in rows]

    def set_reason(
        self, code: str, *, label_zh: str, label_en: str, avoidable: bool, actor: str
    ) -> dict[str, Any]:
        """Add or change one of the workspace's own reasons (admin; built-in ones are fixed)."""
        self.viewer.require("admin")
        if not _CODE.match(code):
            raise InputError("settings.bad_code", code=code)
        if not label_zh.strip() or not label_en.strip():
            raise InputError("settings.empty_label")
        r = schema.reasons
        values = {"code": code, "label_zh": label_zh.strip(), "label_en": label_en.strip(),
                  "avoidable": avoidable, "builtin": False}  # fmt: skip
        with self.store.begin() as conn:
            builtin = conn.execute(sa.select(r.c.builtin).where(r.c.code == code)).scalar()
            if builtin:
                raise InputError("settings.builtin_reason", code=code)
            stmt = insert(r).values(values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["code"],
                set_={c: stmt.excluded[c] for c in ("label_zh", "label_en", "avoidable")},
            )
            conn.execute(stmt)
            audit.write(conn, action="reasons.set", actor=actor, at=clock.now(), entity="reason",
                        entity_id=code, detail=values)  # fmt: skip
        return values

    def thresholds(self) -> dict[str, Any]:
        """The ``[value]``, ``[risk]`` and ``[server]`` settings with their defaults filled
        in where the services define them."""
        from keepwise.workspace.users import SERVER_DEFAULTS

        value = asdict(self.ws.value.settings())
        server = {k: self.option("server", k, v) for k, v in SERVER_DEFAULTS.items()}
        return {"value": value, "risk": self.ws.config.section("risk"), "server": server}

    def audit_log(
        self, *, entity: str | None = None, entity_id: str | None = None,
        actor: str | None = None, limit: int = 100, offset: int = 0,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Who changed what, newest first (admin)."""
        self.viewer.require("admin")
        with self.store.begin() as conn:
            return audit.entries(conn, entity=entity, entity_id=entity_id, actor=actor,
                                 limit=limit, offset=offset)  # fmt: skip
