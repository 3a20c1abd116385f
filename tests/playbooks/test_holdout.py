"""The hold-out draw: the same customer is always in or out for a playbook, and the share held
out is near the configured one (property tests)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from keepwise.playbooks.holdout import draws, held_out

ids = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=50, unique=True)


@given(seed=st.text(max_size=20), customers=ids)
def test_the_draw_is_reproducible_and_independent_of_order(seed: str, customers: list[str]) -> None:
    first = draws(seed, customers)
    again = draws(seed, list(reversed(customers)))[::-1]
    assert np.array_equal(first, again)
    assert ((first >= 0) & (first < 1)).all()
    one_by_one = np.concatenate([draws(seed, [c]) for c in customers])
    assert np.array_equal(first, one_by_one)


@settings(max_examples=25, deadline=None)
@given(seed=st.text(min_size=1, max_size=20), share=st.floats(0.02, 0.9))
def test_the_share_held_out_is_near_the_configured_share(seed: str, share: float) -> None:
    """For 20,000 customers the count held out is Binomial(n, share): within 5 standard
    deviations (a false alarm about once in 3.5 million)."""
    n = 20_000
    out = held_out(seed, [f"C{i:06d}" for i in range(n)], share)
    sd = math.sqrt(n * share * (1 - share))
    assert abs(out.sum() - n * share) < 5 * sd


def test_playbooks_hold_out_different_customers() -> None:
    customers = [f"C{i}" for i in range(10_000)]
    a, b = held_out("void_survey", customers, 0.1), held_out("lost_remarketing", customers, 0.1)
    both = (a & b).sum()
    # independent draws: about 1 % of customers are held out of both
    assert 50 < both < 160, both


def test_the_draw_is_the_documented_hash() -> None:
    """BLAKE2b-64 of "seed ␟ id", its top 53 bits over 2⁵³ — an independent recomputation."""
    import hashlib

    digest = hashlib.blake2b(b"void_survey\x1fC000001", digest_size=8).digest()
    expected = (int.from_bytes(digest, "big") >> 11) / 2**53
    assert draws("void_survey", ["C000001"])[0] == expected
