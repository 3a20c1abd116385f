"""The import contract (DESIGN.md): canonical columns of each import kind, their types,
aliases (English and Chinese) and the references they must satisfy."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal[
    "id", "text", "datetime", "date", "amount", "number", "int", "bool", "status", "reason"
]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    aliases: tuple[str, ...] = ()
    #: Inclusive numeric range, for scores such as csat 1-5.
    range: tuple[float, float] | None = None
    #: Dates after the import day are accepted (contract end, for example).
    future_ok: bool = False
    #: The import kind whose key this column must name.
    references: str | None = None
    #: Stored when the value is empty or the column absent (a key column that is optional).
    default: str | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description_zh: str = ""
    description_en: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _c(name: str, type_: ColumnType, *aliases: str, **kw: object) -> Column:
    return Column(name, type_, aliases=aliases, **kw)  # type: ignore[arg-type]


_CUSTOMER_REF = {"references": "customers"}

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "customers",
            "customers",
            (
                _c(
                    "customer_id",
                    "id",
                    "客户编号",
                    "客户id",
                    "客户ID",
                    "客户代码",
                    "id",
                    required=True,
                ),
                _c("name", "text", "客户名称", "客户名", "名称", "公司名称", "customer_name"),
                _c("segment", "text", "客户分类", "客户类型", "客户级别", "分类"),
                _c("industry", "text", "所属行业", "行业"),
                _c("region", "text", "区域", "地区", "所属区域", "country", "国家"),
                _c("channel", "text", "来源渠道", "渠道", "客户来源", "source"),
                _c("owner_id", "id", "负责人", "负责人编号", "销售负责人", "owner"),
                _c("acquired_at", "datetime", "创建时间", "成交时间", "签约日期", "created_at"),
                _c("contract_end", "date", "合同到期日", "合同结束日期", future_ok=True),
                _c("birthday", "date", "生日", "客户生日"),
                _c("acquisition_cost", "amount", "获客成本"),
            ),
            key=("customer_id",),
        ),
        Kind(
            "contracts",
            "contracts",
            (
                _c("contract_id", "id", "合同编号", "合同号", "合同id", "合同ID", required=True),
                _c(
                    "customer_id",
                    "id",
                    "客户编号",
                    "客户id",
                    "客户ID",
                    required=True,
                    **_CUSTOMER_REF,
                ),
                # start/end are SQL keywords: the table says start_date/end_date.
                _c(
                    "start_date",
                    "date",
                    "start",
                    "合同开始",
                    "合同开始日期",
                    "开始日期",
                    "生效日期",
                    "起始日期",
                    "签约日期",
                    required=True,
                    future_ok=True,
                ),
                _c(
                    "end_date",
                    "date",
                    "end",
                    "合同结束",
                    "合同结束日期",
                    "结束日期",
                    "合同到期日",
                    "到期日期",
                    "到期日",
                    required=True,
                    future_ok=True,
                ),
                _c("value", "amount", "合同金额", "金额", "合同价值", "amount"),
                _c("renewed_from", "id", "续约自", "续签自", "原合同编号", "续约合同"),
            ),
            key=("contract_id",),
        ),
        Kind(
            "owners",
            "owners",
            (
                _c("owner_id", "id", "负责人编号", "员工编号", "负责人", required=True),
                _c("name", "text", "姓名", "员工姓名"),
                _c("email", "text", "邮箱"),
                _c("role", "text", "角色", "职位"),
                _c("active", "bool", "在职", "是否在职"),
                _c("left_at", "datetime", "离职时间", "离职日期"),
            ),
            key=("owner_id",),
        ),
        Kind(
            "orders",
            "orders",
            (
                _c("order_id", "id", "订单编号", "订单号", "单号", required=True),
                _c(
                    "customer_id",
                    "id",
                    "客户编号",
                    "客户id",
                    "客户ID",
                    required=True,
                    **_CUSTOMER_REF,
                ),
                _c(
                    "ordered_at",
                    "datetime",
                    "下单时间",
                    "下单日期",
                    "订单日期",
                    "成交日期",
                    required=True,
                ),
                _c("amount", "amount", "金额", "订单金额", "成交金额", required=True),
                _c("cost", "amount", "成本"),
                _c("product", "text", "产品", "产品名称", "商品"),
                _c("cancelled", "bool", "已取消", "是否取消", "作废"),
            ),
            key=("order_id",),
        ),
        Kind(
            "usage",
            "usage",
            (
                _c("customer_id", "id", "客户编号", required=True, **_CUSTOMER_REF),
                _c("day", "date", "日期", required=True),
                _c("visits", "int", "访问次数", "访问频次", range=(0, 1e9)),
                _c("minutes", "number", "使用时长", "时长", range=(0, 1e9)),
                _c("feature", "text", "功能", "功能模块", default=""),
            ),
            key=("customer_id", "day", "feature"),
        ),
        Kind(
            "interactions",
            "interactions",
            (
                _c("interaction_id", "id", "跟进编号", "跟进记录编号", required=True),
                _c("customer_id", "id", "客户编号", required=True, **_CUSTOMER_REF),
                _c("owner_id", "id", "负责人", "跟进人"),
                _c("occurred_at", "datetime", "跟进时间", "跟进日期", required=True),
                _c("channel", "text", "跟进方式", "渠道"),
                _c("type", "text", "跟进类型", "类型"),
                _c("outcome", "text", "跟进结果", "结果"),
                _c("note", "text", "备注", "跟进内容"),
            ),
            key=("interaction_id",),
        ),
        Kind(
            "tickets",
            "tickets",
            (
                _c("ticket_id", "id", "工单编号", required=True),
                _c("customer_id", "id", "客户编号", required=True, **_CUSTOMER_REF),
                _c("opened_at", "datetime", "创建时间", "提交时间", required=True),
                _c("first_response_at", "datetime", "首次响应时间"),
                _c("resolved_at", "datetime", "解决时间"),
                _c("category", "text", "类别", "工单类型"),
                _c("is_complaint", "bool", "是否投诉", "投诉"),
            ),
            key=("ticket_id",),
        ),
        Kind(
            "surveys",
            "surveys",
            (
                _c("survey_id", "id", "问卷编号", required=True),
                _c("customer_id", "id", "客户编号", required=True, **_CUSTOMER_REF),
                _c("answered_at", "datetime", "填写时间", "回答时间", required=True),
                _c("csat", "int", "满意度", range=(1, 5)),
                _c("recommend", "int", "推荐意愿", "推荐度", range=(0, 10)),
                _c("reason", "text", "原因"),
                _c("comment", "text", "意见", "评论"),
            ),
            key=("survey_id",),
        ),
        Kind(
            "leads",
            "leads",
            (
                _c("lead_id", "id", "线索编号", required=True),
                _c("created_at", "datetime", "创建时间", required=True),
                _c("source", "text", "线索来源", "来源"),
                _c("cost", "amount", "成本", "获取成本"),
                _c("customer_id", "id", "客户编号", "转化客户", **_CUSTOMER_REF),
                _c("converted_at", "datetime", "转化时间"),
            ),
            key=("lead_id",),
        ),
        Kind(
            "spend",
            "marketing_spend",
            (
                _c("period_start", "date", "期间开始", "月份", "日期", required=True),
                _c("channel", "text", "渠道", "来源渠道", required=True),
                _c("amount", "amount", "金额", "费用", "投放金额", required=True),
            ),
            key=("period_start", "channel"),
        ),
        Kind(
            "status-events",
            "status_events",
            (
                _c("customer_id", "id", "客户编号", required=True, **_CUSTOMER_REF),
                _c("occurred_at", "datetime", "时间", "变更时间", "发生时间", required=True),
                _c("to_status", "status", "状态", "新状态", required=True),
                _c("reason", "reason", "原因", "流失原因", "作废原因"),
                _c("actor", "text", "操作人"),
                _c("note", "text", "备注"),
                _c("destination", "text", "去向", "流向"),
            ),
            key=("customer_id", "occurred_at", "to_status"),
        ),
    )
}

#: Status words accepted in imports, mapped to the canonical status.
STATUS_ALIASES = {
    "active": "active", "活跃": "active", "正常": "active", "恢复": "active",
    "at_risk": "at_risk", "at risk": "at_risk", "风险": "at_risk", "有风险": "at_risk",
    "churned": "churned", "churn": "churned", "lost": "churned", "流失": "churned",
    "已流失": "churned",
    "voided": "voided", "void": "voided", "作废": "voided", "已作废": "voided",
    "won_back": "won_back", "won back": "won_back", "winback": "won_back", "挽回": "won_back",
    "已挽回": "won_back",
}  # fmt: skip

TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "已取消", "取消", "在职", "√")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "未取消", "离职", "")


def normalise_header(text: str) -> str:
    """Header cells compare equal across case, width (全角/半角), spaces, line breaks, '_' and
    '-'."""
    folded = unicodedata.normalize("NFKC", text).strip().lower().lstrip("\ufeff")
    return "".join(ch for ch in folded if ch not in " _-\t\r\n")
