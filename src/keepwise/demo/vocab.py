"""Vocabularies and business parameters of the demo company.

Codes are English (the dashboard translates them); customer and staff names mix Chinese and
English, as exports from Chinese CRMs do. Every parameter here is a plain constant so that the
simulation code stays readable and a reader can see at a glance what drives what.
"""

from __future__ import annotations

import numpy as np

# --- customer dimensions -------------------------------------------------------------------------

SEGMENTS = ("enterprise", "mid_market", "smb")
SEGMENT_SHARE = np.array([0.08, 0.27, 0.65])
#: Enterprise and mid-market customers sign yearly contracts; small businesses just buy.
CONTRACTUAL = np.array([True, True, False])

INDUSTRIES = (
    "manufacturing", "wholesale", "retail", "logistics", "healthcare",
    "technology", "construction", "food", "chemicals", "education",
)  # fmt: skip
INDUSTRY_SHARE = np.array([0.20, 0.14, 0.12, 0.09, 0.08, 0.11, 0.08, 0.08, 0.06, 0.04])

#: 华东 华南 华北 华中 西南 西北 东北.
REGIONS = ("east", "south", "north", "central", "southwest", "northwest", "northeast")
REGION_SHARE = np.array([0.34, 0.22, 0.15, 0.11, 0.08, 0.04, 0.06])
#: The service teams of the far regions are understaffed: their tickets wait longer, which
#: is one of the visible causes of service churn.
REGION_SERVICE_DELAY = np.array([1.0, 1.0, 1.2, 1.4, 2.6, 3.2, 2.8])

CHANNELS = ("referral", "trade_show", "online_ads", "cold_call", "partner", "website")
#: Channel mix per segment (rows follow SEGMENTS): big accounts come from referrals, fairs and
#: partners, small ones from ads, the website and cold calls.
CHANNEL_BY_SEGMENT = np.array(
    [
        [0.30, 0.25, 0.05, 0.10, 0.25, 0.05],
        [0.20, 0.20, 0.15, 0.15, 0.15, 0.15],
        [0.12, 0.08, 0.30, 0.18, 0.07, 0.25],
    ]
)
#: Typical cost to acquire one small-business customer per channel (CNY); scaled by segment.
CHANNEL_CAC = np.array([900.0, 2600.0, 1500.0, 1100.0, 1800.0, 700.0])
SEGMENT_CAC_FACTOR = np.array([4.0, 1.8, 1.0])
#: Share of leads that become customers, per channel.
CHANNEL_CONVERSION = np.array([0.45, 0.20, 0.12, 0.10, 0.35, 0.15])

# --- products ------------------------------------------------------------------------------------

#: Product lines: a customer mainly buys from one line. SaaS customers produce usage data.
LINES = ("saas", "equipment", "consumables")
LINE_BY_SEGMENT = np.array([[0.35, 0.45, 0.20], [0.35, 0.30, 0.35], [0.30, 0.15, 0.55]])
SAAS_LINE = 0

PRODUCTS = (
    "SmartOps 云平台 基础版", "SmartOps 云平台 专业版", "实施与集成服务", "培训课程",
    "KW-300 检测设备", "年度维保服务", "工业耗材 A 型", "工业耗材 B 型", "备品备件",
)  # fmt: skip
#: List price per unit (CNY) and gross margin: subscriptions earn most, consumables least.
PRODUCT_PRICE = np.array([1200.0, 3600.0, 8000.0, 900.0, 15000.0, 2000.0, 260.0, 480.0, 650.0])
PRODUCT_MARGIN = np.array([0.82, 0.85, 0.35, 0.60, 0.40, 0.55, 0.22, 0.28, 0.45])
#: Product mix of each line (rows follow LINES).
PRODUCT_BY_LINE = np.array(
    [
        [0.45, 0.30, 0.10, 0.15, 0.00, 0.00, 0.00, 0.00, 0.00],
        [0.00, 0.05, 0.05, 0.05, 0.12, 0.28, 0.15, 0.10, 0.20],
        [0.00, 0.00, 0.00, 0.00, 0.02, 0.08, 0.45, 0.35, 0.10],
    ]
)
#: The list-price rise on the price-rise date (see timeline.Scenario).
PRICE_RISE = 0.12

