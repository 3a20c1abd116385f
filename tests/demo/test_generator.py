"""The demo company: contract columns, determinism, referential integrity, plausible proportions,
and the causal signals the analytics are supposed to find."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keepwise.demo import KINDS, generate_company, write_company
from keepwise.demo.timeline import scenario

AS_OF = dt.date(2026, 11, 1)
END = pd.Timestamp(AS_OF)
DAY = pd.Timedelta(days=1)

#: The import contract of DESIGN.md, written out independently of the generator's own table.
CONTRACT = {
    "customers": ["customer_id", "name", "segment", "industry", "region", "channel", "owner_id",
                  "acquired_at", "contract_end", "birthday", "acquisition_cost"],
    "contracts": ["contract_id", "customer_id", "start_date", "end_date", "value", "renewed_from"],
    "owners": ["owner_id", "name", "email", "role", "active", "left_at"],
    "orders": ["order_id", "customer_id", "ordered_at", "amount", "cost", "product", "cancelled"],
    "interactions": ["interaction_id", "customer_id", "owner_id", "occurred_at", "channel", "type",
                     "outcome", "note"],
    "tickets": ["ticket_id", "customer_id", "opened_at", "first_response_at", "resolved_at",
                "category", "is_complaint"],
    "surveys": ["survey_id", "customer_id", "answered_at", "csat", "recommend", "reason", "comment"],
    "leads": ["lead_id", "created_at", "source", "cost", "customer_id", "converted_at"],
    "spend": ["period_start", "channel", "amount"],
    "usage": ["customer_id", "day", "visits", "minutes", "feature"],
    "status-events": ["customer_id", "occurred_at", "to_status", "reason", "actor", "note",
                      "destination"],
}  # fmt: skip
ALLOWED = {  # status → statuses it may move to
    "active": {"at_risk", "churned", "voided"},
    "at_risk": {"active", "churned", "voided"},
    "churned": {"won_back"},
    "voided": {"active"},
    "won_back": {"at_risk", "churned", "voided"},
}
EVENT_TIMES = {
    "orders": "ordered_at", "tickets": "opened_at", "usage": "day", "surveys": "answered_at",
    "interactions": "occurred_at", "status-events": "occurred_at",
}  # fmt: skip


@pytest.fixture(scope="module")
def company() -> dict[str, pd.DataFrame]:
    return generate_company(3000, seed=7, as_of=AS_OF)


@pytest.fixture(scope="module")
def churns(company: dict[str, pd.DataFrame]) -> pd.DataFrame:
    events = company["status-events"]
    return events[events.to_status == "churned"].set_index("customer_id")


def test_columns_are_exactly_the_import_contract(company: dict[str, pd.DataFrame]) -> None:
    assert list(company) == list(KINDS)
    assert set(company) == set(CONTRACT)
    for kind, frame in company.items():
        assert list(frame.columns) == CONTRACT[kind], kind


def test_columns_agree_with_the_ingest_contract(company: dict[str, pd.DataFrame]) -> None:
    contract = pytest.importorskip("keepwise.ingest.contract")
    for kind, frame in company.items():
        assert list(frame.columns) == [c.name for c in contract.KINDS[kind].columns], kind


def test_reasons_are_taxonomy_codes(company: dict[str, pd.DataFrame]) -> None:
    taxonomy = pytest.importorskip("keepwise._core.taxonomy")
    codes = {r.code for r in taxonomy.BUILTIN_REASONS}
    assert set(company["status-events"].reason.dropna()) <= codes


def test_types(company: dict[str, pd.DataFrame]) -> None:
    for kind, frame in company.items():
        for name in frame.columns:
            column = frame[name]
            if name.endswith("_id") or name in ("name", "product", "segment", "note", "actor"):
                assert pd.api.types.is_string_dtype(column), (kind, name)
                assert isinstance(column.dropna().iloc[0], str), (kind, name)
            if name.endswith("_at") or name in (
                "day",
                "period_start",
                "contract_end",
                "birthday",
                "start_date",
                "end_date",
            ):
                assert pd.api.types.is_datetime64_dtype(column), (kind, name)
            if name in ("active", "cancelled", "is_complaint"):
                assert column.dtype == bool, (kind, name)
            if name in ("amount", "cost", "acquisition_cost", "value"):
                assert column.dtype == float and (column.dropna().round(2) == column.dropna()).all()
    assert company["customers"].customer_id.iloc[0] == "C000001"
    assert company["orders"].order_id.iloc[0] == "O0000001"


def test_same_seed_same_company_and_other_seeds_differ() -> None:
    first, again = generate_company(400, seed=3), generate_company(400, seed=3)
    for kind in KINDS:
        pd.testing.assert_frame_equal(first[kind], again[kind])
    other = generate_company(400, seed=4)
    assert not first["orders"].equals(other["orders"])
    assert not first["customers"].name.equals(other["customers"].name)


def test_some_kinds_only_gives_the_same_frames(company: dict[str, pd.DataFrame]) -> None:
    few = generate_company(3000, seed=7, as_of=AS_OF, kinds=("customers", "orders"))
    assert list(few) == ["customers", "orders"]
    pd.testing.assert_frame_equal(few["orders"], company["orders"])
    pd.testing.assert_frame_equal(few["customers"], company["customers"])
    with pytest.raises(ValueError, match="unknown kinds"):
        generate_company(10, kinds=("orderz",))


def test_every_reference_exists(company: dict[str, pd.DataFrame]) -> None:
    customers = set(company["customers"].customer_id)
    owners = set(company["owners"].owner_id)
    assert company["customers"].customer_id.is_unique
    for kind in EVENT_TIMES:
        assert set(company[kind].customer_id) <= customers, kind
    assert set(company["customers"].owner_id) <= owners
    assert set(company["interactions"].owner_id) <= owners
    assert set(company["leads"].customer_id.dropna()) <= customers
    assert set(company["status-events"].actor) <= owners | {"system"}
    for kind, key in (("orders", "order_id"), ("tickets", "ticket_id"), ("leads", "lead_id")):
        assert company[kind][key].is_unique


def test_nothing_before_acquisition_or_after_as_of(company: dict[str, pd.DataFrame]) -> None:
    acquired = company["customers"].set_index("customer_id").acquired_at
    for kind, column in EVENT_TIMES.items():
        frame = company[kind]
        assert (frame[column] >= frame.customer_id.map(acquired)).all(), kind
        assert (frame[column] < END).all(), kind
    leads = company["leads"].dropna(subset=["customer_id"])
    assert (leads.converted_at >= leads.customer_id.map(acquired)).all()
    assert (leads.created_at <= leads.converted_at).all()
    tickets = company["tickets"]
    assert (
        tickets.first_response_at.dropna() >= tickets.opened_at[tickets.first_response_at.notna()]
    ).all()
    assert (
        tickets.resolved_at.dropna() >= tickets.first_response_at[tickets.resolved_at.notna()]
    ).all()
    left = company["owners"].left_at.dropna()
    assert (left < END).all() and (
        company["owners"].active == company["owners"].left_at.isna()
    ).all()


def test_contract_history(company: dict[str, pd.DataFrame]) -> None:
    """Yearly contracts of the contractual segments: renewals chain back to back without
    overlaps, the last one is the customers' contract_end, churners leave on or before it."""
    customers = company["customers"].set_index("customer_id")
    contracts = company["contracts"].sort_values(["customer_id", "start_date"])
    assert contracts.contract_id.is_unique and contracts.customer_id.isin(customers.index).all()
    assert (contracts.end_date - contracts.start_date == 365 * DAY).all()
    assert (contracts.value > 0).all() and (contracts.value % 100 == 0).all()
    segments = customers.segment[contracts.customer_id.unique()]
    assert set(segments) == {"enterprise", "mid_market"}
    first = customers.acquired_at[contracts.customer_id].to_numpy()
    firsts = contracts[contracts.renewed_from.isna()]
    assert (firsts.groupby("customer_id").start_date.min() == customers.acquired_at[
        firsts.customer_id.unique()]).all()  # fmt: skip
    assert (contracts.start_date >= first).all()
    previous = contracts.groupby("customer_id").shift()
    renewal = contracts.renewed_from.notna()
    assert (contracts.renewed_from[renewal] == previous.contract_id[renewal]).all()
    assert (contracts.start_date[renewal] == previous.end_date[renewal]).all()
    assert (contracts.start_date >= previous.end_date.fillna(contracts.start_date)).all()
    assert renewal.mean() > 0.3 and (~renewal & previous.contract_id.notna()).any()  # win-backs
    last = contracts.groupby("customer_id").end_date.max()
    pd.testing.assert_series_equal(
        customers.contract_end.dropna().sort_index(), last.sort_index(), check_names=False
    )
    events = company["status-events"].sort_values("occurred_at")
    final = events.groupby("customer_id").last()
    lost = final[final.to_status.isin(["churned", "voided"])]
    lost = lost[lost.index.isin(last.index)]
    assert (lost.occurred_at.dt.normalize() <= last[lost.index]).all()
    # Most leave when the contract ends, some before — until the company starts its
    # playbooks: from then on the renewal playbook saves most of the treated customers who
    # would have left at a contract's end (demo/effects.py), so fewer leave then.
    start = pd.Timestamp(scenario(AS_OF, 3).playbooks_start)
    at_end = lost.occurred_at.dt.normalize() == last[lost.index]
    assert 0.3 < at_end[lost.occurred_at < start].mean() < 0.9
    assert at_end[lost.occurred_at >= start].mean() < at_end[lost.occurred_at < start].mean()
    kept = last.index.difference(lost.index)
    assert (last[kept] >= END).all()  # contracts of customers still kept run past the horizon


