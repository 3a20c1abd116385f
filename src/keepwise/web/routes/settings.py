"""Settings: the churn definition, the alert rules, the reason taxonomy, the thresholds (twin:
``GET /api/settings``) and, for admins, the users (``GET /api/users``): add one, disable one,
and the workspace's own reasons."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path

from keepwise._core.i18n import register
from keepwise.api.params import Id, Text
from keepwise.api.routes import settings as api
from keepwise.api.routes import users as api_users
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

register(
    {
        "web.settings.title": {"zh": "设置", "en": "Settings"},
        "web.settings.churn": {"zh": "流失定义", "en": "Churn definition"},
        "web.settings.churn_hint": {
            "zh": "在工作区的 keepwise.toml 的 [churn] 中修改，服务器重启后生效",
            "en": "Changed in the workspace's keepwise.toml [churn]; read when the server starts",
        },
        "web.settings.rules": {"zh": "预警规则", "en": "Alert rules"},
        "web.settings.reasons": {"zh": "原因分类", "en": "Reason taxonomy"},
        "web.settings.add_reason": {
            "zh": "新增或修改自定义原因",
            "en": "Add or change an own reason",
        },
        "web.settings.thresholds": {"zh": "阈值", "en": "Thresholds"},
        "web.settings.users": {"zh": "用户", "en": "Users"},
        "web.settings.add_user": {"zh": "新增用户", "en": "Add a user"},
        "web.settings.disable": {"zh": "停用", "en": "Disable"},
        "web.settings.builtin": {"zh": "内置", "en": "built-in"},
        "web.settings.label_zh": {"zh": "中文名称", "en": "Chinese label"},
        "web.settings.label_en": {"zh": "英文名称", "en": "English label"},
        "web.settings.done": {"zh": "已保存", "en": "Saved"},
    }
)


@router.get("/settings")
def settings_page(page: PageDep, done: Text | None = None) -> Any:
    ws = page.ws
    everything = api.settings(ws)
    users = api_users.users(ws) if page.role == "admin" else None
    return page.render("settings.html", s=everything, users=users, done=done)


@router.post("/settings/users")
def add_user(
    page: PageDep, username: Annotated[Text, Form(min_length=1, max_length=64)],
    role: Annotated[Literal["admin", "manager", "rep"], Form()],
    password: Annotated[Text, Form()], owner_id: Annotated[Id | None, Form()] = None,
    lang: Annotated[Literal["zh", "en"], Form()] = "zh",
) -> Any:  # fmt: skip
    page.ws.viewer.require("admin")
    body = api_users.NewUser(username=username, role=role, password=password,
                             owner_id=owner_id or None, lang=lang)  # fmt: skip
    api_users.add(page.ws, page.auth, body)
    return page.back("/settings", done="1")


@router.post("/settings/users/{username}/disable")
def disable_user(page: PageDep, username: Annotated[str, Path(min_length=1, max_length=64)]) -> Any:
    page.ws.viewer.require("admin")
    api_users.disable(page.ws, page.auth, username)
    return page.back("/settings", done="1")


@router.post("/settings/reasons")
def set_reason(
    page: PageDep, code: Annotated[str, Form(min_length=1, max_length=40)],
    label_zh: Annotated[Text, Form()], label_en: Annotated[Text, Form()],
    avoidable: Annotated[bool, Form()] = False,
) -> Any:  # fmt: skip
    body = api.Reason(label_zh=label_zh, label_en=label_en, avoidable=avoidable)
    api.set_reason(page.ws, page.auth, code, body)
    return page.back("/settings", done="1")
