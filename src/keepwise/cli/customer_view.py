"""How ``keepwise customer`` and ``keepwise pool`` draw a customer's profile, history, void
requests and owner changes (tables through cli/fmt.py, both languages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer

from keepwise._core.i18n import Lang, register, t
from keepwise.cli import fmt
from keepwise.cli.fmt import Col

if TYPE_CHECKING:
    from keepwise.lifecycle.approvals import StatusRequest
    from keepwise.lifecycle.owners import OwnerChange

register(
    {
        "cli.customer.title": {"zh": "客户档案：{customer_id}", "en": "Customer {customer_id}"},
        "cli.customer.field": {"zh": "项目", "en": "field"},
        "cli.customer.value": {"zh": "内容", "en": "value"},
        "cli.customer.f.name": {"zh": "名称", "en": "name"},
        "cli.customer.f.segment": {"zh": "客户分类", "en": "segment"},
        "cli.customer.f.industry": {"zh": "行业", "en": "industry"},
        "cli.customer.f.region": {"zh": "区域", "en": "region"},
        "cli.customer.f.channel": {"zh": "来源渠道", "en": "channel"},
        "cli.customer.f.owner": {"zh": "负责人", "en": "owner"},
        "cli.customer.f.acquired_at": {"zh": "获客日期", "en": "acquired"},
        "cli.customer.f.contract_end": {"zh": "合同到期", "en": "contract ends"},
        "cli.customer.f.acquisition_cost": {"zh": "获客成本", "en": "acquisition cost"},
        "cli.customer.f.recorded": {"zh": "记录的状态", "en": "recorded status"},
        "cli.customer.f.defined": {
            "zh": "状态（按流失定义，截至 {as_of}）",
            "en": "status (churn definition, as of {as_of})",
        },
        "cli.customer.f.risk": {"zh": "流失风险", "en": "churn risk"},
        "cli.customer.f.drivers": {"zh": "主要因素", "en": "drivers"},
        "cli.customer.f.tier": {"zh": "价值分层", "en": "value tier"},
        "cli.customer.f.clv": {"zh": "预测CLV", "en": "predicted CLV"},
        "cli.customer.since": {"zh": "{status}（自 {day}）", "en": "{status} (since {day})"},
        "cli.customer.scored": {"zh": "{value}（评分日 {day}）", "en": "{value} (scored {day})"},
        "cli.customer.left": {"zh": "{owner}（已于 {day} 离职）", "en": "{owner} (left on {day})"},
        "cli.customer.pool": {"zh": "公海", "en": "customer pool"},
        "cli.customer.unknown_status": {
            "zh": "不在客户基数中（无获客日期和订单）",
            "en": "not in the customer base (no acquisition date, no order)",
        },
        "cli.customer.history": {"zh": "历史记录", "en": "History"},
        "cli.customer.alerts": {"zh": "未关闭的预警", "en": "Open alerts"},
        "cli.customer.tasks": {"zh": "未完成的任务", "en": "Open tasks"},
        "cli.customer.requests": {"zh": "待审批的作废申请", "en": "Void requests"},
        "cli.customer.col.at": {"zh": "时间", "en": "time"},
        "cli.customer.col.what": {"zh": "事项", "en": "what"},
        "cli.customer.col.change": {"zh": "变更", "en": "change"},
        "cli.customer.col.reason": {"zh": "原因", "en": "reason"},
        "cli.customer.col.actor": {"zh": "操作人", "en": "by"},
        "cli.customer.col.note": {"zh": "说明", "en": "note"},
        "cli.customer.col.customer": {"zh": "客户", "en": "customer"},
        "cli.customer.col.state": {"zh": "状态", "en": "state"},
        "cli.customer.col.rule": {"zh": "规则", "en": "rule"},
        "cli.customer.col.severity": {"zh": "严重程度", "en": "severity"},
        "cli.customer.col.type": {"zh": "类型", "en": "type"},
        "cli.customer.col.due": {"zh": "截止日期", "en": "due"},
        "cli.customer.what.status": {"zh": "状态变更", "en": "status"},
        "cli.customer.what.reverted": {"zh": "状态变更（已撤销）", "en": "status (reverted)"},
        "cli.customer.what.revert": {"zh": "撤销 #{id}", "en": "revert of #{id}"},
        "cli.customer.what.request": {
            "zh": "作废申请 #{id}：{state}",
            "en": "void request #{id}: {state}",
        },
        "cli.customer.approved_by": {"zh": "批准人 {who}", "en": "approved by {who}"},
        "cli.customer.destination": {"zh": "去向：{where}", "en": "went to: {where}"},
        "cli.customer.reassigned": {
            "zh": "客户 {customer_id} 的负责人：{from_owner} → {to_owner}（{how}）",
            "en": "Customer {customer_id}'s owner: {from_owner} → {to_owner} ({how})",
        },
    }
)


def reason_label(code: Any, reasons: dict[str, tuple[str, str]], lang: Lang) -> str:
    if fmt.is_empty(code):
        return fmt.EMPTY
    labels = reasons.get(str(code))
    return str(code) if labels is None else labels[0 if lang == "zh" else 1]


def _owner_word(owner: Any, lang: Lang) -> str:
    return t("cli.customer.pool", lang) if fmt.is_empty(owner) else str(owner)


def print_profile(
    shown: dict[str, Any], reasons: dict[str, tuple[str, str]], lang: Lang,
    rules: dict[str, dict[str, str]],
) -> None:  # fmt: skip
    """The customer's profile, history, scores, open alerts (their rules by name: ``rules``)
    and tasks."""
    c, s = shown["customer"], shown["status"]
    rows = [[t(f"cli.customer.f.{k}", lang), fmt.text(c[k])]
            for k in ("name", "segment", "industry", "region", "channel")]  # fmt: skip
    owner = fmt.text(c["owner_id"])
    if c["owner_name"] and c["owner_name"] != c["owner_id"]:
        owner = f"{owner} {c['owner_name']}"
    if c["owner_left_at"] is not None:
        owner = t("cli.customer.left", lang, owner=owner, day=fmt.day(c["owner_left_at"]))
    if c["in_pool"]:
        owner = t("cli.customer.pool", lang)
    rows += [[t("cli.customer.f.owner", lang), owner],
             [t("cli.customer.f.acquired_at", lang), fmt.day(c["acquired_at"])],
             [t("cli.customer.f.contract_end", lang), fmt.day(c["contract_end"])],
             [t("cli.customer.f.acquisition_cost", lang), fmt.amount(c["acquisition_cost"])],
             [t("cli.customer.f.recorded", lang), _since(c["status"], c["status_changed_at"],
                                                          lang)],
             [t("cli.customer.f.defined", lang, as_of=fmt.day(s["as_of"])),
              _since(s["status"], s["status_since"], lang) if s["status"] is not None
              else t("cli.customer.unknown_status", lang)]]  # fmt: skip
    rows += _score_rows(shown, lang)
    fmt.print_table([Col(t("cli.customer.field", lang), "word"), Col(t("cli.customer.value", lang))],
                    rows, title=t("cli.customer.title", lang, customer_id=c["customer_id"]),
                    lang=lang)  # fmt: skip
    if shown["history"]:
        print_history(shown["history"], reasons, lang, title=t("cli.customer.history", lang))
    _print_alerts(shown["alerts"], lang, rules)
    _print_tasks(shown["tasks"], lang)
    if shown["pending_requests"]:
        typer.echo(t("cli.customer.requests", lang))
        fmt.print_table(*_request_table(shown["pending_requests"], reasons, lang), lang=lang)


def _since(status: Any, since: Any, lang: Lang) -> str:
    word = fmt.label("status", status, lang)
    return word if fmt.is_empty(since) else t("cli.customer.since", lang, status=word,
                                                day=fmt.day(since))  # fmt: skip


def _score_rows(shown: dict[str, Any], lang: Lang) -> list[list[str]]:
    rows: list[list[str]] = []
    churn, value = shown["churn_score"], shown["value_score"]
    if churn is not None:
        risk = fmt.pct(churn["churn_probability"])
        if churn["risk_band"]:
            risk += f" ({fmt.label('band', churn['risk_band'], lang)})"
        rows.append([t("cli.customer.f.risk", lang),
                     t("cli.customer.scored", lang, value=risk, day=fmt.day(churn["as_of"]))])  # fmt: skip
        texts = [d.get(f"text_{lang}") or d.get("feature") for d in churn["drivers"][:3]]
        if texts:
            rows.append([t("cli.customer.f.drivers", lang), "\n".join(str(x) for x in texts)])
    if value is not None:
        rows.append([t("cli.customer.f.tier", lang),
                     t("cli.customer.scored", lang, value=fmt.label("tier", value["value_tier"],
                                                                   lang),
                       day=fmt.day(value["as_of"]))])  # fmt: skip
        rows.append([t("cli.customer.f.clv", lang), fmt.amount(value["predicted_clv"])])
    return rows


def print_history(
    items: Sequence[dict[str, Any]], reasons: dict[str, tuple[str, str]], lang: Lang,
    title: str | None = None,
) -> None:  # fmt: skip
    cols = [Col("#", "num", True), Col(t("cli.customer.col.at", lang), "word"),
            Col(t("cli.customer.col.what", lang)), Col(t("cli.customer.col.change", lang)),
            Col(t("cli.customer.col.reason", lang)), Col(t("cli.customer.col.actor", lang)),
            Col(t("cli.customer.col.note", lang))]  # fmt: skip
    fmt.print_table(cols, [_history_row(i, reasons, lang) for i in items], title=title,
                    lang=lang)  # fmt: skip


def _history_row(i: dict[str, Any], reasons: dict[str, tuple[str, str]], lang: Lang) -> list[str]:
    notes = [str(i["note"])] if i.get("note") else []
    if i["kind"] == "status":
        what = t("cli.customer.what.status", lang)
        if i["reverted_by"] is not None:
            what = t("cli.customer.what.reverted", lang)
        if i["reverts"] is not None:
            what = t("cli.customer.what.revert", lang, id=i["reverts"])
        change = (f"{fmt.label('status', i['from_status'], lang)} → "
                  f"{fmt.label('status', i['to_status'], lang)}")  # fmt: skip
        if i["approved_by"]:
            notes.append(t("cli.customer.approved_by", lang, who=i["approved_by"]))
        if i["destination"]:
            notes.append(t("cli.customer.destination", lang, where=i["destination"]))
        reason = reason_label(i["reason"], reasons, lang)
    elif i["kind"] == "owner":
        what = fmt.label("owner_change", i["how"], lang)
        change = f"{_owner_word(i['from_owner'], lang)} → {_owner_word(i['to_owner'], lang)}"
        reason = fmt.EMPTY
    else:
        what = t("cli.customer.what.request", lang, id=i["id"],
                 state=fmt.label("request", i["state"], lang))  # fmt: skip
        change = f"→ {fmt.label('status', i['to_status'], lang)}"
        reason = reason_label(i["reason"], reasons, lang)
    at = i["at"].isoformat(sep=" ", timespec="minutes")
    number = str(i["id"]) if i["kind"] == "status" else fmt.EMPTY
    return [number, at, what, change, reason, fmt.text(i["actor"]),
            "\n".join(notes) or fmt.EMPTY]  # fmt: skip


def _print_alerts(
    alerts: list[dict[str, Any]], lang: Lang, rules: dict[str, dict[str, str]]
) -> None:
    if not alerts:
        return
    cols = [Col("#", "num", True), Col(t("cli.customer.col.rule", lang), "word"),
            Col(t("cli.customer.col.severity", lang)), Col(t("cli.customer.col.state", lang)),
            Col(t("cli.customer.col.at", lang), "word")]  # fmt: skip
    rows = [[str(a["id"]), rules.get(a["rule"], {}).get(lang, a["rule"]),
             fmt.label("band", a["severity"], lang),
             fmt.label("alert", a["status"], lang), fmt.day(a["as_of"])] for a in alerts]  # fmt: skip
    fmt.print_table(cols, rows, title=t("cli.customer.alerts", lang), lang=lang)


def _print_tasks(tasks: list[dict[str, Any]], lang: Lang) -> None:
    if not tasks:
        return
    cols = [Col("#", "num", True), Col(t("cli.customer.col.type", lang), "word"),
            Col(t("cli.customer.f.owner", lang), "word"), Col(t("cli.customer.col.due", lang), "word"),
            Col(t("cli.customer.col.state", lang))]  # fmt: skip
    rows = [[str(k["id"]), fmt.label("playbook", k["type"], lang), fmt.text(k["owner_id"]),
             fmt.day(k["due"]), fmt.text(k["status"])] for k in tasks]  # fmt: skip
    fmt.print_table(cols, rows, title=t("cli.customer.tasks", lang), lang=lang)


def _request_table(
    requests: Sequence[dict[str, Any]], reasons: dict[str, tuple[str, str]], lang: Lang
) -> tuple[list[Col], list[list[str]]]:
    cols = [Col("#", "num", True), Col(t("cli.customer.col.customer", lang), "word"),
            Col(t("cli.customer.col.at", lang), "word"), Col(t("cli.customer.col.actor", lang)),
            Col(t("cli.customer.col.reason", lang)), Col(t("cli.customer.col.state", lang)),
            Col(t("cli.customer.col.note", lang))]  # fmt: skip
    rows = [[str(r["id"]), r["customer_id"], fmt.text(r["requested_at"])[:16].replace("T", " "),
             fmt.text(r["requested_by"]), reason_label(r["reason"], reasons, lang),
             fmt.label("request", r["state"], lang), fmt.text(r["note"])]
            for r in requests]  # fmt: skip
    return cols, rows


def print_requests(
    requests: Sequence[StatusRequest], reasons: dict[str, tuple[str, str]], lang: Lang
) -> None:
    cols, rows = _request_table([r.to_dict() for r in requests], reasons, lang)
    fmt.print_table(cols, rows, lang=lang)


def print_owner_change(change: OwnerChange, lang: Lang) -> None:
    typer.echo(t("cli.customer.reassigned", lang, customer_id=change.customer_id,
                 from_owner=_owner_word(change.from_owner, lang),
                 to_owner=_owner_word(change.to_owner, lang),
                 how=fmt.label("owner_change", change.kind, lang)))  # fmt: skip
