"""The dashboard in a real browser (Debian's Chromium through Playwright): logging in, every
page's numbers equal to its JSON twin in the API, switching language (stored with the user),
voiding a customer with a reason moves void_ratio on the overview (and reverting moves it
back), a rep cannot open another rep's customer by URL or API, hostile names render inert.
A screenshot of every page in both languages goes to ``test-output/web``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from keepwise._core.i18n import t
from web.conftest import FORMULA, PASSWORD, SCRIPT, Site

PAGES = ("/", "/churn", "/risk", "/customers", "/value", "/imports", "/settings")


def login(browser: Browser, site: Site, user: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{site.url}/customers")  # not logged in: to the login page, and back after
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{site.url}/customers")
    return page


def floats(page: Page, selector: str, attribute: str = "data-v") -> list[float | None]:
    values = page.eval_on_selector_all(
        selector, f"els => els.map(e => e.getAttribute('{attribute}'))"
    )
    return [float(v) if v not in (None, "") else None for v in values]


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def check_overview(page: Page, site: Site) -> None:
    api = site.get("manager", "/api/overview")["data"]
    shown = dict(zip(page.eval_on_selector_all("[data-metric]", "e => e.map(x => x.dataset.metric)"),
                     floats(page, "[data-metric]", "data-value"), strict=True))  # fmt: skip
    assert len(shown) == len(api["kpis"]) == 12
    for k in api["kpis"]:
        assert same(shown[k["metric"]], k["latest"]["value"]), k["metric"]
    head = api["headline"]
    for key in ("customers", "kept", "revenue_12m", "orders_12m", "churn_rate_12m"):
        assert same(floats(page, f"[data-figure={key}]", "data-value")[0], head[key]), key
    assert page.eval_on_selector_all("[data-chart][data-drawn]", "e => e.length") >= 13


def check_churn(page: Page, site: Site) -> None:
    api = site.get("manager", "/api/kpis", metric=["churn_rate", "churn_only_rate", "void_rate",
                                                   "void_ratio"])["data"]  # fmt: skip
    expected = [r["value"] for r in sorted(api, key=lambda r: r["period_start"])
                if r["metric"] == "void_ratio"]  # fmt: skip
    assert all(map(same, floats(page, "#trend-table td[data-metric=void_ratio]"), expected))
    assert len(expected) >= 12  # 12 months, and the current one so far
    reasons = site.get("manager", "/api/reasons")["data"]
    assert sum(floats(page, "#reason-table td:nth-child(4)")) == sum(  # type: ignore[arg-type]
        r["customers"] for r in reasons
    )
    impact = site.get("manager", "/api/impact")["data"]
    assert all(map(same, floats(page, "#impact-table td:nth-child(3)"),
                   [r["revenue_lost"] for r in impact]))  # fmt: skip


def check_risk(page: Page, site: Site) -> None:
    api = site.get("manager", "/api/risk")["data"]["items"]
    rows = page.eval_on_selector_all("#risk-table tbody tr", "e => e.map(x => x.dataset.customer)")
    assert rows == [r["customer_id"] for r in api]
    assert all(map(same, floats(page, "#risk-table td:nth-child(7)"),
                   [r["value_at_risk"] for r in api]))  # fmt: skip
    values = [r["value_at_risk"] for r in api]
    assert values == sorted(values, reverse=True)  # by value at risk, highest first


def check_value(page: Page, site: Site) -> None:
    rfm = site.get("manager", "/api/value/rfm", limit=1)["data"]
    assert floats(page, "#rfm-table td:nth-child(2)") == [s["customers"] for s in rfm["segments"]]
    grid = sum(floats(page, "#rfm-grid td"))  # type: ignore[arg-type]
    assert grid == rfm["customers_total"]
    tiers = site.get("manager", "/api/value/tiers", limit=1)["data"]
    assert floats(page, "#tier-table td:nth-child(2)") == [t["customers"] for t in tiers["tiers"]]


def check_imports(page: Page, site: Site) -> None:
    counts = {c["table"]: c["rows"] for c in site.get("manager", "/api/imports/counts")}
    shown = page.eval_on_selector_all(
        "#count-table tbody tr", "e => e.map(r => [r.cells[0].textContent, r.cells[1].dataset.v])"
    )
    assert shown and all(counts[name] == int(rows) for name, rows in shown)


CHECKS = {"/": check_overview, "/churn": check_churn, "/risk": check_risk,
          "/value": check_value, "/imports": check_imports}  # fmt: skip


def test_pages_show_the_apis_numbers_in_both_languages(
    browser: Browser, site: Site, shots: Path
) -> None:
    page = login(browser, site, "manager")
    customer = site.get("manager", "/api/risk")["data"]["items"][0]["customer_id"]
    pages = [
        *PAGES,
        f"/customers/{customer}",
        "/kpis/void_ratio?period=2026-10-01",
        "/playbooks",
        "/tasks",
    ]
    for lang in ("zh", "en"):
        assert page.get_attribute("html", "lang") == ("zh-CN" if lang == "zh" else "en")
        for path in pages:
            answer = page.goto(site.url + path)
            assert answer is not None and answer.status == 200, path
            page.wait_for_load_state("networkidle")
            assert "Traceback" not in page.content()
            if path in CHECKS:
                CHECKS[path](page, site)
            name = (
                path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "overview"
            )
            page.screenshot(path=str(shots / f"{name}-{lang}.png"), full_page=True)
        nav = page.inner_text("nav.main")
        assert ("概览" in nav) == (lang == "zh") and ("Overview" in nav) == (lang == "en")
        page.click("#lang-switch")  # stored with the user: the next page is in the other language
        page.wait_for_load_state()
    assert site.get("manager", "/api/me")["user"]["lang"] == "zh"  # switched twice


def _kept_customer(site: Site) -> str:
    """A customer of neither rep whose status is kept at AS_OF and who was acquired before
    the last complete month."""
    items = site.get("manager", "/api/customers", limit=200)["items"]
    for item in items:
        if item["owner_id"] in site.owners.values() or item["acquired_at"][:10] >= "2026-09-01":
            continue
        status = site.get("manager", f"/api/customers/{item['customer_id']}/status")
        if status["kept"]:
            return str(item["customer_id"])
    raise AssertionError("no kept customer in the demo")


def _void_ratio_now(page: Page, site: Site) -> float:
    """The void ratio of the current month so far, as the overview shows it."""
    page.goto(site.url + "/")
    value = floats(page, "[data-metric=void_ratio] [data-current]", "data-current")[0]
    assert value is not None
    return value


def _current_void_ratio(site: Site) -> dict[str, Any]:
    kpis = site.get("manager", "/api/overview")["data"]["kpis"]
    series = next(k for k in kpis if k["metric"] == "void_ratio")["series"]
    assert not series[-1]["complete"]
    return dict(series[-1])


def test_void_now_with_a_reason_moves_void_ratio_and_revert_moves_it_back(
    browser: Browser, site: Site
) -> None:
    page = login(browser, site, "manager")
    before = _void_ratio_now(page, site)
    row = _current_void_ratio(site)
    assert same(before, row["value"])
    customer = _kept_customer(site)
    page.goto(f"{site.url}/customers/{customer}")
    page.select_option("#void-form select[name=reason]", "duplicate")
    page.fill("#void-form textarea[name=note]", "entered twice")
    page.click("#void-form button[type=submit]")  # no effective date: voided now
    page.wait_for_url(f"**/customers/{customer}?done=void")
    assert page.get_attribute("#status .big", "data-status") == "voided"
    after = _void_ratio_now(page, site)
    # Counted at once: one more voided customer this month among the same customers.
    assert math.isclose(after, (row["numerator"] + 1) / row["denominator"])
    assert after > before
    assert same(after, _current_void_ratio(site)["value"])
    page.goto(f"{site.url}/customers/{customer}")
    page.click("#revert-form button[type=submit]")
    page.wait_for_url(f"**/customers/{customer}?done=revert")
    assert same(_void_ratio_now(page, site), before)


def test_a_rep_cannot_open_another_reps_customer(browser: Browser, site: Site) -> None:
    theirs = site.get("rep_b", "/api/customers", limit=1)["items"][0]["customer_id"]
    own = site.get("rep_a", "/api/customers", limit=1)["items"][0]["customer_id"]
    page = login(browser, site, "rep_a")
    answer = page.goto(f"{site.url}/customers/{theirs}")
    assert answer is not None and answer.status == 404
    # The same words as a customer that does not exist, in the rep's language.
    assert t("customers.not_found", "zh", customer_id=theirs) in page.inner_text("main")
    assert "Traceback" not in page.content()
    answer = page.goto(f"{site.url}/customers/{own}")
    assert answer is not None and answer.status == 200
    with site.api("rep_a") as client:
        assert client.get(f"/api/customers/{theirs}").status_code == 404
    page.goto(f"{site.url}/risk")
    shown = set(page.eval_on_selector_all("#risk-table tbody tr",
                                          "e => e.map(x => x.dataset.customer)"))  # fmt: skip
    mine = {r["customer_id"] for r in site.get("rep_a", "/api/risk", limit=1000)["data"]["items"]}
    assert shown and shown <= mine
    page.goto(f"{site.url}/imports")  # a rep does not import
    assert "/imports" in page.url and page.locator(".error-page").count() == 1


@pytest.mark.parametrize("customer, name", [("X1", SCRIPT), ("X2", FORMULA)])
def test_hostile_names_render_inert(browser: Browser, site: Site, customer: str, name: str) -> None:
    page = login(browser, site, "rep_a")
    dialogs: list[Any] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{site.url}/customers/{customer}")
    assert page.inner_text("#customer-name") == name
    page.goto(f"{site.url}/customers?q=X")
    assert name in page.inner_text("#customer-table")
    assert page.locator("main script:not([type])").count() == 0
    assert dialogs == []
