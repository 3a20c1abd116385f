"""Customers: search (twin: ``GET /api/customers``) and the customer 360 view (twin:
``GET /api/customers/{id}``) with its actions — void with a reason, revert the last status
change, reassign — through ``ws.customers`` (a rep: only their own customers; another's is
not found, exactly as one that does not exist)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form

from keepwise._core.i18n import register
from keepwise.api.params import Day, Id, LongText, Offset, Text, TextQuery
from keepwise.api.routes import customers as api
from keepwise.api.routes import lifecycle as api_lifecycle
from keepwise.lifecycle.followups import FOLLOW_UP_KINDS
from keepwise.web.render import PageDep

router = APIRouter(include_in_schema=False)

#: Customers per page of the search.
SEARCH_PAGE = 50

register(
    {
        "web.customers.title": {"zh": "客户", "en": "Customers"},
        "web.customers.search": {"zh": "编号或名称", "en": "Id or name"},
        "web.customers.find": {"zh": "查找", "en": "Search"},
        "web.c360.profile": {"zh": "基本信息", "en": "Profile"},
        "web.c360.status": {
            "zh": "当前状态（按流失定义）",
            "en": "Status (under the churn definition)",
        },
        "web.c360.totals": {
            "zh": "有效订单 {orders} 笔，收入 {revenue}，首单 {first}，末单 {last}",
            "en": "{orders} orders, revenue {revenue}, first {first}, last {last}",
        },
        "web.c360.orders": {"zh": "订单", "en": "Orders"},
        "web.c360.followups": {"zh": "跟进记录", "en": "Follow-ups"},
        "web.c360.tickets": {"zh": "服务工单", "en": "Tickets"},
        "web.c360.surveys": {"zh": "满意度调查", "en": "Surveys"},
        "web.c360.history": {"zh": "状态变化", "en": "Status history"},
        "web.c360.scores": {"zh": "评分历史", "en": "Scores over time"},
        "web.c360.alerts": {"zh": "预警", "en": "Alerts"},
        "web.c360.tasks": {"zh": "任务", "en": "Tasks"},
        "web.c360.actions": {"zh": "操作", "en": "Actions"},
        "web.c360.void": {"zh": "作废（须选原因）", "en": "Void (with a reason)"},
        "web.c360.void_button": {"zh": "作废客户", "en": "Void the customer"},
        "web.c360.revert": {"zh": "撤销最近一次状态变化", "en": "Revert the last status change"},
        "web.c360.revert_button": {"zh": "撤销", "en": "Revert"},
        "web.c360.reassign": {"zh": "转交给其他负责人", "en": "Reassign to another owner"},
        "web.c360.reassign_button": {"zh": "转交", "en": "Reassign"},
        "web.c360.to_owner": {"zh": "新负责人编号", "en": "New owner id"},
        "web.c360.effective": {
            "zh": "生效日期（默认今天）",
            "en": "Effective date (default today)",
        },
        "web.c360.destination": {"zh": "去向（如竞争对手）", "en": "Went to (a competitor, say)"},
        "web.c360.done.void": {"zh": "已作废", "en": "Voided"},
        "web.c360.done.requested": {
            "zh": "作废申请已提交，等待经理审批",
            "en": "The void is requested and waits for a manager's approval",
        },
        "web.c360.done.revert": {"zh": "已撤销", "en": "Reverted"},
        "web.c360.done.follow_up": {"zh": "已记录跟进", "en": "The follow-up is recorded"},
        "web.c360.follow_up": {"zh": "添加跟进", "en": "Add a follow-up"},
        "web.c360.follow_up_kind": {"zh": "方式", "en": "Kind"},
        "web.c360.follow_up_button": {"zh": "记录跟进", "en": "Record the follow-up"},
        "web.c360.done.reassign": {"zh": "已转交", "en": "Reassigned"},
        "web.c360.reverted": {"zh": "（已撤销）", "en": "(reverted)"},
        "web.kind.status": {"zh": "状态", "en": "status"},
        "web.kind.owner": {"zh": "负责人", "en": "owner"},
        "web.kind.request": {"zh": "申请", "en": "request"},
    }
)


@router.get("/customers")
def search(
    page: PageDep, q: TextQuery = None, segment: TextQuery = None, region: TextQuery = None,
    owner_id: TextQuery = None, offset: Offset = 0,
) -> Any:  # fmt: skip
    filters = {"segment": segment, "industry": None, "region": region, "channel": None,
               "owner_id": owner_id}  # fmt: skip
    found = api.search(page.ws, filters, q=q, limit=SEARCH_PAGE, offset=offset)
    return page.render("customers.html", found=found, q=q, segment=segment, region=region,
                       owner_id=owner_id, page_size=SEARCH_PAGE)  # fmt: skip


@router.get("/customers/{customer_id}")
def customer(page: PageDep, customer_id: Id, done: Text | None = None) -> Any:
    view = api.customer_360(page.ws, customer_id)
    labels = page.ws.customers.reason_labels()
    reasons = sorted(((code, pair[0] if page.lang == "zh" else pair[1])
                      for code, pair in labels.items()), key=lambda r: r[1])  # fmt: skip
    history = page.ws.customers.history(customer_id)
    churn = next((s for s in view["scores"] if s.get("churn_probability") is not None), None)
    worth = next((s for s in view["scores"] if s.get("predicted_clv") is not None), None)
    return page.render("customer.html", c=view, p=view["profile"], reasons=reasons,
                       history=history, done=done, labels=labels, churn=churn, worth=worth,
                       follow_up_kinds=list(FOLLOW_UP_KINDS))  # fmt: skip


def _at(day: dt.date | None) -> dt.datetime | None:
    """A change dated on an earlier day happens at noon of it; today's (or none) happens now."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(12, 0))


