"""The demo company ran the built-in playbooks from ``Scenario.playbooks_start`` on, and two of
them worked: this module changes the lifecycle of the customers they treated.

Who was treated is decided exactly as Keepwise decides it: the customer is not in the
playbook's hold-out (the same deterministic draw, :mod:`keepwise.playbooks.holdout`). So when
the playbooks are run over the demo's history (``keepwise playbooks run --since …``), their
evaluation finds these effects — and finds none for the playbooks that had none.

* ``contract_renewal`` (an executive visit when a contract ends without renewal activity): a
  treated contract customer who would have left at the end of a contract ending after the
  start renews instead, with probability ``RENEWAL_SAVED`` at each contract end.
* ``lost_remarketing`` (an offer to customers lost over price or product fit): a treated
  customer lost after the start comes back ``35-80`` days after the loss with probability
  ``WINBACK_OFFER`` (or earlier, if they were coming back anyway).

Every other playbook changes nothing (``void_survey``, ``purchase_loyalty``, …). The draws
come from their own random stream, so the rest of the company is the same as without them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from keepwise.demo import vocab
from keepwise.demo.events import stream

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

RENEWAL_SAVED = 0.8
CONTRACT_YEAR = 365.0  # lifecycle.CONTRACT_DAYS
WINBACK_OFFER = 0.5
WINBACK_DAYS = (35.0, 80.0)
REMARKETING_REASONS = ("price", "product_fit")


def treated(playbook_id: str, ids: list[str], who: I64) -> B:
    """Whether each customer of ``who`` (indices into ``ids``) was treated by the built-in
    playbook: not in its hold-out."""
    from keepwise.playbooks.builtin import builtin
    from keepwise.playbooks.holdout import held_out

    p = builtin(playbook_id)
    return ~held_out(p.seed, [ids[i] for i in who], p.holdout)


def renewals(seed: int, ids: list[str], at_end: B, churn: F64, start: float) -> F64:
    """``churn`` with the contract-end departures that ``contract_renewal`` saved moved on by
    a contract year for each save: the visit before every contract end saves the customer
    with probability ``RENEWAL_SAVED``, until one does not (they still leave at a contract's
    end, a year or more later)."""
    rng = stream(seed, "playbook-renewals")
    saves = rng.geometric(1.0 - RENEWAL_SAVED, churn.size) - 1
    who = np.flatnonzero(at_end & np.isfinite(churn) & (churn >= start))
    who = who[treated("contract_renewal", ids, who)]
    out = churn.copy()
    out[who] += CONTRACT_YEAR * saves[who]
    return out


def winbacks(
    seed: int, ids: list[str], churn: F64, reason: I64, back: F64, start: float, horizon: float
) -> F64:
    """``back`` with the returns won by ``lost_remarketing``: a moment of the day 35-80 days
    after the churn, when that is earlier than the customer's own return."""
    rng = stream(seed, "playbook-winbacks")
    luck = rng.random(churn.size)
    wait = rng.uniform(*WINBACK_DAYS, churn.size)
    hour = rng.uniform(9.0, 18.0, churn.size) / 24.0
    codes = [vocab.R[r] for r in REMARKETING_REASONS]
    with np.errstate(invalid="ignore"):
        offered = np.isfinite(churn) & (churn >= start) & np.isin(reason, codes)
    who = np.flatnonzero(offered)
    won = who[treated("lost_remarketing", ids, who) & (luck[who] < WINBACK_OFFER)]
    moment = np.floor(churn[won]) + np.floor(wait[won]) + hour[won]
    out = back.copy()
    sooner = (moment < out[won]) & (moment < horizon)
    out[won[sooner]] = moment[sooner]
    return out
