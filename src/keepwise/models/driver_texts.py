"""The bilingual sentences of :mod:`keepwise.models.drivers` (registered on import).

A driver sentence is a *fact* about the customer (``drivers.fact.*``, ``drivers.missing.*``)
inside an *effect* clause (``drivers.effect.*``). ``{s}`` is the English plural ending
(empty for one); the Chinese templates do not use it.
"""

from __future__ import annotations

from keepwise._core.i18n import register

EFFECTS = {
    "drivers.effect.up": {
        "zh": "{fact}，使流失风险上升",
        "en": "{fact}, which raises the churn risk",
    },
    "drivers.effect.down": {
        "zh": "{fact}，使流失风险下降",
        "en": "{fact}, which lowers the churn risk",
    },
    "drivers.effect.none": {
        "zh": "{fact}，对流失风险影响很小",
        "en": "{fact}, which barely changes the churn risk",
    },
    # A fact that by itself points the other way ("75 purchases in the last 12 months" raising
    # the risk): the model's reading comes from the customer's other figures, and says so.
    "drivers.effect.up.contrary": {
        "zh": "{fact}；结合该客户的其他指标，模型将此计为使流失风险上升的因素",
        "en": "{fact}; taken with the customer's other figures, the model counts this "
        "towards a higher churn risk",
    },
    "drivers.effect.down.contrary": {
        "zh": "{fact}；结合该客户的其他指标，模型将此计为使流失风险下降的因素",
        "en": "{fact}; taken with the customer's other figures, the model counts this "
        "towards a lower churn risk",
    },
    "drivers.generic.up": {
        "zh": "{feature} = {value} 使流失风险上升",
        "en": "{feature} = {value} raises the churn risk",
    },
    "drivers.generic.down": {
        "zh": "{feature} = {value} 使流失风险下降",
        "en": "{feature} = {value} lowers the churn risk",
    },
    "drivers.generic.none": {
        "zh": "{feature} = {value} 对流失风险影响很小",
        "en": "{feature} = {value} barely changes the churn risk",
    },
    "drivers.generic.missing": {"zh": "{feature} 缺失", "en": "{feature} is missing"},
}


def _count(noun_en: str, noun_zh: str, window_en: str, window_zh: str) -> dict[str, dict]:
    """Count facts: none, a plain count, and the count against the customer's usual pace."""
    return {
        "none": {"zh": f"{window_zh}没有{noun_zh}", "en": f"no {noun_en}s {window_en}"},
        "count": {
            "zh": f"{window_zh}{noun_zh}{{value}}次",
            "en": f"{{value}} {noun_en}{{s}} {window_en}",
        },
        "usual": {
            "zh": f"{window_zh}{noun_zh}{{value}}次，与该客户平时持平",
            "en": f"{{value}} {noun_en}{{s}} {window_en}, the customer's usual pace",
        },
        "fewer": {
            "zh": f"{window_zh}{noun_zh}{{value}}次，比该客户平时少{{pct}}%",
            "en": f"{{value}} {noun_en}{{s}} {window_en}, {{pct}} % below the customer's usual pace",
        },
        "more": {
            "zh": f"{window_zh}{noun_zh}{{value}}次，比该客户平时多{{pct}}%",
            "en": f"{{value}} {noun_en}{{s}} {window_en}, {{pct}} % above the customer's usual pace",
        },
    }


def _amount(
    what_en: str, zh_value: str, zh_none: str, window_en: str, window_zh: str, none_en: str = ""
) -> dict[str, dict]:
    """Amount facts (spending, minutes of use), as :func:`_count`; ``zh_value`` holds
    ``{value}``, ``none_en`` what there was none of (default ``what_en``)."""
    return {
        "none": {"zh": f"{window_zh}{zh_none}", "en": f"no {none_en or what_en} {window_en}"},
        "count": {"zh": f"{window_zh}{zh_value}", "en": f"{what_en} {window_en}: {{value}}"},
        "usual": {
            "zh": f"{window_zh}{zh_value}，与该客户平时持平",
            "en": f"{what_en} {window_en}: {{value}}, the customer's usual level",
        },
        "fewer": {
            "zh": f"{window_zh}{zh_value}，比该客户平时低{{pct}}%",
            "en": f"{what_en} {window_en}: {{value}}, {{pct}} % below the customer's usual level",
        },
        "more": {
            "zh": f"{window_zh}{zh_value}，比该客户平时高{{pct}}%",
            "en": f"{what_en} {window_en}: {{value}}, {{pct}} % above the customer's usual level",
        },
    }


