"""Both sites under their Content-Security-Policy in a real browser: every page a person or
staff opens (the admin and the bank's Swagger page included) carries the header, works, and
makes Chromium refuse nothing: no inline script or style is left anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
)

from browser import DESKTOP, PASSWORD
from stack import Stack

pytestmark = pytest.mark.browser

MARKET_ANONYMOUS = ["/", "/users/login/", "/users/signup/", "/users/password-reset/", "/ru/"]
MARKET_SIGNED_IN = [
    "/",
    "/offers/new/",
    "/offers/mine/",
    "/deals/",
    "/accounts/",
    "/accounts/add/",
    "/users/profile/",
]
MARKET_STAFF = [
    "/admin/",
    "/admin/offers/offer/",
    "/admin/offers/offer/1/change/",
    "/admin/users/user/",
    "/admin/users/user/add/",
    "/admin/deals/deal/",
    "/admin/commission/commissionsetting/1/change/",
]
BANK_SIGNED_IN = ["/", "/operations/"]
BANK_STAFF = [
    "/admin/",
    "/admin/customers/customer/",
    "/admin/customers/customer/1/change/",
    "/admin/ledger/account/",
    "/admin/ledger/account/1/change/",
]


class Watcher:
    """What Chromium refused on the pages of one browser context, and pages without a CSP."""

    def __init__(self, context: BrowserContext) -> None:
        self.refused: list[str] = []
        self.without_policy: list[str] = []
        context.on("console", self._console)
        context.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(f"{message.location.get('url')}: {message.text}")

    def _response(self, response: object) -> None:
        request = response.request  # type: ignore[attr-defined]
        if request.resource_type == "document":
            policy = response.headers.get("content-security-policy", "")  # type: ignore[attr-defined]
            if "default-src 'self'" not in policy or "script-src 'self'" not in policy:
                self.without_policy.append(response.url)  # type: ignore[attr-defined]

    def assert_clean(self) -> None:
        assert not self.refused, "\n".join(self.refused)
        assert not self.without_policy, self.without_policy


@pytest.fixture
def visit(browser: Browser) -> Iterator[tuple[Page, Watcher]]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    watcher = Watcher(context)
    yield context.new_page(), watcher
    context.close()


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit], #login-form input[type=submit]").first.click()
    page.wait_for_load_state()


def _open_all(page: Page, base: str, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(base + path)
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        page.wait_for_load_state("networkidle")


def test_the_marketplace_pages_work_under_the_policy(
    stack: Stack, visit: tuple[Page, Watcher]
) -> None:
    page, watcher = visit
    _open_all(page, stack.market.url, MARKET_ANONYMOUS)
    _sign_in(page, stack.market.url + "/users/login/", "buyer@demo.test")
    _open_all(page, stack.market.url, MARKET_SIGNED_IN)
    page.locator("#language-select").select_option("ru")  # a form posting to /i18n/
    page.locator(".language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    watcher.assert_clean()


def test_the_marketplace_admin_works_under_the_policy(
    stack: Stack, visit: tuple[Page, Watcher]
) -> None:
    page, watcher = visit
    _sign_in(page, stack.market.url + "/admin/login/", "staff@demo.test")
    _open_all(page, stack.market.url, MARKET_STAFF)
    # The admin's scripts run: the actions' "select all" checkbox ticks every row.
    page.goto(stack.market.url + "/admin/offers/offer/")
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select").first).to_be_checked()
    watcher.assert_clean()


def test_the_bank_pages_and_admin_work_under_the_policy(
    stack: Stack, visit: tuple[Page, Watcher]
) -> None:
    page, watcher = visit
    _open_all(page, stack.bank.url, ["/login/", "/ru/login/"])
    _sign_in(page, stack.bank.url + "/login/", "staff@demo.test")
    _open_all(page, stack.bank.url, BANK_SIGNED_IN + BANK_STAFF)
    page.goto(stack.bank.url + "/admin/customers/customer/")
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select").first).to_be_checked()
    watcher.assert_clean()


def test_the_bank_swagger_page_renders_the_api_under_the_policy(
    stack: Stack, visit: tuple[Page, Watcher]
) -> None:
    page, watcher = visit
    page.goto(stack.bank.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()  # an operation opens: the UI's scripts run
    expect(page.locator(".opblock-body").first).to_be_visible()
    watcher.assert_clean()
