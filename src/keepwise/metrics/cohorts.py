"""Acquisition cohorts and survival.

* Cohort table: customers grouped by the period they were acquired in; at age k (k = 0, 1, …)
  a customer is retained when their status at the end of the k-th period after acquisition
  (cohort start + k + 1 periods) is neither churned nor voided. Ages are shown while that
  moment is not after ``as_of``.
* Curves: for each age, retained ÷ cohort size summed over the cohorts observed at that age.
* Kaplan-Meier: time from acquisition to the first loss (churned or voided), censored at
  ``as_of``, by a customer dimension, with confidence bands (lifelines).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from keepwise._core.config import ChurnConfig
from keepwise.churn import lifetimes
from keepwise.churn.timeline import status_at
from keepwise.metrics import periods as pr
from keepwise.metrics.context import Context, check_dimension
from keepwise.metrics.tables import LOST, Tables, from_null_key, null_key

COHORT_COLUMNS = ["cohort", "age", "dimension", "customers", "retained", "retention"]
CURVE_COLUMNS = ["age", "dimension", "cohorts", "customers", "retained", "retention"]
SURVIVAL_COLUMNS = ["group", "days", "survival", "ci_lower", "ci_upper", "at_risk", "lost"]
ALL = "all"


def _ages(ctx: Context) -> pd.DataFrame:
    rows = []
    for per in ctx.periods:
        age, moment = 0, per.end
        while moment <= ctx.as_of:
            rows.append((per.start, per.end, age, moment))
            age, moment = age + 1, pr.shift(per.start, ctx.grain, age + 2)
    return pd.DataFrame(rows, columns=["cohort", "cohort_end", "age", "moment"])


def cohort_table(
    tables: Tables,
    *,
    as_of: dt.date,
    grain: str = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: str | None = None,
    churn: ChurnConfig | None = None,
) -> pd.DataFrame:
    """Cohort × age retention, long form (pivot with :func:`pivot_cohorts`)."""
    with Context.make(tables, as_of=as_of, grain=grain, start=start, end=end, by=by,
                      churn=churn) as ctx:  # fmt: skip
        ages = _ages(ctx)
        if ages.empty:
            return pd.DataFrame(columns=COHORT_COLUMNS)
        a = ctx.small_table(ages)
        b = ctx.base
        j = b.join(a, [b.acq >= a.cohort, b.acq < a.cohort_end])
        j = j.select("customer_id", "cohort", "age", "moment", dimension=ctx.dim(j))
        st = status_at(ctx.spans, a, "moment")
        j = j.left_join(st, [j.customer_id == st.customer_id, j.moment == st.moment])
        kept = (~j.status.fill_null("active").isin(LOST)).ifelse(1, 0)
        df = (
            j.group_by("cohort", "age", "dimension")
            .aggregate(customers=j.count(), retained=kept.sum())
            .execute()
        )
    df["cohort"] = pd.to_datetime(df["cohort"]).dt.date
    df["dimension"] = df["dimension"].astype(object).where(df["dimension"].notna(), None)
    df["retention"] = df["retained"] / df["customers"]
    df = df.assign(_d=df["dimension"].fillna("")).sort_values(["cohort", "_d", "age"])
    return df[COHORT_COLUMNS].reset_index(drop=True)


def pivot_cohorts(table: pd.DataFrame) -> pd.DataFrame:
    """Cohorts as rows, ages as columns, retention as values (uncut tables)."""
    return table.pivot_table(index="cohort", columns="age", values="retention")


def cohort_curves(table: pd.DataFrame) -> pd.DataFrame:
    """Retention by age over all cohorts observed at that age (weighted by cohort size)."""
    if table.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    t = table.assign(_d=null_key(table["dimension"]))
    out = t.groupby(["age", "_d"], as_index=False).agg(
        cohorts=("cohort", "nunique"), customers=("customers", "sum"), retained=("retained", "sum")
    )
    out["dimension"] = from_null_key(out.pop("_d"))
    out["retention"] = out["retained"] / out["customers"]
    return out[CURVE_COLUMNS]


def survival_by_segment(
    tables: Tables,
    *,
    as_of: dt.date,
    by: str | None = "segment",
    churn: ChurnConfig | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Kaplan-Meier retention curves (time in days from acquisition to the first loss) per
    value of ``by`` (one curve "all" when None), with ``1 - alpha`` confidence bands."""
    check_dimension(by)
    with Context.make(tables, as_of=as_of, by=by, churn=churn) as ctx:
        j = lifetimes(ctx.base, ctx.events, as_of)
        df = j.select("customer_id", "tenure_days", "lost_on", group=ctx.dim(j)).execute()
    return kaplan_meier(df, grouped=by is not None, alpha=alpha)


def kaplan_meier(df: pd.DataFrame, *, grouped: bool, alpha: float = 0.05) -> pd.DataFrame:
    """KM curves from (tenure_days, lost_on, group) rows (:func:`keepwise.churn.lifetimes`);
    customers never lost (null ``lost_on``) are censored."""
    lost = df["lost_on"]
    days = pd.to_numeric(df["tenure_days"]).astype(float)
    groups = df["group"].fillna("(none)").astype(str) if grouped else pd.Series(ALL, df.index)
    frames = []
    for name in sorted(groups.unique()):
        mask = groups == name
        kmf = KaplanMeierFitter(alpha=alpha).fit(days[mask], lost[mask].notna().astype(int))
        ci = kmf.confidence_interval_survival_function_
        table = kmf.event_table
        frames.append(pd.DataFrame({
            "group": name,
            "days": kmf.survival_function_.index.to_numpy(dtype=float),
            "survival": kmf.survival_function_.iloc[:, 0].to_numpy(),
            "ci_lower": ci.iloc[:, 0].to_numpy(),
            "ci_upper": ci.iloc[:, 1].to_numpy(),
            "at_risk": table["at_risk"].to_numpy(dtype=np.int64),
            "lost": table["observed"].to_numpy(dtype=np.int64),
        }))  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=SURVIVAL_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SURVIVAL_COLUMNS]