_D30, _D90, _Y = (
    ("in the last 30 days", "近30天"),
    ("in the last 90 days", "近90天"),
    (
        "in the last 12 months",
        "近一年",
    ),
)
FAMILIES = {
    "orders_30d": _count("purchase", "购买", *_D30),
    "orders_90d": _count("purchase", "购买", *_D90),
    "orders_365d": _count("purchase", "购买", *_Y),
    "spend_30d": _amount("spending", "消费{value}", "没有消费", *_D30),
    "spend_90d": _amount("spending", "消费{value}", "没有消费", *_D90),
    "spend_365d": _amount("spending", "消费{value}", "没有消费", *_Y),
    "visits_30d": _count("product visit", "使用产品", *_D30),
    "visits_90d": _count("product visit", "使用产品", *_D90),
    "minutes_30d": _amount(
        "minutes of product use", "使用产品{value}分钟", "没有使用产品", *_D30, "product use"
    ),
    "minutes_90d": _amount(
        "minutes of product use", "使用产品{value}分钟", "没有使用产品", *_D90, "product use"
    ),
    "followups_90d": _count("follow-up", "跟进", *_D90),
    "complaints_90d": _count("complaint", "投诉", *_D90),
    "tickets_90d": _count("service ticket", "提交服务工单", *_D90),
}

FACTS = {
    "drivers.fact.orders_365d.drop": {
        "zh": "近一年购买{value}次，但近90天只有{recent}次",
        "en": "{value} purchase{s} in the last 12 months, but only {recent} in the last 90 days",
    },
    "drivers.fact.orders_365d.drop_none": {
        "zh": "近一年购买{value}次，但近90天没有购买",
        "en": "{value} purchase{s} in the last 12 months, but none in the last 90 days",
    },
    "drivers.fact.spend_365d.drop_none": {
        "zh": "近一年消费{value}，但近90天没有消费",
        "en": "spending in the last 12 months: {value}, but none in the last 90 days",
    },
    "drivers.fact.minutes_90d.drop": {
        "zh": "近90天使用产品{value}分钟，但近30天只有{recent}分钟",
        "en": "minutes of product use in the last 90 days: {value}, "
        "but only {recent} in the last 30 days",
    },
    "drivers.fact.minutes_90d.drop_none": {
        "zh": "近90天使用产品{value}分钟，但近30天没有使用",
        "en": "minutes of product use in the last 90 days: {value}, but none in the last 30 days",
    },
    "drivers.fact.last_order.today": {
        "zh": "客户今天刚下过单",
        "en": "the customer ordered today",
    },
    "drivers.fact.spend_365d.drop": {
        "zh": "近一年消费{value}，但近90天只有{recent}",
        "en": "spending in the last 12 months: {value}, but only {recent} in the last 90 days",
    },
    "drivers.fact.purchases.below": {
        "zh": "近90天购买次数比过去一年平均下降{pct}%",
        "en": "purchases in the last 90 days are {pct} % below the customer's yearly average",
    },
    "drivers.fact.purchases.above": {
        "zh": "近90天购买次数比过去一年平均高{pct}%",
        "en": "purchases in the last 90 days are {pct} % above the customer's yearly average",
    },
    "drivers.fact.purchases.same": {
        "zh": "近90天购买次数与过去一年平均持平",
        "en": "purchases in the last 90 days match the customer's yearly average",
    },
    "drivers.fact.visits.below": {
        "zh": "近90天使用产品次数比过去一年平均下降{pct}%",
        "en": "product visits in the last 90 days are {pct} % below the customer's yearly average",
    },
    "drivers.fact.visits.above": {
        "zh": "近90天使用产品次数比过去一年平均高{pct}%",
        "en": "product visits in the last 90 days are {pct} % above the customer's yearly average",
    },
    "drivers.fact.visits.same": {
        "zh": "近90天使用产品次数与过去一年平均持平",
        "en": "product visits in the last 90 days match the customer's yearly average",
    },
    "drivers.fact.last_order.days": {
        "zh": "距上次下单已{value}天",
        "en": "the last order was {value} day{s} ago",
    },
    "drivers.fact.last_order.vs_norm": {
        "zh": "距上次下单已{value}天，是该客户平时间隔的{ratio}倍",
        "en": "the last order was {value} day{s} ago, {ratio}× the customer's usual gap",
    },
    "drivers.fact.gap_vs_norm": {
        "zh": "当前未下单的间隔是该客户平时间隔的{value}倍",
        "en": "the current gap without orders is {value}× the customer's usual interval",
    },
    "drivers.fact.response_hours": {
        "zh": "近90天服务工单平均{value}小时后得到首次回复",
        "en": "service tickets in the last 90 days got a first answer after {value} hours "
        "on average",
    },
    "drivers.fact.csat_last": {
        "zh": "最近一次满意度评分为{value}",
        "en": "the latest satisfaction score is {value}",
    },
    "drivers.fact.csat_change.down": {
        "zh": "满意度下降了{value}分",
        "en": "satisfaction fell by {value} point{s}",
    },
    "drivers.fact.csat_change.up": {
        "zh": "满意度上升了{value}分",
        "en": "satisfaction rose by {value} point{s}",
    },
    "drivers.fact.csat_change.same": {"zh": "满意度没有变化", "en": "satisfaction is unchanged"},
    "drivers.fact.followup.days": {
        "zh": "上次跟进是在{value}天前",
        "en": "the last follow-up was {value} day{s} ago",
    },
    "drivers.fact.followup.today": {
        "zh": "今天刚跟进过",
        "en": "the customer was followed up today",
    },
    "drivers.fact.owner.departed": {
        "zh": "负责该客户的我方客户经理已离职",
        "en": "our account manager for this customer has left the company",
    },
    "drivers.fact.owner.present": {
        "zh": "负责该客户的我方客户经理仍在职",
        "en": "our account manager for this customer is still with the company",
    },
    "drivers.fact.at_risk.yes": {
        "zh": "客户已被标记为有流失风险",
        "en": "the customer is flagged as at risk",
    },
    "drivers.fact.at_risk.no": {
        "zh": "客户未被标记为有流失风险",
        "en": "the customer is not flagged as at risk",
    },
    "drivers.fact.tenure_days": {
        "zh": "成为客户已{value}天",
        "en": "a customer for {value} day{s}",
    },
    "drivers.fact.contract_end.ahead": {
        "zh": "合同将在{value}天后到期",
        "en": "the contract ends in {value} day{s}",
    },
    "drivers.fact.contract_end.today": {"zh": "合同今天到期", "en": "the contract ends today"},
    "drivers.fact.contract_end.past": {
        "zh": "合同已到期{value}天",
        "en": "the contract ended {value} day{s} ago",
    },
    "drivers.fact.p_alive": {
        "zh": "客户仍活跃的概率为{pct}%",
        "en": "the probability that the customer is still active is {pct} %",
    },
    "drivers.fact.segment": {"zh": "客户细分为{value}", "en": "the customer's segment is {value}"},
    "drivers.fact.industry": {
        "zh": "所属行业为{value}",
        "en": "the customer's industry is {value}",
    },
    "drivers.fact.region": {"zh": "所在地区为{value}", "en": "the customer's region is {value}"},
    "drivers.fact.channel": {
        "zh": "获客渠道为{value}",
        "en": "the customer's acquisition channel is {value}",
    },
    "drivers.fact.value_tier": {
        "zh": "客户价值分层为{value}",
        "en": "the customer is rated {value}",
    },
    "drivers.tier.high": {"zh": "高价值", "en": "high value"},
    "drivers.tier.mid": {"zh": "中价值", "en": "mid value"},
    "drivers.tier.low": {"zh": "低价值", "en": "low value"},
    "drivers.tier.no_value": {"zh": "无价值", "en": "no value"},
    "drivers.tier.new": {"zh": "新客户", "en": "new customer"},
}

