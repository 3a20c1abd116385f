"""The contract in force at a moment, as it was known then: the one place that reads contract
ends, shared by the risk features (``days_to_contract_end``) and the ``contract_ending`` rule.

``customers.contract_end`` is the end of the customer's *current* contract: a renewed customer
carries a far-future end, a churner the end they left at. Read at a past snapshot it tells the
future, so it is read only where it was known:

* a customer with contract history (the ``contracts`` import kind, a renewal being a new row)
  is judged by the latest-starting contract known at ``as_of``: a contract is known from its
  start, or from the day it was imported when that is earlier (a renewal signed and imported
  ahead of its start). A contract that ended with no renewal yet gives an end before ``as_of``
  (lapsed);
* a customer with no contract known at ``as_of`` falls back on ``customers.contract_end``, but
  only from the day the customers row was imported (an upsert may have changed it then); before
  that, and for rows not written by an import, the end is unknown (null).

Rows that became known after ``as_of`` (a contract starting later, a file imported on a later
day) never reach the answer. Two limits, documented in docs/models.md: "imported on day d" is
read from ``import_batches.finished_at`` (a UTC date) and counts for ``as_of = d`` itself, so a
file imported today is used by today's scores and alerts; and an upsert keeps no earlier
version, so a re-import moves a customers row's day later and a contract amended in place
(its end changed) is read amended at every date.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from keepwise.churn.tables import day


def contracts_at(
    contracts: ir.Table, customers: ir.Table, import_batches: ir.Table, as_of: dt.date
) -> ir.Table:
    """``customer_id, contract_start, contract_end`` (dates; ``contract_start`` null for a bare
    ``customers.contract_end``): one row per customer with a contract known at ``as_of``, the
    latest-starting one (an end before ``as_of``: the contract lapsed without a renewal)."""
    imported = _import_days(import_batches)
    c = contracts.left_join(imported, contracts.import_batch_id == imported.kc_batch)
    known = c.filter((c.start_date < day(as_of)) | (c.kc_day <= day(as_of)))
    order = [ibis.desc(known.start_date), ibis.desc(known.end_date), ibis.desc(known.contract_id)]
    known = known.mutate(kc_rn=ibis.row_number().over(group_by=known.customer_id, order_by=order))
    latest = known.filter(known.kc_rn == 0).select(
        "customer_id",
        contract_start=known.start_date.cast("date"),
        contract_end=known.end_date.cast("date"),
    )
    bare = customers.filter(customers.contract_end.notnull())
    bare = bare.anti_join(latest.select("customer_id"), "customer_id")
    bare = bare.inner_join(imported, bare.import_batch_id == imported.kc_batch)
    bare = bare.filter(bare.kc_day <= day(as_of)).select(
        "customer_id",
        contract_start=ibis.null("date"),
        contract_end=bare.contract_end.cast("date"),
    )
    return latest.union(bare, distinct=False)


def _import_days(import_batches: ir.Table) -> ir.Table:
    """``kc_batch, kc_day``: each finished import batch and its (UTC) day."""
    b = import_batches.filter(import_batches.finished_at.notnull())
    return b.select(kc_batch=b.id, kc_day=b.finished_at.cast("date"))