# --- behaviour per segment (rows follow SEGMENTS) ------------------------------------------------

ORDERS_PER_YEAR = np.array([32.0, 19.0, 13.0])
ORDER_VALUE = np.array([16000.0, 5200.0, 1500.0])
TICKETS_PER_YEAR = np.array([3.0, 1.5, 0.6])
FOLLOWUPS_PER_YEAR = np.array([12.0, 6.0, 2.5])
VISITS_PER_WEEK = np.array([30.0, 12.0, 4.0])
#: Multiplier of every spontaneous churn hazard: small businesses come and go.
SEGMENT_CHURN = np.array([0.45, 0.75, 1.0])
SEGMENT_PRICE_SENSITIVITY = np.array([0.5, 0.9, 1.3])
#: Chance that a long silence (no follow-up for NEGLECT_DAYS) makes the customer leave.
NEGLECT_CHURN = np.array([0.35, 0.20, 0.07])
NEGLECT_DAYS = 180.0

# --- churn reasons -------------------------------------------------------------------------------

#: The reason taxonomy of DESIGN.md, in its order (codes are stable).
REASONS = (
    "product_fit", "quality", "price", "service", "experience", "neglect", "competitor",
    "owner_left", "innovation", "supplier_instability", "short_term", "market",
    "customer_business", "no_value", "duplicate", "invalid", "other",
)  # fmt: skip
R = {code: i for i, code in enumerate(REASONS)}

#: Yearly hazards of the reasons that need no trigger in the data (before segment scaling).
BACKGROUND_HAZARD = {
    "competitor": 0.040,
    "customer_business": 0.028,
    "market": 0.012,
    "innovation": 0.010,
    "experience": 0.010,
    "short_term": 0.006,
    "other": 0.012,
}

COMPETITORS = (
    "华信云科", "Apex Industrial", "拓维供应链", "BlueOcean Systems", "众诚集团",
    "Meridian Supply", "瑞泽科技", "Kestrel Software",
)  # fmt: skip
COMPETITOR_SHARE = np.array([0.22, 0.16, 0.15, 0.12, 0.12, 0.09, 0.08, 0.06])

# --- service -------------------------------------------------------------------------------------

TICKET_CATEGORIES = (
    "technical",
    "usage_question",
    "billing",
    "service_attitude",
    "quality",
    "delivery",
)
TICKET_BY_LINE = np.array(
    [
        [0.35, 0.30, 0.12, 0.10, 0.08, 0.05],
        [0.20, 0.15, 0.10, 0.10, 0.25, 0.20],
        [0.05, 0.10, 0.15, 0.10, 0.30, 0.30],
    ]
)
COMPLAINT_SHARE = np.array([0.20, 0.03, 0.35, 0.80, 0.55, 0.50])
DELIVERY = TICKET_CATEGORIES.index("delivery")
QUALITY = TICKET_CATEGORIES.index("quality")
#: Median hours to first response and to resolution, before regional delays.
RESPONSE_HOURS = 3.0
RESOLUTION_HOURS = 20.0

FEATURES = ("dashboard", "orders", "inventory", "reports", "crm", "mobile_app", "api")
FEATURE_SHARE = np.array([0.28, 0.20, 0.14, 0.14, 0.12, 0.08, 0.04])

# --- follow-ups ----------------------------------------------------------------------------------

#: 跟进方式 (the contract's interaction ``channel``) per segment: big accounts get visits.
CONTACT_CHANNELS = ("call", "visit", "wechat", "email")
CONTACT_BY_SEGMENT = np.array(
    [[0.30, 0.35, 0.25, 0.10], [0.40, 0.15, 0.35, 0.10], [0.40, 0.03, 0.45, 0.12]]
)
#: 跟进类型 (the contract's interaction ``type``).
FOLLOWUP_TYPES = ("routine", "care", "complaint_followup", "retention", "exit_survey", "winback")
OUTCOMES = (
    "positive", "neutral", "no_answer", "negative", "issue_resolved", "reason_confirmed",
    "offer_accepted", "offer_declined",
)  # fmt: skip

STATUSES = ("active", "at_risk", "churned", "voided", "won_back")
