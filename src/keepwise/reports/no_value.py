"""The no-value report (无价值客户淘汰审批): the customers meeting the elimination criteria of
``[value.no_value]``, the criteria each meets with the figures behind them, and the recommended
treatment, with blank decision columns and signature lines for the manager who approves.
A decision is then recorded with ``keepwise value decide`` (a void with reason no_value)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from keepwise._core.i18n import Lang, register, t
from keepwise.reports.common import meta_lines
from keepwise.reports.document import Column, Document, Fact, Section, Table

# (the criteria's and treatments' words are registered there)
from keepwise.value.novalue import PERIOD_CRITERIA, TREATMENTS

CRITERIA = (*PERIOD_CRITERIA, "low_p_alive")

register(
    {
        "report.novalue.title": {"zh": "无价值客户淘汰审批表", "en": "No-value customers: for approval"},
        "report.novalue.criteria": {"zh": "淘汰标准", "en": "Elimination criteria"},
        "report.novalue.criteria.intro": {
            "zh": "按 keepwise.toml 的 [value.no_value]，以截止日期前最近 {n} 个完整{grain}判断；"
            "符合的标准越多（或持续越久），建议的处理越重。",
            "en": "By [value.no_value] of keepwise.toml, judged on the last {n} complete "
            "{grain} periods before the as-of date; the more criteria met (or the longer), the "
            "stronger the recommended treatment.",
        },
        "report.novalue.rule.low_frequency": {
            "zh": "每期订单少于 {v} 笔", "en": "fewer than {v} orders a period"},
        "report.novalue.rule.low_spend": {
            "zh": "每期消费少于 {v}", "en": "less than {v} spent a period"},
        "report.novalue.rule.low_profit": {
            "zh": "每期利润贡献少于 {v}", "en": "less than {v} profit contribution a period"},
        "report.novalue.rule.low_p_alive": {
            "zh": "最新存活概率低于 {v}", "en": "latest P(alive) below {v}"},
        "report.novalue.col.rule": {"zh": "标准", "en": "rule"},
        "report.novalue.rule.off": {"zh": "（未启用）", "en": "(switched off)"},
        "report.novalue.count": {"zh": "符合标准的客户", "en": "Customers meeting the criteria"},
        "report.novalue.by_treatment": {"zh": "建议{treatment}", "en": "Recommended: {treatment}"},
        "report.novalue.customers": {"zh": "待审批客户", "en": "Customers to decide on"},
        "report.novalue.customers.intro": {
            "zh": "请在“审批意见”一栏填写同意或不同意；同意的客户用 keepwise value decide 记录"
            "（作废，原因：无价值客户淘汰），之后可用 keepwise value revert 撤销。",
            "en": "Write approve or reject in the “decision” column; record each approved "
            "customer with keepwise value decide (a void with the reason no-value customer), "
            "which keepwise value revert can undo.",
        },
        "report.col.criteria": {"zh": "符合的标准", "en": "criteria met"},
        "report.col.level": {"zh": "级别", "en": "level"},
        "report.col.orders": {"zh": "近期订单数", "en": "orders, last periods"},
        "report.col.spend": {"zh": "近期消费", "en": "spend, last periods"},
        "report.col.profit": {"zh": "近期利润贡献", "en": "profit, last periods"},
        "report.col.p_alive": {"zh": "存活概率", "en": "P(alive)"},
        "report.col.treatment": {"zh": "建议处理", "en": "recommended treatment"},
        "report.col.decision": {"zh": "审批意见", "en": "decision"},
        "report.col.decision_note": {"zh": "备注", "en": "note"},
        "report.novalue.none": {
            "zh": "截止日期时没有客户符合淘汰标准。", "en": "No customer meets the criteria at the "
            "as-of date."},
        "report.novalue.sign.manager": {
            "zh": "审批人：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿＿＿",
            "en": "Approved by: ____________________    Date: ____________"},
        "report.novalue.sign.prepared": {
            "zh": "制表：Keepwise（{as_of}）", "en": "Prepared by Keepwise ({as_of})"},
    }
)  # fmt: skip


@dataclass
class NoValueData:
    workspace: str
    as_of: dt.date
    data_end: dt.date | None
    #: ``[value.no_value]`` settings: grain, periods and the thresholds (None: switched off).
    settings: dict[str, Any]
    #: ``ws.value.no_value`` rows.
    customers: pd.DataFrame
    #: Each customer's owner id (the no-value rows do not carry it).
    owners: dict[str, str | None]
    notes: list[str]


def build(data: NoValueData, lang: Lang) -> Document:
    return Document(
        kind="no-value", lang=lang, title=t("report.novalue.title", lang),
        meta=meta_lines(lang, data.workspace, data.as_of, data.data_end),
        notes=list(data.notes), sections=[_criteria(data, lang), _customers(data, lang)],
        footer=[t("report.novalue.sign.prepared", lang, as_of=data.as_of.isoformat()),
                t("report.novalue.sign.manager", lang)],
    )  # fmt: skip


def _criteria(data: NoValueData, lang: Lang) -> Section:
    s = data.settings
    thresholds = {"low_frequency": s.get("orders_below"), "low_spend": s.get("spend_below"),
                  "low_profit": s.get("profit_below"), "low_p_alive": s.get("p_alive_below")}  # fmt: skip
    cols = [Column("criterion", t("report.col.criteria", lang)),
            Column("rule", t("report.novalue.col.rule", lang)),
            Column("customers", t("report.col.customers", lang), "int")]  # fmt: skip
    df = data.customers
    rows = []
    for c in CRITERIA:
        v = thresholds[c]
        rule = (t(f"report.novalue.rule.{c}", lang, v=v) if v is not None
                else t("report.novalue.rule.off", lang))  # fmt: skip
        met = int(sum(c in list(x) for x in df["criteria"])) if not df.empty else 0
        rows.append([t(f"value.criterion.{c}", lang), rule, met])
    facts = [Fact(t("report.novalue.count", lang), len(df), "int")]
    for tr in TREATMENTS:
        n = int((df["treatment"] == tr).sum()) if not df.empty else 0
        facts.append(Fact(t("report.novalue.by_treatment", lang,
                            treatment=t(f"value.treatment.{tr}", lang)), n, "int"))  # fmt: skip
    grain = t(f"report.grain.{s.get('grain', 'quarter')}", lang)
    intro = t("report.novalue.criteria.intro", lang, n=s.get("periods"), grain=grain)
    return Section("criteria", t("report.novalue.criteria", lang), intro, facts=facts,
                   tables=[Table(cols, rows)])  # fmt: skip


def _customers(data: NoValueData, lang: Lang) -> Section:
    cols = [Column("customer", t("report.col.customer", lang)),
            Column("name", t("report.col.name", lang)),
            Column("owner", t("report.col.owner", lang)),
            Column("criteria", t("report.col.criteria", lang)),
            Column("level", t("report.col.level", lang), "int"),
            Column("orders", t("report.col.orders", lang), "num"),
            Column("spend", t("report.col.spend", lang), "money"),
            Column("profit", t("report.col.profit", lang), "money"),
            Column("p_alive", t("report.col.p_alive", lang), "pct"),
            Column("treatment", t("report.col.treatment", lang)),
            Column("decision", t("report.col.decision", lang)),
            Column("decision_note", t("report.col.decision_note", lang))]  # fmt: skip
    sep = "、" if lang == "zh" else ", "
    rows = [[r["customer_id"], r.get("name"), data.owners.get(r["customer_id"]),
             sep.join(t(f"value.criterion.{c}", lang) for c in r["criteria"]), r.get("level"),
             r.get("orders_last_periods"), r.get("revenue_last_periods"),
             r.get("profit_contribution_last_periods"), r.get("p_alive"),
             t(f"value.treatment.{r['treatment']}", lang), None, None]
            for r in data.customers.to_dict(orient="records")]  # fmt: skip
    notes = [] if rows else [t("report.novalue.none", lang)]
    return Section("customers", t("report.novalue.customers", lang),
                   t("report.novalue.customers.intro", lang), tables=[Table(cols, rows)],
                   notes=notes)  # fmt: skip
