"""Calibration/holdout check of the transaction model (Fader, Hardie & Lee 2005, Figure 4):
fit BG/NBD on a calibration period, then compare the mean purchases each calibration-frequency
group actually made in the holdout period with what the model predicted — as a table and as a
self-contained SVG bar chart (no plotting library, so it works offline anywhere).

The fit is that of ``value clv`` (:func:`keepwise.value.fitting.fit_transaction_model`: a small
penalty only if the plain fit fails, notes for the user). Customers first seen on the
calibration end (T = 0) are kept: they carry no information for the fit (likelihood 1) and are
predicted as customers just acquired."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from typing import cast

import pandas as pd

from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.models import calibration_holdout_table
from keepwise.store import Store
from keepwise.value.fitting import Note, fit_transaction_model
from keepwise.value.rfm import Unit, rfm_calibration_holdout

register(
    {
        "value.bad_unit": {"zh": "时间单位 {unit} 无效：请用 days 或 weeks",
                           "en": "Invalid unit {unit}: use days or weeks"},
        "value.bad_holdout": {"zh": "验证期末 {obs} 必须晚于校准期末 {cal}",
                              "en": "The holdout end {obs} must come after the calibration end {cal}"},
        "value.no_calibration_orders": {
            "zh": "校准期末 {cal} 之前没有订单，无法校验模型",
            "en": "No orders before the calibration end {cal}: nothing to check the model on"},
    }
)  # fmt: skip


@dataclass(frozen=True)
class CalibrationCheck:
    calibration_end: dt.date
    observation_end: dt.date
    unit: str
    params: dict[str, float]
    #: indexed by calibration frequency (the last group is "max or more"): n_customers,
    #: actual, predicted, difference (predicted − actual)
    table: pd.DataFrame
    notes: list[Note] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        rows = self.table.reset_index().to_dict(orient="records")
        return {"calibration_end": self.calibration_end.isoformat(),
                "observation_end": self.observation_end.isoformat(), "unit": self.unit,
                "params": self.params, "groups": rows,
                "notes": [n.to_dict() for n in self.notes]}  # fmt: skip

    def svg(self, title: str, labels: tuple[str, str]) -> str:
        return calibration_svg(self, title, labels)


def calibration_check(
    store: Store,
    calibration_end: dt.date,
    observation_end: dt.date,
    unit: str = "weeks",
    max_frequency: int = 7,
) -> CalibrationCheck:
    if unit not in ("days", "weeks"):
        raise InputError("value.bad_unit", unit=unit)
    if observation_end <= calibration_end:
        raise InputError("value.bad_holdout", cal=calibration_end, obs=observation_end)
    summary = rfm_calibration_holdout(
        store.table("orders"), calibration_end, observation_end, unit=cast(Unit, unit)
    ).execute()
    if summary.empty:
        raise InputError("value.no_calibration_orders", cal=calibration_end)
    notes: list[Note] = []
    x, t_x, age = summary["frequency"], summary["recency"], summary["T"]
    model = fit_transaction_model(x, t_x, age, "bgnbd", notes)
    table = calibration_holdout_table(
        model, x, t_x, age, summary["frequency_holdout"], summary["duration_holdout"],
        max_frequency=max_frequency,
    )  # fmt: skip
    return CalibrationCheck(calibration_end, observation_end, unit, dict(model.params_), table,
                            notes)  # fmt: skip


def calibration_svg(check: CalibrationCheck, title: str, labels: tuple[str, str]) -> str:
    """Grouped bars (actual, predicted) per calibration-frequency group; ``labels`` name the two
    series in the user's language."""
    table = check.table
    width, height, left, bottom, top = 640, 360, 48, 40, 36
    plot_w, plot_h = width - left - 16, height - bottom - top
    peak = max(float(table[["actual", "predicted"]].to_numpy().max()), 1e-9) * 1.1
    group_w = plot_w / len(table)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 16}" y2="{top + plot_h}" '
        'stroke="#333"/>',
    ]
    last = int(table.index.max())
    for i, (freq, row) in enumerate(table.iterrows()):
        x0 = left + i * group_w + group_w * 0.15
        for j, (column, colour) in enumerate((("actual", "#4c78a8"), ("predicted", "#f58518"))):
            bar_h = float(row[column]) / peak * plot_h
            parts.append(
                f'<rect x="{x0 + j * group_w * 0.35:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{group_w * 0.33:.1f}" height="{bar_h:.1f}" fill="{colour}">'
                f"<title>{column}: {float(row[column]):.3f}</title></rect>"
            )
        tick = f"{freq}+" if int(str(freq)) == last else str(freq)
        parts.append(f'<text x="{x0 + group_w * 0.35:.1f}" y="{top + plot_h + 16}" '
                     f'text-anchor="middle">{tick}</text>')  # fmt: skip
    for j, (label, colour) in enumerate(zip(labels, ("#4c78a8", "#f58518"), strict=True)):
        y = top + 8 + j * 16
        parts.append(f'<rect x="{left + 8}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + 22}" y="{y}">{escape(label)}</text>')  # fmt: skip
    parts.append("</svg>")
    return "\n".join(parts)
