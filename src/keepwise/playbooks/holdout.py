"""Who is held out of a playbook: a deterministic draw per (playbook, customer).

The draw is the first eight bytes of BLAKE2b(seed ␟ customer id) (its top 53 bits) read as a fraction:
uniform on [0, 1), independent of everything else about the customer, and the same on every
run, machine and backend. A customer is in the hold-out of a playbook when the draw is below
its share, so they are in it (or out of it) every time the playbook targets them. The demo
generator uses the same draw to decide whom the company really treated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

_SCALE = float(2**53)


def draws(seed: str, customer_ids: Iterable[str]) -> NDArray[np.float64]:
    """The draw in [0, 1) of each customer for the playbook whose hold-out seed is ``seed``."""
    salt = seed.encode("utf-8") + b"\x1f"
    digests = b"".join(
        hashlib.blake2b(salt + str(c).encode("utf-8"), digest_size=8).digest() for c in customer_ids
    )
    # The top 53 bits: a float64 holds them exactly, so a draw is never rounded up to 1.
    values = np.frombuffer(digests, dtype=">u8") >> np.uint64(11)
    return values.astype(np.float64) / _SCALE


def held_out(seed: str, customer_ids: Iterable[str], share: float) -> NDArray[np.bool_]:
    """Whether each customer is in the hold-out (no task) of the playbook."""
    return draws(seed, customer_ids) < share
