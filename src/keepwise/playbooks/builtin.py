"""The built-in playbooks: seed 000's follow-up table for voided and lost customers (survey every
voided customer; a re-marketing offer to the price-sensitive and those whose needs changed; an
executive interview with key accounts) and seed 003's measures ③-⑩ on the early-warning alerts,
risk bands, value tiers and the care calendar."""

from __future__ import annotations

from keepwise.playbooks.spec import Action, Playbook, Trigger


def _pb(pid: str, zh: str, en: str, trigger: Trigger, action: Action, **kw: object) -> Playbook:
    return Playbook(pid, zh, en, trigger, (action,), **kw)  # type: ignore[arg-type]


BUILTIN: tuple[Playbook, ...] = (
    # seed 000 §4: 调查问卷 — every voided customer
    _pb("void_survey", "作废客户调查问卷", "Survey every voided customer",
        Trigger(status=("voided",)),
        Action("survey", due_days=7, cost=30.0,
               message_zh="请联系作废客户 {customer}（{customer_id}），用问卷了解作废原因（{detail}）",
               message_en="Survey voided customer {customer} ({customer_id}) on why they left "
               "({detail})"),
        cooldown_days=365),
    # seed 000 §4: 二次营销 — price-sensitive or needs changed
    _pb("lost_remarketing", "流失客户二次营销", "Re-marketing offer to lost customers",
        Trigger(status=("churned", "voided"), reason=("price", "product_fit")),
        Action("winback_offer", due_days=14, cost=300.0,
               message_zh="{customer}（{customer_id}）因{detail}离开：请提供促销或优惠方案吸引回流",
               message_en="{customer} ({customer_id}) left over {detail}: make a promotion or "
               "discount offer to win them back"),
        cooldown_days=365),
    # seed 000 §4: 高管访谈 — key accounts
    _pb("key_account_interview", "重点客户高管访谈", "Executive interview with lost key accounts",
        Trigger(status=("churned", "voided")),
        Action("exec_visit", owner="role:manager", due_days=14, cost=1000.0,
               message_zh="重点客户 {customer}（{customer_id}）已流失或作废：请安排高管访谈，了解需求",
               message_en="Key account {customer} ({customer_id}) is lost: hold an executive "
               "interview to understand their needs"),
        filter={"segment": ("enterprise",)}, cooldown_days=365),
    # seed 003 ③ proactive contact, before the contract ends
    _pb("contract_renewal", "合同到期前高管拜访", "Executive visit before the contract ends",
        Trigger(alert=("contract_ending",)),
        Action("exec_visit", due_days=14, cost=800.0,
               message_zh="{customer}（{customer_id}）合同即将到期且无续约动作：请安排高层拜访（{detail}）",
               message_en="{customer} ({customer_id})'s contract ends soon with no renewal "
               "activity: arrange an executive visit ({detail})"),
        cooldown_days=180),
    # seed 003 ⑧ fast response
    _pb("complaint_fast_response", "投诉快速响应", "Fast response to rising complaints",
        Trigger(alert=("complaints_rising",)),
        Action("fast_response", due_days=2, cost=150.0,
               message_zh="{customer}（{customer_id}）投诉增多：请升级处理并在两天内回复（{detail}）",
               message_en="{customer} ({customer_id}) complains more and more: escalate and "
               "answer within two days ({detail})"),
        cooldown_days=90),
    # seed 003 ③ proactive contact on a high churn risk
    _pb("high_risk_care_call", "高风险客户关怀回访", "Care call to high-risk customers",
        Trigger(risk_band=("high",)),
        Action("care_call", due_days=7, cost=50.0,
               message_zh="{customer}（{customer_id}）流失风险高：请主动联系，了解不满并给出方案",
               message_en="{customer} ({customer_id}) is at high risk of leaving: call, hear "
               "what is wrong and offer a solution"),
        cooldown_days=90),
    # seed 003 ④ satisfaction research
    _pb("satisfaction_survey", "满意度下降调研", "Survey when satisfaction falls",
        Trigger(alert=("satisfaction_falling",)),
        Action("survey", due_days=14, cost=30.0,
               message_zh="{customer}（{customer_id}）满意度下降：请做满意度调研（{detail}）",
               message_en="{customer} ({customer_id})'s satisfaction is falling: run a "
               "satisfaction survey ({detail})"),
        cooldown_days=180),
    # seed 003 ⑤ value upgrade for high-value customers
    _pb("value_upgrade", "高价值客户专属权益", "Exclusive offer for high-value customers",
        Trigger(tier=("high",)),
        Action("loyalty_offer", due_days=30, cost=500.0,
               message_zh="{customer}（{customer_id}）为高价值客户：请提供专属优惠或增值服务",
               message_en="{customer} ({customer_id}) is a high-value customer: offer an "
               "exclusive discount or added service"),
        cooldown_days=365),
    # seed 003 ⑥ customer education
    _pb("usage_education", "使用下降客户培训", "Education when product use falls",
        Trigger(alert=("usage_drop",)),
        Action("education", due_days=14, cost=200.0,
               message_zh="{customer}（{customer_id}）产品使用下降：请安排培训或研讨会（{detail}）",
               message_en="{customer} ({customer_id}) uses the product less: offer a training "
               "session ({detail})"),
        cooldown_days=180),
    # seed 003 ⑦ loyalty programme
    _pb("purchase_loyalty", "购买下降忠诚度计划", "Loyalty offer when purchases fall",
        Trigger(alert=("purchase_drop",)),
        Action("loyalty_offer", due_days=14, cost=200.0,
               message_zh="{customer}（{customer_id}）购买频率下降：请介绍积分与会员权益（{detail}）",
               message_en="{customer} ({customer_id}) buys less often: offer points and member "
               "benefits ({detail})"),
        cooldown_days=180),
    # seed 003: an owner's departure takes customers along (员工跳槽)
    _pb("owner_left_care", "负责人离职客户交接回访", "Hand-over call after the owner left",
        Trigger(alert=("owner_left",)),
        Action("care_call", owner="role:manager", due_days=7, cost=50.0,
               message_zh="{customer}（{customer_id}）的负责人已离职：请尽快联系并完成交接",
               message_en="{customer} ({customer_id})'s owner has left: call them and hand the "
               "account over"),
        cooldown_days=365),
    # seed 003 ③ proactive contact after a long silence
    _pb("no_followup_call", "长期未跟进客户回访", "Call customers not followed up for long",
        Trigger(alert=("no_followup",)),
        Action("care_call", due_days=7, cost=30.0,
               message_zh="{customer}（{customer_id}）长期未跟进：请主动回访（{detail}）",
               message_en="{customer} ({customer_id}) has not heard from us for long: call "
               "them ({detail})"),
        cooldown_days=120),
    # seed 003 ⑩ continuous care: birthdays, contract anniversaries, holidays
    _pb("care_calendar", "节日生日关怀", "Care on birthdays, anniversaries and holidays",
        Trigger(care_calendar=("birthday", "contract_anniversary", "holiday"), days_ahead=7),
        Action("care_call", due_days=7, cost=20.0,
               message_zh="{customer}（{customer_id}）：{occasion}，请送上问候或小礼物",
               message_en="{customer} ({customer_id}): {occasion} — send greetings or a small "
               "gift"),
        filter={"tier": ("high", "mid")}, cooldown_days=0),
)  # fmt: skip


def builtin(playbook_id: str) -> Playbook:
    return next(p for p in BUILTIN if p.id == playbook_id)
