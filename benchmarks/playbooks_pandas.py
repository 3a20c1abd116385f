"""The baseline of benchmarks/playbooks.py: the same target selection and evaluation as
``keepwise playbooks run`` and ``evaluate``, written directly in pandas from the definitions in
docs/playbooks.md, reading Parquet exports of the workspace's tables (events mode: a
customer's status is that of their latest status event).

    python benchmarks/playbooks_pandas.py run PARQUET_DIR OUT_DIR YYYY-MM-DD
    python benchmarks/playbooks_pandas.py evaluate PARQUET_DIR OUT_DIR YYYY-MM-DD

``run`` writes ``targets.parquet`` and ``tasks.parquet`` to OUT_DIR; ``evaluate`` reads them
and prints one JSON line per playbook. Both use the built-in playbooks' definitions and the
same hold-out hash (BLAKE2b of playbook id ␟ customer id), written out here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from keepwise.playbooks.builtin import BUILTIN
from keepwise.playbooks.holidays import holidays_between

LOST = ("churned", "voided")


def _read(folder: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{name}.parquet", columns=columns)


def _draws(seed: str, ids: pd.Series) -> np.ndarray:
    salt = seed.encode() + b"\x1f"
    raw = b"".join(hashlib.blake2b(salt + c.encode(), digest_size=8).digest() for c in ids)
    return (np.frombuffer(raw, dtype=">u8") >> np.uint64(11)).astype(np.float64) / 2**53


def _latest(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.Series:
    s = frame[frame[column].notna() & (frame["as_of"] <= as_of)]
    s = s.sort_values(["customer_id", "as_of", "created_at", "id"])
    return s.groupby("customer_id")[column].last()


def state(folder: Path, as_of: dt.date) -> pd.DataFrame:
    """Per customer known at ``as_of``: dimensions, tier, band, status, since, reason, kept."""
    t0 = pd.Timestamp(as_of)
    c = _read(folder, "customers")
    o = _read(folder, "orders", ["customer_id", "ordered_at", "cancelled"])
    o = o[~o["cancelled"].fillna(False) & (o["ordered_at"] < t0)]
    first = o.groupby("customer_id")["ordered_at"].min().dt.normalize()
    acq = c["acquired_at"].dt.normalize()
    c["acq"] = np.fmin(acq, c["customer_id"].map(first))
    c = c[c["acq"].notna() & (c["acq"] < t0)].set_index("customer_id")
    e = _read(folder, "status_events", ["id", "customer_id", "occurred_at", "to_status", "reason"])
    e = e[e["occurred_at"] < t0].sort_values(["customer_id", "occurred_at", "id"])
    last = e.groupby("customer_id").last()
    s = _read(folder, "scores", ["id", "customer_id", "as_of", "created_at", "value_tier",
                                 "risk_band"])  # fmt: skip
    s["as_of"] = pd.to_datetime(s["as_of"])
    c["tier"] = _latest(s, "value_tier", t0)
    c["risk_band"] = _latest(s, "risk_band", t0)
    c["status"] = last["to_status"].reindex(c.index).fillna("active")
    c["since"] = last["occurred_at"].reindex(c.index).dt.normalize()
    c["status_reason"] = last["reason"].reindex(c.index)
    c["kept"] = ~c["status"].isin(LOST)
    return c


def _care(folder: Path, st: pd.DataFrame, trig: object, as_of: dt.date) -> pd.DataFrame:
    end = as_of + dt.timedelta(days=trig.days_ahead)  # type: ignore[attr-defined]
    days = pd.date_range(as_of, end, inclusive="left")
    parts = []
    if "birthday" in trig.care_calendar:  # type: ignore[attr-defined]
        b = pd.to_datetime(st["birthday"].dropna())
        mmdd = b.dt.month * 100 + b.dt.day
        for d in days:
            keys = [d.month * 100 + d.day]
            if (d.month, d.day) == (2, 28) and not d.is_leap_year:
                keys.append(229)
            hit = b[mmdd.isin(keys) & (b.dt.year <= d.year)]
            parts.append(pd.DataFrame({"customer_id": hit.index,
                                       "key": f"birthday:{d.date().isoformat()}"}))  # fmt: skip
    if "contract_anniversary" in trig.care_calendar:  # type: ignore[attr-defined]
        k = _read(folder, "contracts")
        k = k[pd.to_datetime(k["start_date"]) < pd.Timestamp(as_of)]
        first = pd.to_datetime(k.groupby("customer_id")["start_date"].min())
        latest = k.sort_values(["customer_id", "start_date", "end_date", "contract_id"])
        latest = latest.groupby("customer_id").last()
        force = latest.index[pd.to_datetime(latest["end_date"]) >= pd.Timestamp(as_of)]
        first = first[first.index.isin(force)]
        for d in days:
            hit = first[(first.dt.month == d.month) & (first.dt.day == d.day)
                        & (first.dt.year <= d.year - 1)]  # fmt: skip
            parts.append(
                pd.DataFrame(
                    {
                        "customer_id": hit.index,
                        "key": f"contract_anniversary:{d.date().isoformat()}",
                    }
                )
            )
    if "holiday" in trig.care_calendar:  # type: ignore[attr-defined]
        for when, code in holidays_between(as_of, end, trig.holidays):  # type: ignore[attr-defined]
            parts.append(pd.DataFrame({"customer_id": st.index, "key": f"{code}:{when}"}))
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["customer_id", "key"])  # fmt: skip
    found["when"] = found["key"].str[-10:]
    found = found.sort_values(["customer_id", "when", "key"]).groupby("customer_id").first()
    return found.assign(detail=found["key"])[["detail", "key"]]


def targets(folder: Path, as_of: dt.date) -> pd.DataFrame:
    st = state(folder, as_of)
    alerts = _read(folder, "alerts", ["id", "customer_id", "rule", "as_of"])
    alerts["as_of"] = pd.to_datetime(alerts["as_of"])
    out = []
    t0 = pd.Timestamp(as_of)
    for p in BUILTIN:
        trig = p.trigger
        if trig.care_calendar:
            found = _care(folder, st, trig, as_of)
        elif trig.alert:
            a = alerts[alerts["rule"].isin(trig.alert) & (alerts["as_of"] <= t0)
                       & (alerts["as_of"] > t0 - pd.Timedelta(days=trig.within_days))]  # fmt: skip
            a = a.sort_values(["customer_id", "as_of", "id"]).groupby("customer_id").last()
            found = pd.DataFrame({"detail": a["rule"], "key": None}, index=a.index)
        else:
            found = pd.DataFrame({"detail": st["status_reason"].where(~st["kept"]), "key": None},
                                 index=st.index)  # fmt: skip
        j = found.join(st, how="inner")
        since = t0 - pd.Timedelta(days=trig.within_days)
        if trig.measure == "winback":
            j = j[~j["kept"] & (j["since"] >= since)]
            if trig.status:
                j = j[j["status"].isin(trig.status)]
        else:
            j = j[j["kept"]]
            if trig.status:
                j = j[j["status"].isin(trig.status) & (j["since"] >= since)]
        for key, values in (("status_reason", trig.reason), ("risk_band", trig.risk_band),
                            ("tier", trig.tier), ("segment", trig.segment),
                            *[("owner_id" if k == "owner" else "status_reason" if k == "reason"
                               else k, v) for k, v in p.filter.items()]):  # fmt: skip
            if values:
                j = j[j[key].isin(values)]
        j = j.sort_index()
        draw = _draws(p.seed, j.index.to_series())
        out.append(pd.DataFrame({
            "playbook_id": p.id, "customer_id": j.index, "as_of": t0, "measure": p.measure,
            "holdout": draw < p.holdout, "draw": draw, "detail": j["detail"].to_numpy(),
            "key": j["key"].to_numpy(), "name": j["name"].to_numpy(),
            "owner_id": j["owner_id"].to_numpy(),
        }))  # fmt: skip
    return pd.concat(out, ignore_index=True)


def tasks(folder: Path, found: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    owners = _read(folder, "owners")
    left = pd.to_datetime(owners["left_at"])
    here = owners[~(left.notna() & (left < pd.Timestamp(as_of)))]
    managers = sorted(here.loc[here["role"] == "manager", "owner_id"])
    names = dict(zip(here["owner_id"], here["name"], strict=True))
    out = []
    for p in BUILTIN:
        t = found[(found["playbook_id"] == p.id) & ~found["holdout"]]
        for a in p.actions:
            if a.owner == "customer":
                owner = t["owner_id"].where(t["owner_id"].isin(here["owner_id"]))
                pick = (_draws(f"{p.seed}:owner", t["customer_id"]) * len(managers)).astype(int)
                fallback = pd.Series(np.array(managers, dtype=object)[pick], index=t.index)
                owner = owner.fillna(fallback)
            else:
                pool = sorted(here.loc[here["role"] == a.owner.removeprefix("role:"), "owner_id"])
                pick = (_draws(f"{p.seed}:owner", t["customer_id"]) * len(pool)).astype(int)
                owner = pd.Series(np.array(pool, dtype=object)[pick], index=t.index)
            due = as_of + dt.timedelta(days=a.due_days)
            msg = {lang: [getattr(a, f"message_{lang}").format(
                customer_id=c, customer=n, owner=names.get(o, o), due=due.isoformat(),
                playbook=p.name(lang), occasion="", detail=d or "")
                for c, n, o, d in zip(t["customer_id"], t["name"], owner, t["detail"],
                                      strict=True)] for lang in ("zh", "en")}  # fmt: skip
            out.append(pd.DataFrame({"customer_id": t["customer_id"], "playbook_id": p.id,
                                     "type": a.type, "owner_id": owner, "due": due,
                                     "cost": a.cost, "message_zh": msg["zh"],
                                     "message_en": msg["en"]}))  # fmt: skip
    return pd.concat(out, ignore_index=True)


# --- evaluation ---------------------------------------------------------------------------------


def _wilson(x: int, n: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    p = x / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, c - h), min(1.0, c + h)


def _compare(x1: int, n1: int, x0: int, n0: int) -> dict[str, float | None]:
    if not n1 or not n0:
        return {"difference": None, "low": None, "high": None, "p": None}
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = _wilson(x1, n1)
    l0, u0 = _wilson(x0, n0)
    low = p1 - p0 - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = p1 - p0 + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    pooled = (x1 + x0) / (n1 + n0)
    if min(n1 * pooled, n1 * (1 - pooled), n0 * pooled, n0 * (1 - pooled)) < 5:
        p = stats.fisher_exact([[x1, n1 - x1], [x0, n0 - x0]]).pvalue
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        p = 2 * stats.norm.sf(abs((p1 - p0) / se))
    return {"difference": p1 - p0, "low": low, "high": high, "p": float(p)}


def evaluate(folder: Path, found: pd.DataFrame, work: pd.DataFrame, as_of: dt.date) -> list[dict]:
    t_end = pd.Timestamp(as_of)
    days = {p.id: p.evaluate_days for p in BUILTIN}
    found = found.assign(
        until=found["as_of"] + pd.to_timedelta(found["playbook_id"].map(days), "D")
    )
    found = found[found["until"] <= t_end].reset_index(drop=True)
    ids = set(found["customer_id"])
    e = _read(folder, "status_events", ["id", "customer_id", "occurred_at", "to_status"])
    e = e[(e["occurred_at"] < t_end) & e["customer_id"].isin(ids)]
    e = e.sort_values(["customer_id", "occurred_at", "id"])
    before = e.groupby("customer_id")["to_status"].shift().fillna("active")
    e = e.assign(day=e["occurred_at"].dt.normalize(),
                 loss=e["to_status"].isin(LOST) & ~before.isin(LOST),
                 back=~e["to_status"].isin(LOST) & before.isin(LOST))  # fmt: skip
    e = e[e["loss"] | e["back"]]
    j = found.reset_index().merge(e, on="customer_id")
    j = j[(j["day"] >= j["as_of"]) & (j["day"] < j["until"])]
    moves = j.groupby("index")[["loss", "back"]].any()
    o = _read(folder, "orders", ["customer_id", "ordered_at", "amount", "cancelled"])
    o = o[~o["cancelled"].fillna(False) & (o["ordered_at"] < t_end) & o["customer_id"].isin(ids)]
    o = o.assign(day=o["ordered_at"].dt.normalize())
    m = found.reset_index().merge(o, on="customer_id")
    m = m[(m["day"] >= m["as_of"] - pd.DateOffset(months=12)) & (m["day"] < m["until"])]
    inside = m["day"] >= m["as_of"]
    money = pd.DataFrame({"revenue_12m": m["amount"].where(~inside, 0.0),
                          "revenue": m["amount"].where(inside, 0.0), "bought": inside,
                          "index": m["index"]}).groupby("index").agg(
        {"revenue_12m": "sum", "revenue": "sum", "bought": "any"})  # fmt: skip
    cost = work.groupby(["playbook_id", "customer_id"])["cost"].sum()
    f = found.join(moves).join(money)
    f = f.fillna({"loss": False, "back": False, "bought": False, "revenue_12m": 0.0,
                  "revenue": 0.0}).infer_objects()  # fmt: skip
    f["cost"] = pd.MultiIndex.from_frame(f[["playbook_id", "customer_id"]]).map(
        cost.to_dict()).fillna(0.0) if len(f) else []  # fmt: skip
    f["success"] = np.where(f["measure"] == "winback", f["back"] | f["bought"], ~f["loss"])
    out = []
    for p in BUILTIN:
        rows = f[f["playbook_id"] == p.id]
        tr, ho = rows[~rows["holdout"]], rows[rows["holdout"]]
        c = _compare(int(tr["success"].sum()), len(tr), int(ho["success"].sum()), len(ho))
        mean = tr["revenue_12m"].mean() if len(tr) else 0.0
        retained = None if c["difference"] is None else c["difference"] * len(tr) * mean
        out.append({"playbook_id": p.id, "treated": len(tr), "treated_ok": int(tr["success"].sum()),
                    "holdout": len(ho), "holdout_ok": int(ho["success"].sum()), **c,
                    "revenue_retained": retained, "cost": float(rows["cost"].sum())})  # fmt: skip
    return out


def main() -> None:
    step, folder, out, day = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    as_of = dt.date.fromisoformat(day)
    if step == "run":
        found = targets(folder, as_of)
        work = tasks(folder, found, as_of)
        found.drop(columns=["name", "owner_id"]).to_parquet(out / "targets.parquet")
        work.to_parquet(out / "tasks.parquet")
        counts = found.groupby("playbook_id").agg(targets=("holdout", "size"),
                                                  held_out=("holdout", "sum"))  # fmt: skip
        print(json.dumps({"targets": {k: [int(a), int(b)] for k, (a, b) in counts.iterrows()},
                          "tasks": len(work)}))  # fmt: skip
    else:
        found = pd.read_parquet(out / "targets.parquet")
        work = pd.read_parquet(out / "tasks.parquet")
        print(json.dumps(evaluate(folder, found, work, as_of)))


if __name__ == "__main__":
    main()
