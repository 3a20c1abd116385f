"""The reason taxonomy (DESIGN.md): stable codes, labels in both languages, avoidable or not.

Workspaces may add their own reasons (the ``reasons`` table); these are the built-in ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    label_zh: str
    label_en: str
    avoidable: bool


BUILTIN_REASONS: tuple[Reason, ...] = (
    Reason("product_fit", "产品不适配", "Product does not fit", True),
    Reason("quality", "产品或服务质量问题", "Product or service quality", True),
    Reason("price", "价格因素", "Price", True),
    Reason("service", "客户服务问题", "Customer service", True),
    Reason("experience", "购买或使用体验差", "Poor buying or usage experience", True),
    Reason("neglect", "缺乏关怀与沟通", "Lack of care and contact", True),
    Reason("competitor", "竞争对手吸引", "Won by a competitor", True),
    Reason("owner_left", "销售人员离职", "Account owner left", True),
    Reason("innovation", "产品缺乏创新", "Product lacks innovation", True),
    Reason("supplier_instability", "我方经营波动", "Our business instability", True),
    Reason("short_term", "我方短期行为损害客户利益", "Our short-term behaviour hurt the customer", True),
    Reason("market", "行业或市场变化", "Industry or market change", False),
    Reason("customer_business", "客户自身业务调整或倒闭", "Customer's own business changed or closed", False),
    Reason("no_value", "无价值客户淘汰", "No-value customer let go", False),
    Reason("duplicate", "重复客户", "Duplicate customer", False),
    Reason("invalid", "无效信息", "Invalid information", False),
    Reason("other", "其他", "Other", False),
)  # fmt: skip

REASONS_BY_CODE = {r.code: r for r in BUILTIN_REASONS}


def reason_lookup(reasons: tuple[Reason, ...] | list[Reason] = BUILTIN_REASONS) -> dict[str, str]:
    """Every spelling users write (code, Chinese label, English label, any case) → code."""
    lookup: dict[str, str] = {}
    for r in reasons:
        for spelling in (r.code, r.label_zh, r.label_en):
            lookup[spelling.strip().lower()] = r.code
    return lookup