def test_status_sequences_are_valid(company: dict[str, pd.DataFrame]) -> None:
    events = company["status-events"]
    assert not events.duplicated(["customer_id", "occurred_at", "to_status"]).any()
    ordered = events.sort_values(["customer_id", "occurred_at"])
    previous = ordered.groupby("customer_id").to_status.shift(fill_value="active")
    for before, after in zip(previous, ordered.to_status, strict=True):
        assert after in ALLOWED[before], (before, after)
    changes = events[events.to_status.isin(["churned", "voided"])]
    assert changes.reason.notna().all() and events.note.notna().all()
    voids = events[events.to_status == "voided"]
    assert set(voids.reason) <= {"duplicate", "invalid", "no_value"}


def test_values_in_range(company: dict[str, pd.DataFrame]) -> None:
    orders, surveys, usage = company["orders"], company["surveys"], company["usage"]
    assert (orders.amount > 0).all() and (orders.cost > 0).all()
    assert surveys.csat.between(1, 5).all() and surveys.recommend.between(0, 10).all()
    assert (usage.visits > 0).all() and (usage.minutes >= 0).all()
    assert (usage.day.dt.dayofweek == 0).all()  # weekly rows, keyed by the week's Monday
    assert 0.01 < orders.cancelled.mean() < 0.08
    assert (company["customers"].acquisition_cost > 0).all()


