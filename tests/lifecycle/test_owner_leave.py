"""An owner's departure on both backends: who goes to whom by round robin (worked out by hand
below), the owner_left alerts for the kept customers only, every hand-over recorded, and the
errors."""

from __future__ import annotations

import datetime as dt

import pytest
from lifecycle_support import AS_OF, rows

from keepwise import Workspace
from keepwise._core.errors import InputError, NotFoundError

# A leaves. Active owners: B (holds B1 north/smb), C (C1 south/smb), D (D1 south/ent),
# F (F1 north/smb). In customer-id order, each (region, segment) group taking its own turns:
#   N1, N2, N3 north/smb -> holders of north/smb [B, F]: N1 B, N2 F, N3 B
#   S1 south/smb         -> [C]
#   X1 west/ent          -> nobody in west/ent, nobody in west; segment ent: [D]
#   Y1 east/retail       -> nobody by region or segment: every active owner [B, C, D, F]: B
ROUND_ROBIN = {"N1": "B", "N2": "F", "N3": "B", "S1": "C", "X1": "D", "Y1": "B"}


def test_round_robin_within_region_and_segment(company: Workspace) -> None:
    done = company.owners.leave("A", as_of=AS_OF, actor="boss")
    assert {c.customer_id: c.to_owner for c in done.changes} == ROUND_ROBIN
    assert all((c.from_owner, c.kind, c.actor) == ("A", "owner_left", "boss")
               for c in done.changes)  # fmt: skip
    owners = rows(company, "SELECT customer_id, owner_id FROM customers WHERE customer_id IN "
                           "('N1','N2','N3','S1','X1','Y1') ORDER BY 1")  # fmt: skip
    assert dict(owners) == ROUND_ROBIN
    assert rows(company, "SELECT active, left_at FROM owners WHERE owner_id = 'A'") == [
        (False, dt.datetime(2024, 7, 1))
    ]
    # N3 churned in April: handed over (its archive needs an owner) but not alerted.
    assert done.not_alerted == ["N3"] and done.alerts_opened == 5
    alerts = company.alerts.find(rule="owner_left")
    assert sorted(a.customer_id for a in alerts) == ["N1", "N2", "S1", "X1", "Y1"]
    n1 = next(a for a in alerts if a.customer_id == "N1")
    assert n1.evidence == {"owner_id": "A", "owner_name": "Owner A", "left_at": "2024-07-01",
                           "new_owner_id": "B"}  # fmt: skip
    assert (n1.owner_id, n1.severity, n1.as_of) == ("B", "medium", AS_OF)
    assert (
        len(rows(company, "SELECT * FROM audit_log WHERE action = 'customer.owner.owner_left'"))
        == 6
    )
    assert rows(company, "SELECT actor FROM audit_log WHERE action = 'owner.left'") == [("boss",)]
    # A hand-over is reversed (or corrected) by reassigning again.
    again = company.customers.reassign("N1", "F", actor="boss")
    assert (again.from_owner, again.to_owner) == ("B", "F")
    with pytest.raises(InputError) as err:
        company.owners.leave("A", as_of=AS_OF, actor="boss")
    assert err.value.message("en") == "Owner A already left on 2024-07-01"
    assert err.value.message("zh") == "负责人 A 已于 2024-07-01 离职"


def test_to_one_owner(company: Workspace) -> None:
    done = company.owners.leave("A", as_of=AS_OF, actor="boss", to="C")
    assert {c.customer_id for c in done.changes} == set(ROUND_ROBIN)
    assert {c.to_owner for c in done.changes} == {"C"}
    assert done.rule == "to"


@pytest.mark.parametrize(
    ("owner", "to", "kind", "en", "zh"),
    [
        ("Q", None, NotFoundError, "Unknown owner Q", "负责人 Q 不存在"),
        ("E", None, InputError, "Owner E already left on 2023-12-01", "负责人 E 已于 2023-12-01 离职"),
        ("A", "E", InputError, "Owner E left on 2023-12-01 and can no longer take customers",
         "已于 2023-12-01 离职，不能再接手客户"),
        ("A", "Q", NotFoundError, "Unknown owner Q", "负责人 Q 不存在"),
        ("A", "A", InputError, "cannot take over their own customers", "不能接手自己的客户"),
    ],
)  # fmt: skip
def test_errors_change_nothing(
    company: Workspace, owner: str, to: str | None, kind: type[Exception], en: str, zh: str
) -> None:
    before = rows(company, "SELECT * FROM owners ORDER BY owner_id")
    with pytest.raises(kind) as err:
        company.owners.leave(owner, as_of=AS_OF, actor="boss", to=to)
    assert en in err.value.message("en") and zh in err.value.message("zh")  # type: ignore[attr-defined]
    assert rows(company, "SELECT * FROM owners ORDER BY owner_id") == before
    assert rows(company, "SELECT count(*) FROM owner_changes") == [(0,)]


def test_nobody_left_to_take_over(company: Workspace) -> None:
    with company.store.begin() as conn:
        conn.exec_driver_sql("UPDATE owners SET active = FALSE WHERE owner_id <> 'A'")
    with pytest.raises(InputError) as err:
        company.owners.leave("A", as_of=AS_OF, actor="boss")
    assert err.value.message("en") == "No active owner is left to take over the 6 customers of A"
    assert rows(company, "SELECT active FROM owners WHERE owner_id = 'A'") == [(True,)]
    assert rows(company, "SELECT count(*) FROM owner_changes") == [(0,)]


def test_an_owner_without_customers_just_leaves(company: Workspace) -> None:
    with company.store.begin() as conn:
        conn.exec_driver_sql("INSERT INTO owners (owner_id, name, active) VALUES ('G', 'G', TRUE)")
    done = company.owners.leave("G", as_of=AS_OF, actor="boss")
    assert done.changes == [] and done.alerts_opened == 0
    assert rows(company, "SELECT active FROM owners WHERE owner_id = 'G'") == [(False,)]


def test_a_departure_in_the_future_is_refused(company: Workspace) -> None:
    with pytest.raises(InputError):
        company.owners.leave("A", as_of=dt.date(2999, 1, 1), actor="boss")
