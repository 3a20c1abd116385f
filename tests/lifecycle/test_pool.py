"""The customer pool (公海) on both backends: who returns to it (by hand below), claims and their
limit, reassignment that cannot bypass the pool, and what became of pool customers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from lifecycle_support import AS_OF, configure, insert, rows

from keepwise import Workspace
from keepwise._core.errors import ConfigError, InputError, NotFoundError

SETTINGS = "[lifecycle]\npool_after_days = 60\npool_claim_limit = 2"


@pytest.fixture
def pooled(company: Workspace) -> Iterator[Workspace]:
    """As of 2024-07-01 with 60 days: a customer returns when its owner's last follow-up (or the
    day the owner took it, or acquisition on 2024-01-01) is before 2024-05-02.

    B1: B followed up on 06-15, stays. F1: followed up by B, not its owner F, returns.
    C1: a follow-up with no owner named on 05-10 counts, stays. D1: reassigned to C on 06-01,
    stays. N1: A on 06-01, stays. X1: A on 05-02, exactly 60 days, stays. S1: A on 05-01,
    61 days, returns. N2, Y1: never followed up, return. N3: churned in April, keeps its owner.
    """
    ws = configure(company, SETTINGS)
    follow = [("B1", "B", "2024-06-15"), ("F1", "B", "2024-06-20"), ("C1", None, "2024-05-10"),
              ("N1", "A", "2024-06-01"), ("X1", "A", "2024-05-02"), ("S1", "A", "2024-05-01")]  # fmt: skip
    insert(ws, "interactions", [
        {"interaction_id": f"I{i}", "customer_id": cid, "owner_id": owner,
         "occurred_at": dt.datetime.fromisoformat(day) + dt.timedelta(hours=9)}
        for i, (cid, owner, day) in enumerate(follow)
    ])  # fmt: skip
    ws.customers.reassign("D1", "C", actor="boss", at=dt.datetime(2024, 6, 1, 9))
    yield ws
    ws.close()


def test_refresh_returns_the_customers_not_followed_up(pooled: Workspace) -> None:
    changes = pooled.owners.pool_refresh(as_of=AS_OF, actor="system")
    assert {c.customer_id: c.from_owner for c in changes} == {
        "F1": "F",
        "N2": "A",
        "S1": "A",
        "Y1": "A",
    }
    assert all((c.to_owner, c.kind, c.at) == (None, "pool", dt.datetime(2024, 7, 1))
               for c in changes)  # fmt: skip
    members = pooled.owners.pool()
    assert [(m.customer_id, m.from_owner) for m in members] == [
        ("F1", "F"),
        ("N2", "A"),
        ("S1", "A"),
        ("Y1", "A"),
    ]
    assert rows(pooled, "SELECT owner_id FROM customers WHERE customer_id = 'F1'") == [(None,)]
    assert pooled.owners.pool_refresh(as_of=AS_OF, actor="system") == []  # nothing twice
    audit = rows(pooled, "SELECT count(*) FROM audit_log WHERE action = 'customer.owner.pool'")
    assert audit == [(4,)]
    assert pooled.customers.show("N2")["customer"]["in_pool"] is True


def test_claims_within_the_limit_and_no_way_around_the_pool(pooled: Workspace) -> None:
    pooled.owners.pool_refresh(as_of=AS_OF, actor="system")
    first = pooled.owners.claim("F1", owner_id="B")
    assert (first.from_owner, first.to_owner, first.kind, first.actor) == (None, "B", "claim", "B")
    pooled.owners.claim("N2", owner_id="B")
    with pytest.raises(InputError) as err:
        pooled.owners.claim("S1", owner_id="B")
    assert err.value.message("en") == (
        "B already holds 2 customers claimed from the pool, the limit is 2"
    )
    assert "上限 2" in err.value.message("zh")
    with pytest.raises(InputError) as err:
        pooled.customers.reassign("S1", "B", actor="B")
    assert "is in the customer pool" in err.value.message("en")
    with pytest.raises(InputError) as err:
        pooled.owners.claim("B1", owner_id="C")
    assert err.value.message("en") == "Customer B1 is not in the customer pool"
    with pytest.raises(NotFoundError):
        pooled.owners.claim("S1", owner_id="nobody")
    with pytest.raises(InputError):
        pooled.owners.claim("S1", owner_id="E")  # left the company
    # A manager may reassign a pool customer; it is recorded as a manager's reassignment.
    managed = pooled.customers.reassign("Y1", "C", actor="boss", as_manager=True)
    assert (managed.from_owner, managed.to_owner, managed.kind) == (None, "C", "manager")
    # F1 handed on: B holds one claimed customer, and may claim again.
    pooled.customers.reassign("F1", "C", actor="boss")
    again = pooled.owners.claim("S1", owner_id="B")
    assert again.to_owner == "B"
    assert pooled.owners.pool() == []


def test_the_report_follows_what_became_of_pool_customers(pooled: Workspace) -> None:
    pooled.owners.pool_refresh(as_of=AS_OF, actor="system")
    pooled.owners.claim("F1", owner_id="B", at=dt.datetime(2024, 7, 2, 9))
    pooled.owners.claim("N2", owner_id="B", at=dt.datetime(2024, 7, 3, 9))
    # F1 orders again; Y1 churns and is won back; S1 and N2: nothing.
    insert(pooled, "orders", [{"order_id": "F1-late", "customer_id": "F1",
                               "ordered_at": dt.datetime(2024, 7, 10, 9), "amount": 50.0}])  # fmt: skip
    insert(pooled, "status_events", [
        {"customer_id": "Y1", "occurred_at": dt.datetime(2024, 7, 5, 9), "to_status": "churned",
         "source": "import"},
        {"customer_id": "Y1", "occurred_at": dt.datetime(2024, 7, 20, 9), "to_status": "won_back",
         "source": "import"},
    ])  # fmt: skip
    report = {o.group: o for o in pooled.owners.pool_report(as_of=dt.date(2024, 8, 1))}
    counts = {g: (o.returns, o.ordered_again, o.won_back, o.lost) for g, o in report.items()}
    assert counts == {"all": (4, 1, 1, 1), "claimed": (2, 1, 0, 0), "unclaimed": (2, 0, 1, 1)}
    assert report["all"].to_dict()["won_back_share"] == 0.25
    # As of the day of the returns nothing has followed yet.
    early = {o.group: o.returns for o in pooled.owners.pool_report(as_of=AS_OF)}
    assert early == {"all": 0, "claimed": 0, "unclaimed": 0}


def test_the_pool_is_off_without_its_setting(company: Workspace) -> None:
    with pytest.raises(ConfigError) as err:
        company.owners.pool_refresh(as_of=AS_OF, actor="system")
    assert "pool_after_days" in err.value.message("en")
    assert "公海未启用" in err.value.message("zh")
