"""The Keepwise KPI catalogue (docs/metrics.md, DESIGN.md) written directly in pandas: the
independent baseline of the KPI-engine benchmark, and a cross-check of the engine's numbers.

    compute_pandas(frames, as_of=..., start=..., end=..., by="segment")

``frames`` are the workspace tables as DataFrames (``select * from <table>`` read from DuckDB),
keyed by table name. Monthly periods ``[start, end)``, churn from the explicit status events
only (``[churn] mode = "events"``), everything dated on or after ``as_of`` ignored. The result
has one row per KPI, period and dimension value, with the engine's columns and conventions:

* counts, amounts and percentiles carry their value as numerator and no denominator; a zero
  denominator gives a null value; a period without data gives 0 / 0 (or a null percentile,
  historical CLV or CLV/CAC ratio);
* customers without a value of the cut's dimension form the row whose dimension is null (cut
  by ``tier``, that is the unscored customers); the tier mix's dimension is the tier
  (``unscored`` without a score), or ``<value>/<tier>`` when cut by another dimension;
* a record (ticket, survey, lead) of a customer who is not counted (no acquisition date and
  no order) falls in the null row; complaints count only for customers acquired before the
  period end, like the customers active in it they are divided by;
* spend of a channel that acquired nobody in a period stays in cac's numerator, under its
  channel when cut by channel, else under the null value; a lead's channel is its source.

No Python loop runs over customers or rows; the customer × period flags are built one period
at a time, so memory holds one period's grid, not all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

RESULT_COLUMNS = [
    "metric", "period_start", "period_end", "dimension", "value", "numerator", "denominator"
]  # fmt: skip
LOST = ("churned", "voided")
UNSCORED = "unscored"
#: Stands in for a null dimension value while grouping and merging.
NULL = "\x1f(null)"
DIMENSIONS = {"segment": "segment", "industry": "industry", "region": "region",
              "channel": "channel", "owner": "owner_id", "tier": "tier"}  # fmt: skip
#: Days after a follow-up within which an order counts as a win-back (docs/metrics.md).
DEFAULT_WINBACK_DAYS = 90

#: Every KPI of the catalogue, in its order: kind, and whether a cut's rows add up.
KPIS: dict[str, tuple[str, bool]] = {
    "customers_at_start": ("count", True), "customers_at_end": ("count", True),
    "active_customers": ("count", True), "new_customers": ("count", True),
    "churn_rate": ("proportion", True), "churn_only_rate": ("proportion", True),
    "net_customer_change_rate": ("ratio", True), "retention_rate": ("ratio", True),
    "void_ratio": ("proportion", True), "void_rate": ("proportion", True),
    "revenue": ("amount", True), "revenue_churn": ("proportion", True),
    "net_revenue_retention": ("ratio", True), "revenue_lost": ("amount", True),
    "complaint_rate": ("ratio", True), "followup_coverage": ("proportion", True),
    "clv_predicted": ("mean", True), "tier_mix_customers": ("proportion", True),
    "tier_mix_revenue": ("proportion", True), "cac": ("mean", True),
    "clv_historical": ("ratio", False), "clv_cac_ratio": ("ratio", False),
    "conversion_rate": ("proportion", True), "response_time": ("mean", True),
    "response_time_median": ("quantile", False), "response_time_p90": ("quantile", False),
    "unanswered_tickets": ("count", True), "referral_rate": ("proportion", True),
    "nps": ("ratio", True), "csat": ("mean", True), "csat_share": ("proportion", True),
    "winback_rate": ("proportion", True),
}  # fmt: skip
NO_DENOMINATOR = ("count", "amount", "quantile")

#: KPIs summed over the customer × period grid: (numerator, denominator) columns.
GRID_KPIS: dict[str, tuple[str, str | None]] = {
    "customers_at_start": ("at_start", None), "customers_at_end": ("at_end", None),
    "active_customers": ("active", None), "new_customers": ("new", None),
    "churn_rate": ("churned", "at_start"), "churn_only_rate": ("churned_only", "at_start"),
    "net_customer_change_rate": ("net_change", "at_start"),
    "retention_rate": ("retained", "at_start"), "void_ratio": ("voided_end", "known"),
    "void_rate": ("voided", "at_start"), "revenue": ("rev", None),
    "revenue_churn": ("churned_rev_prev", "rev_prev"),
    "net_revenue_retention": ("start_rev", "start_rev_prev"),
    "revenue_lost": ("lost_rev", None), "complaint_rate": ("complaints", "active"),
    "followup_coverage": ("covered", "lost"), "clv_predicted": ("clv_sum", "clv_n"),
}  # fmt: skip
FACTS = ["to_lost", "to_voided", "to_churned", "complaints", "covered", "lost_rev"]
GROUP = ["period", "dimension"]


def compute_pandas(
    frames: dict[str, pd.DataFrame],
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    winback_days: int = DEFAULT_WINBACK_DAYS,
) -> pd.DataFrame:
    """Every KPI of the catalogue for each month of ``[start, end)``, cut by ``by``."""
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}; use one of {', '.join(DIMENSIONS)}")
    req = Request(frames, pd.Timestamp(as_of), _month(start), _month(end, up=True), by,
                  winback_days)  # fmt: skip
    acquisition = _acquisition(req)
    history = _clv_historical(req)
    parts = [
        *_grid_rows(req), _sum_rows(acquisition, "cac", "cost", "acquired"), history,
        _clv_cac(acquisition, history), *_service(req), *_surveys(req), _leads(req),
        _winback(req),
    ]  # fmt: skip
    return _finish(req, parts)


# --- inputs -------------------------------------------------------------------------------


def _month(day: dt.date, up: bool = False) -> int:
    """Months since January 1970 of ``day``'s month (of the next month start when ``up``)."""
    index = (day.year - 1970) * 12 + day.month - 1
    return index + 1 if up and day.day != 1 else index