def test_no_orders_after_churn_unless_won_back(
    company: dict[str, pd.DataFrame], churns: pd.DataFrame
) -> None:
    events, orders = company["status-events"], company["orders"]
    churned_at = orders.customer_id.map(churns.occurred_at)
    back = events[events.to_status == "won_back"].set_index("customer_id").occurred_at
    after = orders[orders.ordered_at >= churned_at]
    assert after.customer_id.isin(back.index).all()
    assert (after.ordered_at > after.customer_id.map(back)).all()
    assert len(back) > 10 and after.customer_id.nunique() > 0.5 * len(back)  # they buy again
    voided = events[events.to_status == "voided"].set_index("customer_id").occurred_at
    reverted = events[(events.to_status == "active")].customer_id
    later = orders[orders.ordered_at >= orders.customer_id.map(voided)]
    assert later.customer_id.isin(reverted).all() and reverted.isin(voided.index).any()


def test_annual_churn_and_void_proportions(company: dict[str, pd.DataFrame]) -> None:
    customers, events = company["customers"], company["status-events"].sort_values("occurred_at")

    def status_at(moment: pd.Timestamp) -> pd.Series:
        last = events[events.occurred_at < moment].groupby("customer_id").to_status.last()
        return customers.customer_id.map(last).fillna("active")

    for year in (2024, 2025):
        start, end = pd.Timestamp(year, 11, 1), pd.Timestamp(year + 1, 11, 1)
        base = customers[
            (customers.acquired_at < start) & ~status_at(start).isin(["churned", "voided"])
        ]
        during = events[events.occurred_at.between(start, end, inclusive="left")]
        lost = during[during.to_status.isin(["churned", "voided"])]
        rate = lost.customer_id.isin(base.customer_id).groupby(lost.customer_id).any().sum() / len(
            base
        )
        assert 0.10 <= rate <= 0.35, (year, rate)
    void_ratio = (status_at(END) == "voided").mean()
    assert 0.01 <= void_ratio <= 0.08
    assert len(company["customers"]) / len(company["owners"]) == pytest.approx(60, rel=0.1)