MISSING = {
    "days_since_last_order": {"zh": "尚无订单记录", "en": "the customer has not ordered yet"},
    "orders": {"zh": "没有订单记录", "en": "no orders on record"},
    "spend": {"zh": "没有消费记录", "en": "no spending on record"},
    "purchase_trend_90d_vs_365d": {
        "zh": "近一年没有购买",
        "en": "no purchases in the last 12 months",
    },
    "gap_vs_norm": {
        "zh": "订单太少，尚无法判断该客户平时的下单间隔",
        "en": "too few orders yet to know the customer's usual interval between orders",
    },
    "usage": {"zh": "没有产品使用记录", "en": "no product use on record"},
    "visits_trend": {
        "zh": "近一年没有使用产品的记录",
        "en": "no product visits on record in the last 12 months",
    },
    "tickets": {"zh": "没有服务工单记录", "en": "no service tickets on record"},
    "response_hours_90d": {
        "zh": "近90天没有已回复的服务工单",
        "en": "no answered service tickets in the last 90 days",
    },
    "csat_last": {"zh": "尚无满意度评分", "en": "no satisfaction score yet"},
    "csat_change": {
        "zh": "尚无可比较的前一次满意度评分",
        "en": "no earlier satisfaction score to compare with",
    },
    "days_since_followup": {"zh": "尚无跟进记录", "en": "no follow-up on record yet"},
    "followups_90d": {"zh": "没有跟进记录", "en": "no follow-ups on record"},
    "owner_departed": {
        "zh": "不清楚负责该客户的我方客户经理是否仍在职",
        "en": "not known whether our account manager for this customer is still with us",
    },
    "at_risk": {"zh": "没有风险标记记录", "en": "no at-risk flag on record"},
    "tenure_days": {"zh": "不清楚客户的获客日期", "en": "the date the customer was won is unknown"},
    "days_to_contract_end": {"zh": "没有合同到期日记录", "en": "no contract end date on record"},
    "segment": {"zh": "客户细分未记录", "en": "the customer's segment is not recorded"},
    "industry": {"zh": "所属行业未记录", "en": "the customer's industry is not recorded"},
    "region": {"zh": "所在地区未记录", "en": "the customer's region is not recorded"},
    "channel": {"zh": "获客渠道未记录", "en": "the customer's channel is not recorded"},
    "value_tier": {"zh": "尚无价值分层", "en": "no value tier yet"},
    "p_alive": {
        "zh": "尚无客户仍活跃的概率估计",
        "en": "no estimate yet of the probability that the customer is still active",
    },
}

register(EFFECTS)
register(FACTS)
register(
    {
        f"drivers.fact.{feature}.{kind}": texts
        for feature, family in FAMILIES.items()
        for kind, texts in family.items()
    }
)
register({f"drivers.missing.{name}": texts for name, texts in MISSING.items()})