@router.post("/customers/{customer_id}/void")
def void(
    page: PageDep, customer_id: Id, reason: Annotated[Text, Form()],
    note: Annotated[LongText | None, Form()] = None,
    destination: Annotated[Text | None, Form()] = None,
    effective: Annotated[Day | None, Form()] = None,
) -> Any:  # fmt: skip
    at = None if effective is None or effective >= page.ws.now().date() else _at(effective)
    outcome = page.ws.customers.void(customer_id, reason=reason, actor=page.auth.viewer.username,
                                     note=note or None, destination=destination or None, at=at)  # fmt: skip
    done = "void" if hasattr(outcome, "event_id") else "requested"
    return page.back(f"/customers/{customer_id}", done=done)


@router.post("/customers/{customer_id}/follow-up")
def follow_up(
    page: PageDep, customer_id: Id, kind: Annotated[api_lifecycle.FollowUpKind, Form()],
    note: Annotated[LongText | None, Form()] = None,
) -> Any:  # fmt: skip
    api_lifecycle.follow_up(page.ws, page.auth, customer_id,
                            api_lifecycle.FollowUp(kind=kind, note=note or None))  # fmt: skip
    return page.back(f"/customers/{customer_id}", done="follow_up")


@router.post("/customers/{customer_id}/revert")
def revert(page: PageDep, customer_id: Id, note: Annotated[LongText | None, Form()] = None) -> Any:
    page.ws.customers.revert(customer_id, actor=page.auth.viewer.username, note=note or None)
    return page.back(f"/customers/{customer_id}", done="revert")


@router.post("/customers/{customer_id}/reassign")
def reassign(
    page: PageDep, customer_id: Id, to_owner: Annotated[Id, Form()],
    note: Annotated[LongText | None, Form()] = None,
) -> Any:  # fmt: skip
    page.ws.customers.reassign(customer_id, to_owner, actor=page.auth.viewer.username,
                               note=note or None, as_manager=page.manages)  # fmt: skip
    return page.back(f"/customers/{customer_id}", done="reassign")
