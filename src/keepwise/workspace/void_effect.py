"""Seed 000's evaluation of voided customers (作废客户评估), as data, in its five parts:

1. **ratio** — void ratio and void rate per period, and their trend (the KPI engine);
2. **reasons** — voids by reason, and where lost customers went (destination, by count and
   revenue);
3. **impact** — revenue, predicted CLV and acquisition cost lost with the voided customers
   (the KPI engine's impact, of voids only, beside that of every loss);
4. **follow-up** — how many voided customers the playbooks reached (surveyed, offered,
   interviewed) and with what result, beside the follow-up coverage KPI;
5. **measures** — churn and void rates before and after each playbook's first run, with the
   playbook's own treated-against-hold-out comparison.

The periods are ``[start, end)`` of ``grain`` (default: the 12 months before ``as_of``'s
month). Nothing here recomputes a KPI: figures come from ``ws.metrics`` and the playbooks'
evaluation.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from keepwise.workspace import Workspace

KPIS = ["void_ratio", "void_rate", "churn_rate", "followup_coverage"]
IMPACT = ["lost_customers", "revenue_lost", "clv_lost", "acquisition_cost_unrecovered"]


def void_effect(
    ws: Workspace, *, as_of: dt.date, start: dt.date | None, end: dt.date | None, grain: str
) -> dict[str, Any]:
    from keepwise.metrics import periods as pr

    last = pr.ceil(end, pr.check_grain(grain)) if end else pr.floor(as_of, "month")
    start = start or pr.add_months(last, -12)
    end = last
    kpis = ws.metrics.compute(KPIS, as_of=as_of, grain=grain, start=start, end=end)
    lost_until = min(end, as_of)
    return {
        "as_of": as_of, "start": start, "end": end, "grain": grain,
        "ratio": _ratio(kpis),
        "trend": _trend(kpis),
        "reasons": _reasons(ws, as_of, grain, start, end),
        "destinations": _records(_destinations(ws, start, lost_until)),
        "impact": _impact(ws, as_of, grain, start, end),
        "followup": _followup(ws, kpis, as_of, start, lost_until),
        "measures": _measures(ws, as_of),
    }  # fmt: skip


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): (None if _empty(v) else v) for k, v in row.items()}
            for row in df.to_dict(orient="records")]  # fmt: skip


def _empty(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _pooled(kpis: pd.DataFrame, metric: str) -> float | None:
    """One rate over several periods: the sum of numerators over the sum of denominators."""
    rows = kpis[kpis["metric"] == metric]
    den = float(rows["denominator"].sum())
    return float(rows["numerator"].sum()) / den if den else None


# --- 1. ratio and trend ----------------------------------------------------------------------


def _ratio(kpis: pd.DataFrame) -> list[dict[str, Any]]:
    by = {m: rows.set_index("period_start") for m, rows in kpis.groupby("metric")}
    ratio = by["void_ratio"]
    out = []
    for start, row in ratio.iterrows():
        out.append({
            "period_start": start, "period_end": row["period_end"],
            "complete": bool(row["complete"]), "void_ratio": row["value"],
            "voided": row["numerator"], "customers": row["denominator"],
            "void_rate": by["void_rate"].at[start, "value"],
            "voided_in_period": by["void_rate"].at[start, "numerator"],
            "churn_rate": by["churn_rate"].at[start, "value"],
        })  # fmt: skip
    return [{k: (None if _empty(v) else v) for k, v in r.items()} for r in out]


def _trend(kpis: pd.DataFrame) -> dict[str, Any]:
    """The void ratio at the first and last complete period and the change between them; the
    void rate of the first and second half of the complete periods, pooled."""
    done = kpis[kpis["complete"].astype(bool)]
    ratio = done[done["metric"] == "void_ratio"].sort_values("period_start")
    rate = done[done["metric"] == "void_rate"].sort_values("period_start")
    if ratio.empty:
        return {"first": None, "last": None, "change": None, "direction": None}
    first, last = float(ratio["value"].iloc[0]), float(ratio["value"].iloc[-1])
    half = len(rate) // 2
    early = _pooled(rate.iloc[:half], "void_rate") if half else None
    late = _pooled(rate.iloc[half:], "void_rate") if half else None
    change = last - first
    direction = "flat" if abs(change) < 1e-9 else ("rising" if change > 0 else "falling")
    return {"first": first, "last": last, "change": change, "direction": direction,
            "void_rate_first_half": early, "void_rate_second_half": late}  # fmt: skip


# --- 2. reasons and destinations -------------------------------------------------------------


def _reasons(ws: Workspace, as_of: dt.date, grain: str, start: dt.date,
             end: dt.date) -> list[dict[str, Any]]:  # fmt: skip
    df = ws.metrics.reasons(as_of=as_of, grain=grain, start=start, end=end)
    df = df[df["status"] == "voided"]
    keys = ["reason", "reason_zh", "reason_en", "avoidable"]
    out = df.groupby(keys, as_index=False, dropna=False)[["customers", "revenue_lost"]].sum()
    total = float(out["customers"].sum())
    out["share"] = out["customers"] / total if total else None
    return _records(out.sort_values("customers", ascending=False))


def _destinations(ws: Workspace, start: dt.date, end: dt.date) -> pd.DataFrame:
    from keepwise.playbooks.voids import destinations

    if start >= end:
        return pd.DataFrame(columns=["status", "destination", "customers", "revenue_12m"])
    return destinations(ws.tables(), ws.config.churn, start, end)


# --- 3. impact -------------------------------------------------------------------------------


def _impact(ws: Workspace, as_of: dt.date, grain: str, start: dt.date,
            end: dt.date) -> dict[str, Any]:  # fmt: skip
    voided = ws.metrics.impact(as_of=as_of, grain=grain, start=start, end=end,
                               lost_to=("voided",))  # fmt: skip
    every = ws.metrics.impact(as_of=as_of, grain=grain, start=start, end=end)
    return {"voided": {c: float(voided[c].sum()) for c in IMPACT},
            "all_lost": {c: float(every[c].sum()) for c in IMPACT}}  # fmt: skip


# --- 4. follow-up ------------------------------------------------------------------------------


def _followup(ws: Workspace, kpis: pd.DataFrame, as_of: dt.date, start: dt.date,
              end: dt.date) -> dict[str, Any]:  # fmt: skip
    from keepwise.playbooks.voids import followups

    coverage = _pooled(kpis, "followup_coverage")
    if start >= end:
        return {"voided": 0, "targeted": 0, "tasks": [], "feedback": [],
                "followup_coverage": coverage}  # fmt: skip
    con = ws.store.ibis()
    n, targeted, by_type, reasons = followups(
        ws.tables(), ws.config.churn, con.table("playbook_targets"), con.table("tasks"),
        start, end, as_of,
    )  # fmt: skip
    return {"voided": n, "targeted": targeted, "targeted_share": targeted / n if n else None,
            "tasks": _records(by_type), "feedback": _records(reasons),
            "followup_coverage": coverage}  # fmt: skip


# --- 5. what changed after the measures ---------------------------------------------------


def _measures(ws: Workspace, as_of: dt.date) -> list[dict[str, Any]]:
    """Per playbook that has run: churn and void rates over up to 12 whole months before its
    first run against the whole months after it, and its uplift against the hold-out."""
    from keepwise.metrics import periods as pr

    firsts = {p: f for p, f in ws.playbooks.first_runs().items() if f < as_of}
    if not firsts:
        return []
    earliest = pr.add_months(pr.floor(min(firsts.values()), "month"), -12)
    kpis = ws.metrics.compute(["churn_rate", "void_rate"], as_of=as_of, grain="month",
                              start=earliest, end=pr.floor(as_of, "month"))  # fmt: skip
    kpis = kpis[kpis["complete"].astype(bool)]
    evaluations = {e.playbook_id: e for e in ws.playbooks.evaluate(as_of=as_of, ids=list(firsts))}
    out = []
    for pid, first in firsts.items():
        starts = pd.to_datetime(kpis["period_start"]).dt.date
        ends = pd.to_datetime(kpis["period_end"]).dt.date
        before = kpis[(ends <= first) & (starts >= pr.add_months(first, -12))]
        after = kpis[starts >= first]
        e = evaluations[pid]
        out.append({
            "playbook_id": pid, "first_run": first,
            "months_before": int((before["metric"] == "churn_rate").sum()),
            "months_after": int((after["metric"] == "churn_rate").sum()),
            "churn_rate_before": _pooled(before, "churn_rate"),
            "churn_rate_after": _pooled(after, "churn_rate"),
            "void_rate_before": _pooled(before, "void_rate"),
            "void_rate_after": _pooled(after, "void_rate"),
            "measure": e.measure, "treated_rate": e.uplift.rate1, "holdout_rate": e.uplift.rate0,
            "difference": e.uplift.difference, "ci_low": e.uplift.ci_low,
            "ci_high": e.uplift.ci_high, "p_value": e.uplift.p_value, "verdict": e.uplift.verdict,
        })  # fmt: skip
    return out
