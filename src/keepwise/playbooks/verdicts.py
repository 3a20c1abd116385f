"""The verdict on a playbook in plain words, in both languages (:func:`keepwise.models.uplift.
verdict` decides; this says it)."""

from __future__ import annotations

from keepwise._core.i18n import Text, register, t
from keepwise.models.uplift import Uplift

register(
    {
        "playbooks.verdict.worked": {
            "zh": "有效：执行组{measure} {rate1}，对照组 {rate0}，高出 {size} 个百分点"
            "（95% 置信区间 {low} 至 {high}），p {p}。",
            "en": "It worked: {rate1} of the treated {measure} against {rate0} of the "
            "hold-out, {size} points more (95% CI {low} to {high} points), p {p}.",
        },
        "playbooks.verdict.harmful": {
            "zh": "有害：执行组{measure} {rate1}，低于对照组的 {rate0}，低 {size} 个百分点"
            "（95% 置信区间 {low} 至 {high}），p {p}。",
            "en": "It did harm: {rate1} of the treated {measure} against {rate0} of the "
            "hold-out, {size} points fewer (95% CI {low} to {high} points), p {p}.",
        },
        "playbooks.verdict.no_effect": {
            "zh": "没有值得一提的效果：执行组{measure} {rate1}，对照组 {rate0}；差异在 {low} 至 "
            "{high} 个百分点之间，p {p}。",
            "en": "No effect worth having: {rate1} of the treated {measure} against {rate0} "
            "of the hold-out; the difference lies between {low} and {high} points, p {p}.",
        },
        "playbooks.verdict.too_few": {
            "zh": "客户太少，无法判断：执行组{measure} {rate1}，对照组 {rate0}，差异 {diff} 个"
            "百分点，但 95% 置信区间（{low} 至 {high}）比效果更宽，不显著（p {p}）。",
            "en": "Too few customers to tell: {rate1} of the treated {measure} against "
            "{rate0} of the hold-out, {diff} points, but the 95% interval ({low} to {high} "
            "points) is wider than the effect: not significant (p {p}).",
        },
        "playbooks.verdict.no_holdout": {
            "zh": "无法判断：执行组或对照组还没有评估期已结束的目标客户（执行组 {n1}，对照组 {n0}）。",
            "en": "Cannot tell yet: the treated or the hold-out group has no target whose "
            "window has ended (treated {n1}, hold-out {n0}).",
        },
        "playbooks.measure_phrase.retention": {"zh": "留存率", "en": "were retained"},
        "playbooks.measure_phrase.winback": {"zh": "挽回率", "en": "were won back"},
    }
)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _points(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}"


def _size(x: float | None) -> str:
    return "—" if x is None else f"{abs(x) * 100:.1f}"


def verdict_text(u: Uplift, measure: str, lang: str) -> str:
    """One sentence: what happened, the interval, the p-value, the verdict."""
    p = "= —" if u.p_value is None else (f"= {u.p_value:.3f}" if u.p_value >= 0.001 else "< 0.001")
    return t(
        f"playbooks.verdict.{u.verdict}", lang,
        measure=Text(f"playbooks.measure_phrase.{measure}"),
        rate1=_pct(u.rate1), rate0=_pct(u.rate0), diff=_points(u.difference), size=_size(u.difference),
        low=_points(u.ci_low), high=_points(u.ci_high), p=p, n1=u.n1, n0=u.n0,
    )  # fmt: skip
