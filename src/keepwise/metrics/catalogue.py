"""The KPI catalogue (DESIGN.md): every KPI's id, names and definition in both languages, and
how the engine computes it — the sums of which contribution columns form its numerator and
denominator. The definitions are part of the product: the CLI (``keepwise metrics --list``),
the API and docs/metrics.md all show these texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from keepwise._core.errors import InputError
from keepwise._core.i18n import Lang, register

#: proportion: a share, numerator ⊆ denominator; ratio: any quotient; mean: average per item;
#: count / amount: the numerator itself (no denominator); quantile: a percentile of items.
Kind = Literal["proportion", "ratio", "mean", "count", "amount", "quantile"]

register(
    {
        "metrics.unknown_metric": {
            "zh": "未知的指标 {metric}；用 keepwise metrics --list 查看全部指标",
            "en": "Unknown metric {metric}; see all of them with keepwise metrics --list",
        },
    }
)


@dataclass(frozen=True)
class Kpi:
    id: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    family: str
    kind: Kind
    num: str | None = None
    den: str | None = None
    scale: float = 1.0
    features: frozenset[str] = field(default_factory=frozenset)
    #: Whether summing the numerators of a cut gives the uncut numerator.
    additive: bool = True

    def name(self, lang: Lang | str = "en") -> str:
        return self.name_zh if str(lang).startswith("zh") else self.name_en

    def definition(self, lang: Lang | str = "en") -> str:
        return self.definition_zh if str(lang).startswith("zh") else self.definition_en


def _k(id_: str, zh: str, en: str, def_zh: str, def_en: str, family: str, kind: Kind,
       num: str | None = None, den: str | None = None, *, features: Iterable[str] = (),
       scale: float = 1.0, additive: bool = True) -> Kpi:  # fmt: skip
    return Kpi(id_, zh, en, def_zh, def_en, family, kind, num, den, scale, frozenset(features),
               additive)  # fmt: skip


_G = "customers"
KPIS: tuple[Kpi, ...] = (
    _k("customers_at_start", "期初客户数", "Customers at start",
       "期初前获得、且期初状态不是流失或作废的客户数",
       "Customers acquired before the period start whose status at the start is neither "
       "churned nor voided", _G, "count", "at_start"),
    _k("customers_at_end", "期末客户数", "Customers at end",
       "期末前获得、且期末状态不是流失或作废的客户数",
       "Customers acquired before the period end whose status at the end is neither churned "
       "nor voided", _G, "count", "at_end"),
    _k("active_customers", "期内活跃客户数", "Customers active in the period",
       "期末前获得、且期初状态不是流失或作废的客户数",
       "Customers acquired before the period end whose status at the start is neither churned "
       "nor voided", _G, "count", "active"),
    _k("new_customers", "新增客户数", "New customers",
       "本期内获得的客户数", "Customers acquired during the period", _G, "count", "new"),
    _k("churn_rate", "客户流失率", "Churn rate",
       "期初客户中，本期内有状态事件变为流失或作废的客户数 ÷ 期初客户数",
       "Customers at start with a status event to churned or voided during the period ÷ "
       "customers at start", _G, "proportion", "churn_num", "at_start"),
    _k("churn_only_rate", "客户流失率（不含作废）", "Churn rate excluding voids",
       "期初客户中，本期内有状态事件变为流失的客户数 ÷ 期初客户数（作废单独计入作废率）",
       "Customers at start with a status event to churned during the period ÷ customers at "
       "start (voids are counted by void_rate)", _G, "proportion", "churn_only_num", "at_start"),
    _k("net_customer_change_rate", "客户净减少率", "Net customer change rate",
       "（期初客户数 − 期末客户数）÷ 期初客户数；本期没有新增客户时等于流失率",
       "(customers at start − customers at end) ÷ customers at start; equals churn_rate only "
       "when nobody is acquired or won back in the period", _G, "ratio", "net_change_num",
       "at_start"),
    _k("retention_rate", "客户保留率", "Retention rate",
       "（期末客户数 − 本期新增且期末仍在的客户数）÷ 期初客户数",
       "(customers at end − customers acquired during the period that are customers at end) ÷ "
       "customers at start", _G, "ratio", "retention_num", "at_start"),
    _k("void_ratio", "作废客户占比", "Voided-customer ratio",
       "期末状态为作废的客户数 ÷ 期末前获得的客户数",
       "Customers whose status at the period end is voided ÷ customers acquired before the "
       "end", _G, "proportion", "void_end", "known"),
    _k("void_rate", "作废率", "Void rate",
       "期初客户中，本期内有状态事件变为作废的客户数 ÷ 期初客户数",
       "Customers at start with a status event to voided during the period ÷ customers at "
       "start", _G, "proportion", "void_num", "at_start"),
    _k("revenue", "收入", "Revenue",
       "本期未取消订单的金额合计", "Amount of the orders in the period that are not "
       "cancelled", _G, "amount", "rev_p", features={"revenue"}),
    _k("revenue_churn", "收入流失率", "Revenue churn",
       "流失率分子中的客户在上一期的收入 ÷ 上一期的总收入",
       "Revenue in the previous period of the customers in churn_rate's numerator ÷ total "
       "revenue of the previous period", _G, "proportion", "churn_prev_rev", "rev_prev",
       features={"revenue"}),
    _k("net_revenue_retention", "净收入留存率", "Net revenue retention",
       "期初客户本期的收入 ÷ 他们上一期的收入",
       "Revenue in the period of the customers at start ÷ their revenue in the previous "
       "period", _G, "ratio", "start_rev_p", "start_rev_prev", features={"revenue"}),
    _k("revenue_lost", "流失收入", "Revenue lost",
       "流失率分子中的客户在流失前 12 个月的收入", "Revenue in the 12 months before the loss "
       "of the customers in churn_rate's numerator", _G, "amount", "lost_rev",
       features={"lost_revenue"}),
    _k("complaint_rate", "客户投诉率", "Complaint rate",
       "本期提交的投诉工单数 ÷ 本期活跃客户数",
       "Complaint tickets opened in the period ÷ customers active in the period", _G, "ratio",
       "complaints", "active", features={"complaints"}),
    _k("followup_coverage", "跟进覆盖率", "Follow-up coverage",
       "本期内流失或作废、且之后（截至统计日）至少有一次跟进的客户数 ÷ 本期内流失或作废的客户数",
       "Customers churned or voided during the period with at least one follow-up after it "
       "(as of the as-of date) ÷ customers churned or voided during the period", _G,
       "proportion", "covered", "to_lost", features={"followup"}),
    _k("clv_predicted", "预测生命周期价值", "Predicted lifetime value",
       "期末客户的预测生命周期价值（价值模型最新评分）的平均值",
       "Mean predicted lifetime value (latest value-model score) of the customers at end",
       _G, "mean", "clv_sum", "clv_n", features={"clv"}),
    _k("tier_mix_customers", "客户分层（客户占比）", "Tier mix, customers",
       "期末客户中各价值层级的客户占比（维度值为层级）",
       "Share of the customers at end in each value tier (the dimension value is the tier)",
       "tier_mix", "proportion", "at_end", "at_end"),
    _k("tier_mix_revenue", "客户分层（收入占比）", "Tier mix, revenue",
       "本期收入中各价值层级客户的收入占比（维度值为层级）",
       "Share of the period's revenue from each value tier (the dimension value is the tier)",
       "tier_mix", "proportion", "rev_p", "rev_p", features={"revenue"}),
    _k("cac", "客户获取成本", "Customer acquisition cost",
       "本期获客支出（按渠道的投放费用 + 客户的获客成本）÷ 本期新增客户数",
       "Acquisition spend dated in the period (channel spend + customers' own acquisition "
       "cost) ÷ customers acquired during the period", "acquisition", "mean", "cost",
       "acquired"),
    _k("clv_historical", "客户生命周期价值", "Historical lifetime value",
       "过去 12 个月：平均订单价值 × 每客户年订单数 × 预期生命周期（1 ÷ 年流失率）",
       "Over the trailing 12 months: average order value × orders per customer per year × "
       "expected lifetime in years (1 ÷ annual churn rate)", "clv_historical", "ratio",
       additive=False),
    _k("clv_cac_ratio", "获客价值比", "CLV to CAC ratio",
       "本期新增客户的平均生命周期价值（有预测值用预测值，否则用历史值）÷ 客户获取成本",
       "Mean lifetime value (predicted when scored, else historical) of the customers acquired "
       "during the period ÷ cac", "clv_cac", "ratio", additive=False),
    _k("conversion_rate", "销售转化率", "Sales conversion rate",
       "本期创建的线索中（截至统计日）已成为客户的数量 ÷ 本期创建的线索数",
       "Leads created in the period that have become customers (as of the as-of date) ÷ leads "
       "created in the period", "leads", "proportion", "converted", "leads"),
    _k("response_time", "客户服务响应时间", "Service response time",
       "本期提交且已首次响应的工单的平均响应时长（小时）",
       "Mean hours from opening to first response of the tickets opened in the period that "
       "have a first response", "service", "mean", "hours", "answered"),
    _k("response_time_median", "响应时间中位数", "Median response time",
       "本期提交且已首次响应的工单的响应时长中位数（小时）",
       "Median hours to first response of the tickets opened in the period", "service",
       "quantile", "hours", additive=False),
    _k("response_time_p90", "响应时间 90 分位", "90th percentile response time",
       "本期提交且已首次响应的工单的响应时长 90 分位数（小时）",
       "90th percentile of the hours to first response of the tickets opened in the period",
       "service", "quantile", "hours", additive=False),
    _k("unanswered_tickets", "未响应工单数", "Unanswered tickets",
       "本期提交、截至统计日仍未首次响应的工单数",
       "Tickets opened in the period still without a first response at the as-of date",
       "service", "count", "unanswered"),
    _k("referral_rate", "客户推荐率", "Referral rate",
       "本期推荐意愿（0-10 分）打 9-10 分的问卷数 ÷ 本期有推荐意愿分数的问卷数",
       "Survey responses in the period scoring 9-10 on would-recommend (0-10) ÷ responses in "
       "the period with that score", "surveys", "proportion", "promoters", "rec_n"),
    _k("nps", "净推荐值", "Net promoter score",
       "（9-10 分占比 − 0-6 分占比）× 100", "(share scoring 9-10 − share scoring 0-6) × 100",
       "surveys", "ratio", "nps_num", "rec_n", scale=100.0),
    _k("csat", "客户满意度", "Customer satisfaction",
       "本期问卷满意度（1-5 分）的平均分", "Mean satisfaction (1-5) of the responses in the "
       "period", "surveys", "mean", "csat_sum", "csat_n"),
    _k("csat_share", "满意客户占比", "Satisfied share",
       "本期满意度打 4 或 5 分的问卷占比", "Share of the period's responses scoring 4 or 5 on "
       "satisfaction", "surveys", "proportion", "csat_hi", "csat_n"),
    _k("winback_rate", "挽回率", "Win-back rate",
       "本期被跟进的流失或作废客户中，跟进后 N 天内再次下单的客户数 ÷ 本期被跟进的流失或作废客户数",
       "Churned or voided customers followed up in the period who ordered again within N days "
       "of the follow-up ÷ churned or voided customers followed up in the period", "winback",
       "proportion", "won", "followed"),
)  # fmt: skip

CATALOGUE: dict[str, Kpi] = {k.id: k for k in KPIS}

register(
    {f"metric.{k.id}": {"zh": k.name_zh, "en": k.name_en} for k in KPIS}
    | {f"metric.{k.id}.definition": {"zh": k.definition_zh, "en": k.definition_en} for k in KPIS}
)


def get_kpis(ids: list[str] | tuple[str, ...] | None) -> list[Kpi]:
    """The KPIs named (all of them when None), in catalogue order; unknown ids are an error."""
    if not ids:
        return list(KPIS)
    for i in ids:
        if i not in CATALOGUE:
            raise InputError("metrics.unknown_metric", metric=i)
    wanted = set(ids)
    return [k for k in KPIS if k.id in wanted]


def catalogue_rows(lang: Lang | str = "en") -> list[dict[str, str]]:
    """The catalogue as rows (id, name, 中文, English, definition) for listings."""
    return [
        {"id": k.id, "name_zh": k.name_zh, "name_en": k.name_en, "kind": k.kind,
         "definition": k.definition(lang), "definition_zh": k.definition_zh,
         "definition_en": k.definition_en}
        for k in KPIS
    ]  # fmt: skip