def _days(values: pd.Series) -> pd.Series:
    """Timestamps or dates as midnight timestamps (nanoseconds, so every table's days merge)."""
    return pd.to_datetime(values).astype("datetime64[ns]").dt.floor("D")


def _key(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dimension values with nulls as :data:`NULL`."""
    s = pd.Series(values, dtype=object)
    return s.where(s.notna(), NULL).to_numpy()


def _latest(scores: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.Series:
    """Per customer, the latest non-null ``column`` of the scores dated up to ``as_of``."""
    s = scores[scores[column].notna() & (_days(scores["as_of"]) <= as_of)]
    s = s.sort_values(["as_of", "created_at", "id"], na_position="first")
    return s.drop_duplicates("customer_id", keep="last").set_index("customer_id")[column]


@dataclass
class Request:
    frames: dict[str, pd.DataFrame]
    as_of: pd.Timestamp
    first_month: int
    end_month: int
    by: str | None
    winback_days: int

    @property
    def n_periods(self) -> int:
        return self.end_month - self.first_month

    def boundary(self, k: int) -> pd.Timestamp:
        """The start of period ``k`` (the end of period ``k - 1``)."""
        year, month = divmod(self.first_month + k, 12)
        return pd.Timestamp(1970 + year, month + 1, 1)

    def period_of(self, days: pd.Series) -> np.ndarray:
        """The period index of each day (outside ``0 … n_periods - 1`` when in none)."""
        months = days.to_numpy().astype("datetime64[M]").astype(np.int64)
        return months - self.first_month

    def in_range(self, periods: np.ndarray) -> np.ndarray:
        return (periods >= 0) & (periods < self.n_periods)

    @cached_property
    def customers(self) -> pd.DataFrame:
        return self.frames["customers"].reset_index(drop=True)

    @cached_property
    def index(self) -> pd.Index:
        return pd.Index(self.customers["customer_id"])

    def codes(self, ids: pd.Series) -> np.ndarray:
        """Customer codes (rows of the customers table) of the ids, -1 for unknown ids."""
        return self.index.get_indexer(ids)

    @cached_property
    def orders(self) -> pd.DataFrame:
        """Revenue orders (not cancelled, before ``as_of``) of known customers: code, day,
        amount, period. Every such customer is counted: acquired by the first order at the
        latest."""
        o = self.frames["orders"]
        day = _days(o["ordered_at"])
        live = ~o["cancelled"].fillna(False).astype(bool) & (day < self.as_of)
        o = pd.DataFrame({"code": self.codes(o["customer_id"]), "day": day,
                          "amount": o["amount"].astype(float)})[live]  # fmt: skip
        o = o[o["code"] >= 0]
        return o.assign(period=self.period_of(o["day"]))

    @cached_property
    def base(self) -> pd.DataFrame:
        """One row per counted customer (index: its code): acquisition day (the earlier of
        ``acquired_at`` and the first order), the cut's ``dimension``, value ``tier``,
        predicted ``clv``, channel and acquisition cost."""
        c, scores = self.customers, self.frames["scores"]
        first_order = self.orders.groupby("code")["day"].min().reindex(c.index)
        acquired = _days(c["acquired_at"])
        acq = acquired.mask(acquired.isna() | (first_order < acquired), first_order)
        column = DIMENSIONS[self.by] if self.by else None
        base = pd.DataFrame({
            "acq": acq, "channel": c["channel"],
            "acquisition_cost": c["acquisition_cost"].astype(float),
            "tier": c["customer_id"].map(_latest(scores, "value_tier", self.as_of)),
            "clv": c["customer_id"].map(_latest(scores, "predicted_clv", self.as_of)),
        })  # fmt: skip
        if column == "tier":
            base["dimension"] = _key(base["tier"])
        else:
            base["dimension"] = _key(c[column]) if column else NULL
        return base[base["acq"].notna() & (base["acq"] < self.as_of)]

    @cached_property
    def dimensions(self) -> np.ndarray:
        """The cut value of each code, and NULL for customers not counted and for code -1."""
        dims = np.full(len(self.customers) + 1, NULL, dtype=object)
        dims[self.base.index.to_numpy()] = self.base["dimension"].to_numpy()
        return dims

    def dimension_of(self, ids: pd.Series) -> np.ndarray:
        return self.dimensions[self.codes(ids)]

    @cached_property
    def events(self) -> pd.DataFrame:
        """Status events before ``as_of`` of counted customers, in order."""
        e = self.frames["status_events"]
        e = pd.DataFrame({
            "code": self.codes(e["customer_id"]), "day": _days(e["occurred_at"]),
            "at": e["occurred_at"], "id": e["id"], "to_status": e["to_status"],
        })  # fmt: skip
        e = e[e["code"].isin(self.base.index) & (e["day"] < self.as_of)]
        return e.sort_values(["code", "at", "id"]).reset_index(drop=True)

    def status_at(self, moment: pd.Timestamp) -> pd.Series:
        """Status at midnight of ``moment`` (that of the latest event before it) by code, for
        the customers with an event before it (everybody else is active)."""
        before = self.events[self.events["day"] < moment]
        last = before.drop_duplicates("code", keep="last")
        return pd.Series(last["to_status"].to_numpy(), index=last["code"].to_numpy())

    def lost_between(self, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Events to churned or voided dated in ``[start, end)``."""
        e = self.events
        return e[(e["day"] >= start) & (e["day"] < end) & e["to_status"].isin(LOST)]


# --- the customer × period grid -------------------------------------------------------------


def _period_facts(req: Request) -> dict[int, pd.DataFrame]:
    """Per period, by customer code: events to a lost status, complaints, follow-up after the
    loss and revenue in the 12 months before it (customers with any of them only)."""
    e = req.events.assign(period=req.period_of(req.events["day"]))
    e = e[req.in_range(e["period"].to_numpy())]
    flags = e.assign(to_lost=e["to_status"].isin(LOST), to_voided=e["to_status"] == "voided",
                     to_churned=e["to_status"] == "churned")  # fmt: skip
    flags = flags.groupby(["period", "code"])[["to_lost", "to_voided", "to_churned"]].max()
    lost = e[e["to_status"].isin(LOST)].groupby(["period", "code"])["day"].min()
    parts = [flags.astype(int), _complaints(req), _covered(req, lost), _revenue_before(req, lost)]
    facts = pd.concat(parts, axis=1).reindex(columns=FACTS).fillna(0)
    return {k: f.droplevel(0) for k, f in facts.groupby(level=0)}


def _complaints(req: Request) -> pd.Series:
    t = req.frames["tickets"]
    day = _days(t["opened_at"])
    k = pd.DataFrame({"period": req.period_of(day), "code": req.codes(t["customer_id"])})
    keep = t["is_complaint"].fillna(False).astype(bool).to_numpy() & (day < req.as_of).to_numpy()
    k = k[keep & req.in_range(k["period"].to_numpy()) & (k["code"] >= 0).to_numpy()]
    return k.groupby(["period", "code"]).size().rename("complaints")


def _covered(req: Request, lost: pd.Series) -> pd.Series:
    """1 where a follow-up (before ``as_of``) is on or after the day of the loss."""
    i = req.frames["interactions"]
    day = _days(i["occurred_at"])
    last = day[day < req.as_of].groupby(req.codes(i["customer_id"])[day < req.as_of]).max()
    latest = last.reindex(lost.index.get_level_values("code")).to_numpy()
    return pd.Series((latest >= lost.to_numpy()).astype(int), index=lost.index, name="covered")


def _revenue_before(req: Request, lost: pd.Series) -> pd.Series:
    """Revenue in the 12 months before each loss day: ``[day − 12 months, day)``."""
    losses = lost.rename("loss_day").reset_index()
    losses["since"] = losses["loss_day"] - pd.DateOffset(months=12)
    o = req.orders[req.orders["code"].isin(losses["code"])][["code", "day", "amount"]]
    j = losses.merge(o, on="code")
    j = j[(j["day"] >= j["since"]) & (j["day"] < j["loss_day"])]
    return j.groupby(["period", "code"])["amount"].sum().rename("lost_rev")


def _revenue_by_period(req: Request) -> dict[int, pd.Series]:
    """Revenue by customer code per period, from the period before the first."""
    o = req.orders[(req.orders["period"] >= -1) & (req.orders["period"] < req.n_periods)]
    rev = o.groupby(["period", "code"])["amount"].sum()
    return {k: s.droplevel(0) for k, s in rev.groupby(level=0)}


def _period_grid(req: Request, k: int, facts: pd.DataFrame, revenue: dict[int, pd.Series],
                 status: tuple[pd.Series, pd.Series]) -> pd.DataFrame:  # fmt: skip
    """One row per customer acquired before period ``k``'s end, with the grid's columns."""
    start, end = req.boundary(k), req.boundary(k + 1)
    b = req.base[req.base["acq"] < end]
    f = facts.reindex(b.index, fill_value=0)
    rev = revenue.get(k, pd.Series(dtype=float)).reindex(b.index, fill_value=0.0)
    rev_prev = revenue.get(k - 1, pd.Series(dtype=float)).reindex(b.index, fill_value=0.0)
    lost_start = status[0].reindex(b.index).isin(LOST)
    end_status = status[1].reindex(b.index)
    at_start = (b["acq"] < start) & ~lost_start
    at_end = ~end_status.isin(LOST)
    new = b["acq"] >= start
    churned = at_start & (f["to_lost"] > 0)
    has_clv = at_end & b["clv"].notna()
    return pd.DataFrame({
        "dimension": b["dimension"], "tier": b["tier"].fillna(UNSCORED), "known": 1,
        "at_start": at_start, "at_end": at_end, "active": ~lost_start, "new": new,
        "churned": churned, "churned_only": at_start & (f["to_churned"] > 0),
        "voided": at_start & (f["to_voided"] > 0), "voided_end": end_status == "voided",
        "retained": at_end & ~new, "net_change": at_start.astype(int) - at_end.astype(int),
        "rev": rev, "rev_prev": rev_prev, "churned_rev_prev": rev_prev.where(churned, 0.0),
        "start_rev": rev.where(at_start, 0.0), "start_rev_prev": rev_prev.where(at_start, 0.0),
        "lost_rev": f["lost_rev"].where(churned, 0.0), "complaints": f["complaints"],
        "lost": f["to_lost"], "covered": f["covered"],
        "clv_n": has_clv, "clv_sum": b["clv"].where(has_clv, 0.0),
    })  # fmt: skip


def _grid_sums(req: Request) -> pd.DataFrame:
    """The grid's columns summed per period, cut value and value tier."""
    facts, revenue = _period_facts(req), _revenue_by_period(req)
    empty = pd.DataFrame(columns=FACTS, dtype=float)
    parts = []
    status = req.status_at(req.boundary(0))
    for k in range(req.n_periods):
        after = req.status_at(req.boundary(k + 1))
        g = _period_grid(req, k, facts.get(k, empty), revenue, (status, after))
        parts.append(g.groupby(["dimension", "tier"]).sum().reset_index().assign(period=k))
        status = after
    return pd.concat(parts, ignore_index=True)


def _grid_rows(req: Request) -> list[pd.DataFrame]:
    sums = _grid_sums(req)
    total = sums.drop(columns="tier").groupby(GROUP, as_index=False).sum()
    rows = [_sum_rows(total, kpi, num, den) for kpi, (num, den) in GRID_KPIS.items()]
    return [*rows, *_tier_mix(req, sums)]


def _tier_mix(req: Request, sums: pd.DataFrame) -> list[pd.DataFrame]:
    """Share of customers at end and of revenue per tier, for every period, cut value and
    tier seen (0 where none); cut by tier, the mix is the uncut one."""
    if req.by == "tier":
        sums = sums.assign(dimension=NULL)
    sums = sums.groupby([*GROUP, "tier"], as_index=False)[["at_end", "rev"]].sum()
    full = pd.MultiIndex.from_product(
        [range(req.n_periods), sums["dimension"].unique(), sums["tier"].unique()],
        names=[*GROUP, "tier"],
    ).to_frame(index=False)
    full = full.merge(sums, on=[*GROUP, "tier"], how="left").fillna({"at_end": 0, "rev": 0.0})
    cut = req.by not in (None, "tier")
    label = (full["dimension"].replace(NULL, "") + "/" + full["tier"]) if cut else full["tier"]
    out = []
    for kpi, col in (("tier_mix_customers", "at_end"), ("tier_mix_revenue", "rev")):
        total = full.groupby(GROUP)[col].transform("sum")
        out.append(pd.DataFrame({"metric": kpi, "period": full["period"], "dimension": label,
                                 "numerator": full[col], "denominator": total}))  # fmt: skip
    return out


def _sum_rows(sums: pd.DataFrame, kpi: str, num: str, den: str | None,
              scale: float = 1.0) -> pd.DataFrame:  # fmt: skip
    """One KPI's rows from summed columns (no denominator when ``den`` is None)."""
    return pd.DataFrame({
        "metric": kpi, "period": sums["period"], "dimension": sums["dimension"],
        "numerator": sums[num].astype(float) * scale,
        "denominator": sums[den].astype(float) if den else np.nan,
    })  # fmt: skip


def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    return a.astype(float) / b.astype(float).where(b != 0)


# --- acquisition and lifetime value -------------------------------------------------------


def _spend(req: Request) -> pd.DataFrame:
    """Spend per period and channel, with ``n`` the customers it acquired (NaN: nobody)."""
    s = req.frames["marketing_spend"]
    s = s.assign(period=req.period_of(_days(s["period_start"])))
    s = s[(_days(s["period_start"]) < req.as_of) & req.in_range(s["period"].to_numpy())]
    spend = s.groupby(["period", "channel"], dropna=False)["amount"].sum().reset_index()
    b = req.base.assign(period=req.period_of(req.base["acq"]))
    n = b.groupby(["period", "channel"]).size().rename("n").reset_index()
    return spend.merge(n, on=["period", "channel"], how="left")


def _acquisition(req: Request) -> pd.DataFrame:
    """Per period and cut value: acquisition cost (own cost plus an equal share of the
    channel's spend, and spend that acquired nobody), customers acquired, scored, CLV sum."""
    b = req.base.assign(period=req.period_of(req.base["acq"]))
    b = b[req.in_range(b["period"].to_numpy())]
    spend = _spend(req)
    shares = spend[spend["n"].notna()].assign(share=lambda s: s["amount"] / s["n"])
    b = b.merge(shares[["period", "channel", "share"]], on=["period", "channel"], how="left")
    rows = pd.DataFrame({
        "period": b["period"], "dimension": b["dimension"],
        "cost": b["acquisition_cost"].fillna(0.0) + b["share"].fillna(0.0), "acquired": 1,
        "scored": b["clv"].notna().astype(int), "clv_sum": b["clv"].fillna(0.0),
    })  # fmt: skip
    orphan = spend[spend["n"].isna()]
    orphans = pd.DataFrame({
        "period": orphan["period"], "cost": orphan["amount"], "acquired": 0, "scored": 0,
        "clv_sum": 0.0, "dimension": _key(orphan["channel"]) if req.by == "channel" else NULL,
    })  # fmt: skip
    return pd.concat([rows, orphans]).groupby(GROUP, as_index=False).sum()


def _window(req: Request, start: pd.Timestamp, end: pd.Timestamp,
            daily: pd.Series) -> pd.DataFrame:  # fmt: skip
    """Per cut value over ``[start, end)``: customers active in it, at its start, lost in it
    of those at its start, and revenue."""
    b = req.base[req.base["acq"] < end]
    lost = req.status_at(start).reindex(b.index).isin(LOST)
    at_start = (b["acq"] < start) & ~lost
    churned = at_start & b.index.isin(req.lost_between(start, end)["code"])
    counts = pd.DataFrame({"dimension": b["dimension"], "active": ~lost, "at_start": at_start,
                           "churned": churned}).groupby("dimension").sum()  # fmt: skip
    days = daily.index.get_level_values("day")
    rev = daily[(days >= start) & (days < end)].groupby(level="dimension").sum()
    return counts.assign(rev=rev.reindex(counts.index, fill_value=0.0)).reset_index()


def _clv_historical(req: Request) -> pd.DataFrame:
    """Trailing 12 months to the earlier of the period end and ``as_of``: revenue per active
    customer (numerator) ÷ the window's churn rate (denominator)."""
    o = req.orders
    daily = o.groupby([o["day"], req.dimensions[o["code"].to_numpy()]])["amount"].sum()
    daily.index.names = ["day", "dimension"]
    windows: dict[tuple[pd.Timestamp, pd.Timestamp], pd.DataFrame] = {}
    parts = []
    for k in range(req.n_periods):
        end = min(req.boundary(k + 1), req.as_of)
        span = (end - pd.DateOffset(months=12), end)
        if span not in windows:
            windows[span] = _window(req, *span, daily)
        parts.append(windows[span].assign(period=k))
    w = pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"metric": "clv_historical", "period": w["period"],
                         "dimension": w["dimension"], "numerator": _div(w["rev"], w["active"]),
                         "denominator": _div(w["churned"], w["at_start"])})  # fmt: skip


