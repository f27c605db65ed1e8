"""The bank customer's pages in Chromium under the production CSP, on a desktop and at
360 px: the statement's filters and downloads, the account details, the platforms with
the revoke question, the password reset; and the staff's CSV export in the admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from browser import DESKTOP, PASSWORD, assert_fits_the_screen
from stack import Stack
from test_csp import Watcher

pytestmark = pytest.mark.browser

NARROW: ViewportSize = {"width": 360, "height": 780}


@pytest.fixture
def visit(browser: Browser) -> Iterator[tuple[Page, Watcher]]:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    watcher = Watcher(context)
    yield context.new_page(), watcher
    context.close()


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def fits_both_ways(page: Page) -> None:
    page.set_viewport_size(NARROW)
    assert_fits_the_screen(page)
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_customer_filters_downloads_shares_and_sees_his_platforms(
    stack: Stack, visit: tuple[Page, Watcher], lang: str
) -> None:
    page, watcher = visit
    base = stack.bank.url + ("/ru" if lang == "ru" else "")
    # Signing in brings the customer's own language back: a Russian customer for Russian.
    sign_in(page, base, "pokupatel@demo.test" if lang == "ru" else "buyer@demo.test")
    page.locator("a.account-number").first.click()
    statement = page.url
    fits_both_ways(page)

    page.locator("input[name=q]").fill("no such text anywhere")
    page.locator("form.statement-filter button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(
        "No movements match these filters." if lang == "en" else "Нет движений"
    )
    fits_both_ways(page)
    page.goto(statement)
    with page.expect_download() as csv:
        page.get_by_test_id("export-csv").click()
    assert csv.value.suggested_filename.startswith("statement-")
    assert csv.value.suggested_filename.endswith(".csv")
    with page.expect_download() as pdf:
        page.get_by_test_id("export-pdf").click()
    assert pdf.value.suggested_filename.endswith(".pdf")

    page.locator("a[href$='details/']").click()
    expect(page.get_by_test_id("bik")).to_have_text("044525974")
    fits_both_ways(page)

    page.goto(base + "/platforms/")
    expect(page.get_by_test_id("link").first).to_be_visible()
    fits_both_ways(page)
    page.get_by_test_id("revoke").first.click()
    expect(page.get_by_test_id("confirm-revoke")).to_be_visible()  # asked, not done
    fits_both_ways(page)
    watcher.assert_clean()


def test_the_password_reset_pages_fit_and_answer(stack: Stack, visit: tuple[Page, Watcher]) -> None:
    page, watcher = visit
    page.goto(stack.bank.url + "/login/")
    page.locator("a[href$='/password-reset/']").click()
    page.locator("input[name=email]").fill("nobody@demo.test")
    fits_both_ways(page)
    page.locator("main button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    fits_both_ways(page)
    watcher.assert_clean()


def test_staff_export_accounts_as_csv_from_the_bank_admin(
    stack: Stack, visit: tuple[Page, Watcher]
) -> None:
    page, watcher = visit
    sign_in(page, stack.bank.url, "staff@demo.test")
    page.goto(stack.bank.url + "/admin/ledger/account/")
    expect(page.locator("#site-name")).to_contain_text("Bank — administration")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("export_csv")
    with page.expect_download() as csv:
        page.locator("button[name=index]").click()
    assert csv.value.suggested_filename.startswith("accounts-")
    watcher.assert_clean()