def test_departed_owners_customers_churn_more(
    company: dict[str, pd.DataFrame], churns: pd.DataFrame
) -> None:
    customers = company["customers"].merge(
        company["owners"][["owner_id", "left_at"]], on="owner_id"
    )
    churned_at = customers.customer_id.map(churns.occurred_at)

    def year_after(moment: pd.Series) -> tuple[int, int]:
        alive = (customers.acquired_at < moment) & ~(churned_at < moment)
        lost = alive & (churned_at < moment + 365 * DAY)
        return int(lost.sum()), int(alive.sum())

    orphans = customers.left_at.notna()
    lost, alive = year_after(customers.left_at.where(orphans))
    base_lost = base_alive = 0
    for moment in customers.left_at.dropna().unique()[:20]:
        mask = ~orphans
        x, y = year_after(pd.Series(pd.Timestamp(moment), index=customers.index).where(mask))
        base_lost, base_alive = base_lost + x, base_alive + y
    assert lost / alive > 1.5 * base_lost / base_alive
    reasons = churns.reason[churns.index.isin(customers.customer_id[orphans])]
    assert (reasons == "owner_left").mean() > 0.2
    assert (
        churns.reason[~churns.index.isin(customers.customer_id[orphans])] == "owner_left"
    ).sum() == 0


def test_complaints_drive_service_and_quality_churn(
    company: dict[str, pd.DataFrame], churns: pd.DataFrame
) -> None:
    tickets = company["tickets"]
    complaints = tickets[tickets.is_complaint].groupby("customer_id").size()
    count = churns.index.map(complaints).fillna(0)
    service = churns.reason.isin(["service", "quality"])
    assert service[count >= 2].mean() > 0.25
    assert service[count >= 2].mean() > 3 * service[count == 0].mean()


def test_orders_fade_before_churn(company: dict[str, pd.DataFrame], churns: pd.DataFrame) -> None:
    orders = company["orders"]
    acquired = company["customers"].set_index("customer_id").acquired_at
    churned = orders[orders.customer_id.isin(churns.index)]
    at = churned.customer_id.map(churns.occurred_at)
    begin = churned.customer_id.map(acquired).clip(lower=END - pd.DateOffset(years=3))
    before = churned[churned.ordered_at < at]
    last = (before.ordered_at >= at[before.index] - 90 * DAY).groupby(before.customer_id).sum()
    first = (before.ordered_at < at[before.index] - 90 * DAY).groupby(before.customer_id).sum()
    days = ((churns.occurred_at - 90 * DAY) - begin.groupby(churned.customer_id).first()).dt.days
    long = days[days > 180].index.intersection(first.index)
    assert len(long) > 50
    assert last[long].sum() / (90 * len(long)) < 0.7 * first[long].sum() / days[long].sum()