def _clv_cac(acquisition: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Mean CLV of the customers acquired (predicted where scored, else the historical CLV of
    the period and cut value) ÷ cac."""
    hist = history.assign(clv=_div(history["numerator"], history["denominator"]))
    a = acquisition.merge(hist[[*GROUP, "clv"]], on=GROUP, how="left")
    unscored = a["acquired"] - a["scored"]
    total = a["clv_sum"] + (unscored * a["clv"]).where(unscored > 0, 0.0)
    return pd.DataFrame({"metric": "clv_cac_ratio", "period": a["period"],
                         "dimension": a["dimension"], "numerator": _div(total, a["acquired"]),
                         "denominator": _div(a["cost"], a["acquired"])})  # fmt: skip


# --- dated records: tickets, surveys, leads, follow-ups -------------------------------------


def _dated(req: Request, table: str, column: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of ``table`` dated (by ``column``) before ``as_of`` in a period, with their
    period index."""
    t = req.frames[table]
    day = _days(t[column])
    period = req.period_of(day)
    keep = (day < req.as_of).to_numpy() & req.in_range(period)
    return t[keep], period[keep]


def _service(req: Request) -> list[pd.DataFrame]:
    t, period = _dated(req, "tickets", "opened_at")
    answered = t["first_response_at"].notna() & (_days(t["first_response_at"]) < req.as_of)
    seconds = (t["first_response_at"] - t["opened_at"]).dt.total_seconds()
    k = pd.DataFrame({"period": period, "dimension": req.dimension_of(t["customer_id"]),
                      "hours": (seconds / 3600.0).where(answered), "answered": answered,
                      "unanswered": ~answered})  # fmt: skip
    sums = k.groupby(GROUP, as_index=False)[["hours", "answered", "unanswered"]].sum()
    hours = k[k["hours"].notna()].groupby(GROUP)["hours"]
    quantiles = [
        hours.quantile(q).rename("numerator").reset_index().assign(metric=kpi, denominator=np.nan)
        for kpi, q in (("response_time_median", 0.5), ("response_time_p90", 0.9))
    ]
    return [_sum_rows(sums, "response_time", "hours", "answered"),
            _sum_rows(sums, "unanswered_tickets", "unanswered", None), *quantiles]  # fmt: skip


def _surveys(req: Request) -> list[pd.DataFrame]:
    s, period = _dated(req, "surveys", "answered_at")
    rec, csat = s["recommend"].astype(float), s["csat"].astype(float)
    k = pd.DataFrame({
        "period": period, "dimension": req.dimension_of(s["customer_id"]),
        "rec_n": rec.notna(), "promoters": rec >= 9, "net": (rec >= 9).astype(int) - (rec <= 6),
        "csat_n": csat.notna(), "csat_sum": csat.fillna(0.0), "csat_hi": csat >= 4,
    })  # fmt: skip
    sums = k.groupby(GROUP, as_index=False).sum()
    return [_sum_rows(sums, "referral_rate", "promoters", "rec_n"),
            _sum_rows(sums, "nps", "net", "rec_n", scale=100.0),
            _sum_rows(sums, "csat", "csat_sum", "csat_n"),
            _sum_rows(sums, "csat_share", "csat_hi", "csat_n")]  # fmt: skip


def _leads(req: Request) -> pd.DataFrame:
    """Leads created in a period and those converted as of ``as_of``; cut by channel, a lead's
    channel is its source, else the cut value of the customer it became."""
    ld, period = _dated(req, "leads", "created_at")
    converted_at = _days(ld["converted_at"])
    converted = ld["customer_id"].notna() & (converted_at.isna() | (converted_at < req.as_of))
    if req.by == "channel":
        dims = _key(ld["source"])
    else:
        dims = req.dimension_of(ld["customer_id"].where(converted))
    k = pd.DataFrame({"period": period, "dimension": dims, "leads": 1, "converted": converted})
    sums = k.groupby(GROUP, as_index=False).sum()
    return _sum_rows(sums, "conversion_rate", "converted", "leads")


def _winback(req: Request) -> pd.DataFrame:
    """Customers followed up in a period on a day their status (after that day's events) was
    churned or voided, and whether they ordered within ``winback_days`` of such a day."""
    i, period = _dated(req, "interactions", "occurred_at")
    i = pd.DataFrame({"code": req.codes(i["customer_id"]), "day": _days(i["occurred_at"]),
                      "period": period})  # fmt: skip
    i = i[i["code"] >= 0].sort_values("day")
    ev = req.events.drop_duplicates(["code", "day"], keep="last")[["code", "day", "to_status"]]
    i = pd.merge_asof(i, ev.sort_values("day"), on="day", by="code")
    lost = i[i["to_status"].isin(LOST)]
    orders = req.orders[["code", "day"]].drop_duplicates().rename(columns={"day": "order_day"})
    lost = pd.merge_asof(lost, orders.sort_values("order_day"), left_on="day",
                         right_on="order_day", by="code", direction="forward")  # fmt: skip
    lost = lost.assign(won=lost["order_day"] <= lost["day"] + pd.Timedelta(days=req.winback_days))
    per = lost.groupby(["period", "code"], as_index=False)["won"].max()
    per = per.assign(dimension=req.dimensions[per["code"].to_numpy()], followed=1)
    return _sum_rows(per.groupby(GROUP, as_index=False)[["won", "followed"]].sum(),
                     "winback_rate", "won", "followed")  # fmt: skip


# --- the result ---------------------------------------------------------------------------


def _complete(req: Request, kpi: str, rows: pd.DataFrame) -> pd.DataFrame:
    """A KPI's rows for every period (and every cut value it has in any period): a period
    without data is 0 / 0, or 0 for counts; a percentile or CLV of nothing stays null."""
    kind, additive = KPIS[kpi]
    observed = req.by is not None or kpi.startswith("tier_mix")
    dims = rows["dimension"].unique() if observed else [NULL]
    full = pd.MultiIndex.from_product([range(req.n_periods), dims], names=GROUP)
    out = full.to_frame(index=False).merge(rows.drop(columns="metric"), on=GROUP, how="left")
    if additive:
        out["numerator"] = out["numerator"].fillna(0.0)
        if kind not in NO_DENOMINATOR:
            out["denominator"] = out["denominator"].fillna(0.0)
    return out.assign(metric=kpi)


def _finish(req: Request, parts: list[pd.DataFrame]) -> pd.DataFrame:
    rows = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    df = pd.concat([_complete(req, kpi, rows[rows["metric"] == kpi]) for kpi in KPIS],
                   ignore_index=True)  # fmt: skip
    num, den = df["numerator"].astype(float), df["denominator"].astype(float)
    plain = df["metric"].map(lambda m: KPIS[m][0] in NO_DENOMINATOR)
    df["value"] = num.where(plain, num / den.where(den != 0))
    days = np.array([req.boundary(k).date() for k in range(req.n_periods + 1)], dtype=object)
    df["period_start"] = days[df["period"].to_numpy()]
    df["period_end"] = days[df["period"].to_numpy() + 1]
    df["dimension"] = df["dimension"].astype(object).where(df["dimension"] != NULL, None)
    order = {kpi: i for i, kpi in enumerate(KPIS)}
    df = df.assign(_o=df["metric"].map(order), _d=df["dimension"].fillna(""))
    df = df.sort_values(["_o", "period_start", "_d"], kind="stable")
    return df[RESULT_COLUMNS].reset_index(drop=True)


def differences(
    mine: pd.DataFrame,
    theirs: pd.DataFrame,
    keys: tuple[str, ...] = ("metric", "period_start"),
    suffix: str = "_other",
) -> pd.DataFrame:
    """The rows of two KPI results (this module's or the engine's) that only one has, or whose
    numerator, denominator or value differ (floats to 1e-9 relative), matched on ``keys`` and
    the dimension (nulls match nulls); ``theirs``'s columns carry ``suffix``."""
    on = [*keys, "_d"]
    a, b = (df.assign(_d=df["dimension"].fillna(NULL)) for df in (mine, theirs))
    m = a.merge(b.drop(columns="dimension"), on=on, how="outer", suffixes=("", suffix),
                indicator=True)  # fmt: skip
    same = m["_merge"] == "both"
    for col in ("numerator", "denominator", "value"):
        x, y = m[col].astype(float), m[f"{col}{suffix}"].astype(float)
        same &= (x.isna() & y.isna()) | np.isclose(x, y, rtol=1e-9, atol=1e-9)
    m["dimension"] = m["_d"].where(m["_d"] != NULL, None)
    return m[~same]
