"""Fitting the customer-value models for the value features: one place for the fallbacks.

``value clv``/``value score`` (:mod:`keepwise.value.scoring`) and ``value calibration``
(:mod:`keepwise.value.calibration`) fit the transaction model the same way: the plain
maximum-likelihood fit first and, only if it fails, a small L2 penalty (0.001, then 0.01), each
failure and each parameter the data leave unidentified recorded as a :class:`Note` for the
user.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy.typing as npt

from keepwise._core.i18n import register, t
from keepwise.models.clv import BGNBD, ConvergenceError, ParetoNBD

PENALTIES = (0.0, 0.001, 0.01)
TRANSACTION_MODELS: dict[str, type[BGNBD] | type[ParetoNBD]] = {
    "bgnbd": BGNBD,
    "pareto_nbd": ParetoNBD,
}

register(
    {
        "value.note.fit_failed": {
            "zh": "{model} 模型拟合失败（惩罚系数 {penalty}）：{error}",
            "en": "The {model} fit failed (penalizer {penalty}): {error}",
        },
        "value.note.not_identified": {
            "zh": "{model} 模型：数据无法确定参数 {params}（似然在其方向上是平的，最优解在参数空间"
                  "边界，例如看不到客户流失）；预测按该极限模型计算，这些参数不计入区间",
            "en": "{model}: the data do not identify {params} (the likelihood is flat along "
                  "them, its maximum at the edge of the parameter space, e.g. no visible "
                  "drop-out); predictions are those of that limit, and the CLV interval holds "
                  "these parameters fixed",
        },
    }
)  # fmt: skip


@dataclass(frozen=True)
class Note:
    """A remark on a fit or a scoring run, shown in the user's language."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "zh": self.text("zh"), "en": self.text("en")}


def fit_transaction_model(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    kind: str,
    notes: list[Note],
) -> BGNBD | ParetoNBD:
    """BG/NBD (``kind="bgnbd"``) or Pareto/NBD (``"pareto_nbd"``) on all customers; a small L2
    penalty only if the plain fit fails. Appends to ``notes``; raises ConvergenceError (with
    every attempt's error) when no fit succeeds."""
    cls = TRANSACTION_MODELS[kind]
    failures: list[Note] = []
    for penalty in PENALTIES:
        try:
            model = cls(penalizer_coef=penalty).fit(frequency, recency, T)
        except (ConvergenceError, ValueError) as exc:
            failures.append(
                Note("value.note.fit_failed", {"model": kind, "penalty": penalty, "error": exc})
            )
            continue
        notes.extend(failures)
        unidentified = [name for name, known in model.identified_.items() if not known]
        if unidentified:
            notes.append(
                Note(
                    "value.note.not_identified", {"model": kind, "params": ", ".join(unidentified)}
                )
            )
        return model
    notes.extend(failures)
    raise ConvergenceError("; ".join(n.text() for n in failures))
