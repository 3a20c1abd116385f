"""Free-text fields (status-event notes, follow-up notes, survey comments), in Chinese as the
staff of the demo company write them. Each text is picked by the cause behind the record, so
notes agree with the numbers."""

from __future__ import annotations

#: Churn and void notes by reason code (several phrasings each).
REASON_NOTES: dict[str, tuple[str, ...]] = {
    "product_fit": ("客户反馈产品功能与其业务需求不匹配", "试用后认为产品不适合其流程"),
    "quality": ("多次出现质量问题，客户决定停止采购", "质量投诉后客户更换供应商"),
    "price": ("客户认为价格偏高，转向更低价的供应商", "客户认为我方性价比不足"),
    "service": ("投诉处理不及时，客户终止合作", "客户对售后响应速度不满"),
    "experience": ("下单和交付流程繁琐，客户体验差", "客户反映使用体验不佳"),
    "neglect": ("长期无人跟进，客户已转向其他供应商", "客户表示很久没有接到我方联系"),
    "competitor": ("竞争对手提供了更优方案", "客户被竞品以更好条件挖走"),
    "owner_left": ("原负责人离职后客户未能顺利交接", "客户随原销售转向新公司"),
    "innovation": ("客户认为产品多年无新功能", "客户需要的新功能我方未能提供"),
    "supplier_instability": ("供货中断期间客户改用其他供应商", "交付延误后客户对我方供货失去信心"),
    "short_term": ("促销政策变动损害了客户利益", "我方单方面调整合作条款"),
    "market": ("客户所在行业需求下滑", "市场环境变化，客户缩减采购"),
    "customer_business": ("客户业务调整，不再需要该产品", "客户公司经营困难已停业"),
    "no_value": ("长期低频低额，按无价值客户淘汰规则作废", "半年评审：利润贡献为负，作废"),
    "duplicate": ("与已有客户重复录入，作废", "重复客户，已合并到原客户"),
    "invalid": ("联系方式无效，无法核实客户信息", "测试或无效数据，作废"),
    "other": ("客户未说明原因", "其他原因流失"),
}

AT_RISK_NOTES: dict[str, str] = {
    "orders": "系统预警：近90天下单频次明显下降",
    "usage": "系统预警：产品使用量持续下滑",
    "service": "系统预警：近期投诉未妥善解决",
    "quality": "系统预警：近期出现质量投诉",
    "neglect": "系统预警：超过180天未跟进",
    "owner_left": "系统预警：负责人已离职，客户待交接",
    "price": "系统预警：客户频繁比价，采购金额下降",
    "contract": "系统预警：合同即将到期",
}

RECOVERED_NOTE = "风险解除，客户恢复正常下单"
REVERTED_NOTE = "误作废，经核实恢复为正常客户"
WON_BACK_NOTES = ("挽回成功：提供续约优惠后恢复合作", "挽回成功：拜访后客户重新下单")

#: Follow-up notes by vocab.FOLLOWUP_TYPES index, then by outcome.
FOLLOWUP_NOTES: dict[tuple[str, str], str] = {
    ("routine", "positive"): "例行回访，客户对产品和服务满意",
    ("routine", "neutral"): "例行回访，客户暂无新需求",
    ("routine", "no_answer"): "电话未接通，稍后再联系",
    ("routine", "negative"): "客户表达不满，需关注",
    ("care", "positive"): "节日/生日问候，客户表示感谢",
    ("care", "neutral"): "发送关怀信息",
    ("care", "no_answer"): "关怀信息未回复",
    ("care", "negative"): "关怀回访时客户抱怨近期问题",
    ("complaint_followup", "issue_resolved"): "投诉回访：问题已解决，客户认可",
    ("complaint_followup", "neutral"): "投诉回访：已记录客户意见",
    ("complaint_followup", "negative"): "投诉回访：客户仍不满意",
    ("retention", "positive"): "风险客户回访，客户承诺继续合作",
    ("retention", "negative"): "风险客户回访，客户有流失意向",
    ("retention", "no_answer"): "风险客户回访未接通",
    ("exit_survey", "reason_confirmed"): "流失/作废客户回访，已确认原因",
    ("exit_survey", "no_answer"): "流失/作废客户回访，未联系上",
    ("winback", "offer_accepted"): "挽回：客户接受优惠方案",
    ("winback", "offer_declined"): "挽回：客户婉拒优惠方案",
}

#: Survey comments by the reason given for a low score; and for high scores.
SURVEY_COMMENTS: dict[str, str] = {
    "service": "客服响应太慢",
    "quality": "产品质量不稳定",
    "price": "价格涨得太多了",
    "experience": "下单流程太复杂",
    "product_fit": "部分功能用不上",
    "supplier_instability": "交货经常延迟",
    "praise": "服务很好，继续保持",
}