def test_usage_and_satisfaction_fade_before_churn(
    company: dict[str, pd.DataFrame], churns: pd.DataFrame
) -> None:
    usage = company["usage"]
    usage = usage[usage.customer_id.isin(churns.index)]
    lead = (usage.customer_id.map(churns.occurred_at) - usage.day).dt.days
    assert (
        usage.visits[lead.between(0, 60)].mean() < 0.6 * usage.visits[lead.between(200, 500)].mean()
    )
    surveys = company["surveys"]
    ahead = (surveys.customer_id.map(churns.occurred_at) - surveys.answered_at).dt.days
    loyal = ~surveys.customer_id.isin(churns.index)
    assert surveys.csat[ahead.between(0, 90)].mean() < surveys.csat[loyal].mean() - 0.5


def test_price_rise_is_visible_and_drives_price_churn(
    company: dict[str, pd.DataFrame], churns: pd.DataFrame
) -> None:
    rise = pd.Timestamp(scenario(AS_OF, 3).price_rise)
    orders = company["orders"]
    markup = orders.amount / orders.cost
    ratio = markup[orders.ordered_at >= rise].median() / markup[orders.ordered_at < rise].median()
    assert 1.07 < ratio < 1.17
    price = churns[churns.reason == "price"].occurred_at
    start = END - pd.DateOffset(years=3)
    before = (price < rise).sum() / (rise - start).days
    after = (price >= rise).sum() / (END - rise).days
    assert after > 4 * before


def test_neglect_follows_a_long_silence(
    company: dict[str, pd.DataFrame], churns: pd.DataFrame
) -> None:
    contacts = company["interactions"]
    contacts = contacts[contacts.type.isin(["routine", "care", "complaint_followup"])]
    acquired = company["customers"].set_index("customer_id").acquired_at
    neglected = churns[churns.reason == "neglect"]
    assert len(neglected) > 10
    silent = 0
    for customer, row in neglected.iterrows():
        times = contacts.occurred_at[contacts.customer_id == customer]
        start = max(acquired[customer], END - pd.DateOffset(years=3))
        points = pd.Series([start, *times[times < row.occurred_at], row.occurred_at]).sort_values()
        silent += points.diff().max() >= 180 * DAY
    assert silent / len(neglected) > 0.9


def test_destinations_and_notes(company: dict[str, pd.DataFrame], churns: pd.DataFrame) -> None:
    competitor = churns[churns.reason == "competitor"]
    assert 0.5 < competitor.destination.notna().mean() < 0.95
    assert churns[churns.reason == "customer_business"].destination.isna().all()
    risk = company["status-events"].query("to_status == 'at_risk'")
    assert (risk.actor == "system").all() and len(risk) > 0


def test_spend_leads_and_acquisition_costs_agree(company: dict[str, pd.DataFrame]) -> None:
    customers, spend, leads = company["customers"], company["spend"], company["leads"]
    inside = customers[customers.acquired_at >= END - pd.DateOffset(years=3)]
    by_channel = spend.groupby("channel").amount.sum()
    paid = inside.groupby("channel").acquisition_cost.sum()
    pd.testing.assert_series_equal(by_channel, paid, check_names=False, rtol=1e-6)
    assert leads.cost.sum() == pytest.approx(spend.amount.sum(), rel=0.05)
    assert set(leads.source) == set(spend.channel)
    converted = leads.customer_id.notna()
    assert converted.sum() == len(inside) and 0.1 < converted.mean() < 0.4


