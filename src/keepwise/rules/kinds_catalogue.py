"""The built-in rule kinds: their parameters, defaults and labels (预警规则类型).

Each kind is evaluated by the function of the same name in :mod:`keepwise.rules.kinds`;
this module only describes them, so the rule file parser and the documentation share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from keepwise._core.words import LEVELS, SUGGESTED_PLAYBOOKS

SEVERITIES = tuple(LEVELS)
PLAYBOOKS = tuple(SUGGESTED_PLAYBOOKS)
BANDS = tuple(LEVELS)


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind. ``type`` is int, float, bool, str or list (of str)."""

    name: str
    type: type
    default: object
    help_en: str
    help_zh: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    label_zh: str
    label_en: str
    severity: str
    playbook: str
    params: tuple[Param, ...]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def defaults(self) -> dict[str, object]:
        return {p.name: (list(p.default) if isinstance(p.default, list) else p.default)
                for p in self.params}  # fmt: skip


def _window(days: int) -> Param:
    return Param("window_days", int, days, "recent window, in days", "近期窗口（天）", minimum=1)


def _baseline(days: int) -> Param:
    return Param("baseline_days", int, days,
                 "the customer's norm is measured over this many days before the window",
                 "窗口之前用于计算客户常态的天数", minimum=1)  # fmt: skip


def _threshold() -> Param:
    return Param("threshold_pct", float, 50.0,
                 "fires when the window falls below this % of the norm",
                 "窗口值低于常态的该百分比时触发", minimum=0, maximum=100)  # fmt: skip


def _min_norm() -> Param:
    return Param("min_norm", float, 1.0,
                 "customers whose norm per window is lower are not judged",
                 "每窗口常态低于该值的客户不参与判断", minimum=0)  # fmt: skip


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("purchase_drop", "购买频率下降", "Purchase frequency falling", "high",
             "loyalty_offer", (_window(90), _baseline(365), _threshold(), _min_norm())),
        Kind("usage_drop", "产品使用下降", "Product usage falling", "medium", "education", (
            _window(30), _baseline(180), _threshold(), _min_norm(),
            Param("metric", str, "visits", "what to count: visits or minutes",
                  "统计指标：访问次数 visits 或使用时长 minutes", choices=("visits", "minutes")),
        )),
        Kind("complaints_rising", "投诉增多", "Complaints rising", "high", "care_call", (
            _window(90), _baseline(365),
            Param("min_complaints", int, 2, "fires only with at least this many complaints "
                  "in the window", "窗口内投诉至少达到该数量才触发", minimum=1),
            Param("rise_pct", float, 100.0, "and the window exceeds the norm by at least this %",
                  "且窗口内投诉比常态至少高出该百分比", minimum=0),
        )),
        Kind("satisfaction_falling", "满意度下降", "Satisfaction falling", "medium", "survey", (
            _window(180), _baseline(365),
            Param("min_drop", float, 1.0, "fires when the mean CSAT (1-5) in the window is at "
                  "least this many points below the norm", "窗口内平均满意度（1-5）比常态至少"
                  "低该分数时触发", minimum=0),
            Param("low_csat", float, 2.0, "fires too when the mean CSAT in the window is at or "
                  "below this, whatever the norm", "窗口内平均满意度不高于该值时也触发",
                  minimum=1, maximum=5),
        )),
        Kind("no_followup", "长期未跟进", "No follow-up", "low", "care_call", (
            Param("days", int, 120, "fires when the last follow-up is more than this many days "
                  "old", "最近一次跟进距今超过该天数时触发", minimum=1),
        )),
        Kind("owner_left", "负责人离职", "Owner left the company", "medium", "care_call", (
            Param("within_days", int, 0, "only owners who left within this many days "
                  "(0: any time)", "仅限在该天数内离职的负责人（0 表示不限）", minimum=0),
        )),
        Kind("contract_ending", "合同即将到期且无续约动作", "Contract ending without renewal "
             "activity", "high", "exec_visit", (
            Param("days", int, 60, "contract ends within this many days", "合同在该天数内到期",
                  minimum=1),
            Param("lookback_days", int, 90, "renewal activity counted over this many days",
                  "统计续约动作的回看天数", minimum=1),
            Param("activity_types", list, ["renewal", "retention"], "interaction types that count "
                  "as renewal activity", "视为续约动作的跟进类型"),
            Param("count_orders", bool, False, "an order in the look-back counts as renewal "
                  "activity too", "回看期内的订单也视为续约动作"),
        )),
        Kind("risk_band_rising", "风险等级上升", "Risk band rising", "high", "care_call", (
            Param("min_band", str, "medium", "the new band must be at least this",
                  "新的风险等级至少为该等级", choices=BANDS),
        )),
    )
}  # fmt: skip
