"""Who does a task, and what its message says: the owners a run may assign, and the messages
rendered from the playbook's templates for every task at once (column by column, not row by
row: a run may create hundreds of thousands of tasks)."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import numpy as np
import pandas as pd

from keepwise.playbooks import holdout
from keepwise.playbooks.describe import describe
from keepwise.playbooks.spec import Playbook


def active_owners(owners: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Owners still with the company at ``as_of``: owner_id, name, role."""
    left = pd.to_datetime(owners["left_at"])
    gone = left.notna() & (left < pd.Timestamp(as_of))
    here = ~gone & (owners["active"].fillna(True).astype(bool) | left.notna())
    out = owners[here][["owner_id", "name", "role"]]
    return out.sort_values("owner_id").reset_index(drop=True)


def assign_owners(customers: pd.Series, own: pd.Series, rule: str, owners: pd.DataFrame,
                  seed: str) -> pd.Series:  # fmt: skip
    """The owner of each task: the customer's owner while they are with the company (else a
    manager), an owner of a role (spread evenly and always the same for a customer), or the
    owner named. None when nobody fits."""

    def by_role(role: str) -> pd.Series:
        pool = owners.loc[owners["role"] == role, "owner_id"].tolist()
        if not pool:
            return pd.Series([None] * len(customers), index=customers.index, dtype=object)
        pick = (holdout.draws(f"{seed}:owner", customers) * len(pool)).astype(np.int64)
        return pd.Series(np.array(pool, dtype=object)[pick], index=customers.index)

    if rule.startswith("role:"):
        return by_role(rule.removeprefix("role:"))
    if rule != "customer":
        return pd.Series([rule] * len(customers), index=customers.index, dtype=object)
    present = own.isin(owners["owner_id"])
    return own.where(present, by_role("manager"))


def render(template: str, lang: str, p: Playbook, tasks: pd.DataFrame, due: dt.date,
           names: dict[str, Any]) -> pd.Series:  # fmt: skip
    """The message of each task (columns customer_id, name, owner_id, detail) in ``lang``.
    Templates are checked when the playbook file is read: only the known fields appear."""
    n = len(tasks)
    out = pd.Series([""] * n, index=tasks.index, dtype=object)
    if not template or not n:
        return out
    cid = tasks["customer_id"].astype(str)
    details = {d: describe(d, lang) for d in tasks["detail"].dropna().unique()}
    detail = tasks["detail"].map(details).fillna("—")
    occasion = tasks["detail"].map({d: t for d, t in details.items() if ":" in d}).fillna("")
    owner = tasks["owner_id"].map(names).fillna(tasks["owner_id"]).fillna("")
    fields: dict[str, Any] = {
        "customer_id": cid, "customer": tasks["name"].where(tasks["name"].notna(), cid),
        "owner": owner.astype(str), "due": due.isoformat(), "playbook": p.name(lang),
        "detail": detail, "occasion": occasion,
    }  # fmt: skip
    for literal, field, _, _ in string.Formatter().parse(template):
        out = out + literal
        if field is not None:
            out = out + fields[field]
    return out