def test_names_mix_chinese_and_english(company: dict[str, pd.DataFrame]) -> None:
    names = company["customers"].name
    chinese = names.str.contains("公司")
    assert 0.6 < chinese.mean() < 0.95
    assert names.str.contains(r"Ltd|Inc\.|Group|Holdings").mean() > 0.05


def test_write_company_round_trips(tmp_path: Path) -> None:
    frames = generate_company(300, seed=1)
    paths = write_company(frames, tmp_path / "out")
    assert set(paths) == set(KINDS)
    for kind, path in paths.items():
        back = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
        assert list(back.columns) == CONTRACT[kind]
        assert len(back) == len(frames[kind])
    customers = pd.read_csv(paths["customers"], dtype=str)
    assert customers.customer_id.tolist() == frames["customers"].customer_id.tolist()
    assert customers.acquired_at.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    orders = pd.read_csv(paths["orders"], dtype=str)
    assert orders.ordered_at.str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
    assert set(orders.cancelled) <= {"true", "false"}
    assert np.allclose(orders.amount.astype(float), frames["orders"].amount)


def test_slow_answers_to_complaints_are_followed_by_service_churn(
    company: dict[str, pd.DataFrame], churns: pd.DataFrame
) -> None:
    tickets = company["tickets"]
    complaints = tickets[tickets.is_complaint]
    hours = (complaints.first_response_at - complaints.opened_at).dt.total_seconds() / 3600
    hours = hours.fillna(1e6)  # never answered: the slowest of all
    at = complaints.customer_id.map(churns.occurred_at)
    why = complaints.customer_id.map(churns.reason)
    lost = why.isin(["service", "quality"]) & (at > complaints.opened_at)
    lost &= at < complaints.opened_at + 365 * DAY
    assert lost[hours > 12].mean() > 1.5 * lost[hours < 4].mean()


def test_orders_follow_the_seasons(company: dict[str, pd.DataFrame]) -> None:
    orders = company["orders"]
    daily = orders.groupby(orders.ordered_at.dt.normalize()).size()
    daily = daily.reindex(pd.date_range(daily.index.min(), END - DAY), fill_value=0)
    for new_year in ("2024-02-10", "2025-01-29", "2026-02-17"):  # 春节
        day = pd.Timestamp(new_year)
        holiday = daily[day - 3 * DAY : day + 7 * DAY].mean()
        around = daily[day - 60 * DAY : day + 60 * DAY].mean()
        assert holiday < 0.6 * around
    month = orders[orders.ordered_at.dt.year == 2025].groupby(orders.ordered_at.dt.month).size()
    assert month.loc[[11, 12]].mean() > 1.15 * month.loc[[5, 6, 7, 8]].mean()
    assert daily[daily.index.dayofweek == 6].mean() < 0.5 * daily[daily.index.dayofweek == 2].mean()


@pytest.mark.parametrize(
    ("n", "options"),
    [(1, {}), (40, {"years": 1, "as_of": dt.date(2025, 3, 15)}), (150, {"years": 5})],
)
def test_small_and_unusual_companies(n: int, options: dict[str, object]) -> None:
    frames = generate_company(n, seed=5, **options)  # type: ignore[arg-type]
    assert len(frames["customers"]) == n
    end = pd.Timestamp(options.get("as_of", AS_OF))  # type: ignore[arg-type]
    assert (frames["orders"].ordered_at < end).all()
    assert (frames["spend"].period_start < end).all()


def test_bad_arguments_are_refused() -> None:
    for options in ({"n_customers": 0}, {"seed": -1}, {"years": 0}):
        with pytest.raises(ValueError):
            generate_company(**options)  # type: ignore[arg-type]


def test_about_twenty_orders_per_customer_at_scale() -> None:
    frames = generate_company(20_000, seed=2, kinds=("orders",))
    assert list(frames) == ["orders"]
    assert 16 <= len(frames["orders"]) / 20_000 <= 26
    assert frames["orders"].ordered_at.is_monotonic_increasing
