"""Fixtures for the end-to-end tests: the whole stack, started once per session."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response

from bank_client import BankClient
from browser import DESKTOP
from client import Visitor
from paylib.smtp_catcher import SmtpCatcher
from stack import LOGS, Stack, start_stack

PASSWORD = "demo-pass-2026"


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with SmtpCatcher() as smtp:
        running = start_stack(smtp)
        try:
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="session")
def bank_api(stack: Stack) -> Iterator[BankClient]:
    demo = stack.bank_demo
    with BankClient(
        stack.bank.url, str(demo["BANK_API_CLIENT_ID"]), str(demo["BANK_API_SECRET"])
    ) as client:
        yield client


@dataclass(frozen=True)
class Buyer:
    email: str
    account_number: str
    account_id: int  # the settlement account's id on the marketplace


_people = itertools.count(1)


def make_buyers(stack: Stack, count: int, *, deposit: int, tag: str) -> list[Buyer]:
    """Bank customers with ``deposit`` kopecks, linked to marketplace users of the same email."""
    emails = [f"{tag}-{next(_people)}@e2e.test" for _ in range(count)]
    numbers = json.loads(
        stack.bank.shell(f"""
import json
from customers.models import Customer
from ledger.services import account_open, deposit_create
from operations.models import AccountLink
from api.models import ApiClient
client = ApiClient.objects.get(name="marketplace")
out = []
for email in {emails!r}:
    c = Customer.objects.create_user(email, {PASSWORD!r}, full_name=email.split("@")[0])
    a = account_open(customer=c, name="Current")
    if {deposit}:
        deposit_create(account=a, amount={deposit}, created_by=None)
    AccountLink.objects.create(client=client, account=a)
    out.append(a.number)
print(json.dumps(out))
""")
        .strip()
        .splitlines()[-1]
    )
    ids = json.loads(
        stack.market.shell(f"""
import json
from django.utils import timezone
from users.models import User
from accounts.models import SettlementAccount
out = []
for email, number in zip({emails!r}, {numbers!r}):
    u = User.objects.create_user(email, {PASSWORD!r}, name=email.split("@")[0])
    s = SettlementAccount.objects.create(user=u, number=number, status="linked",
        linked_at=timezone.now(), bank_operation_id="e2e")
    out.append(s.pk)
print(json.dumps(out))
""")
        .strip()
        .splitlines()[-1]
    )
    return [Buyer(e, n, i) for e, n, i in zip(emails, numbers, ids, strict=True)]


def make_offer(stack: Stack, *, price: int, quantity: int = 1000) -> int:
    """An offer of the demo seller (who has a payout account); returns its id."""
    return int(
        stack.market.shell(f"""
from offers.models import Category
from offers.services import offer_create
from users.models import User
o = offer_create(seller=User.objects.get(email="seller@demo.test"), title="E2E item",
                 description="for the end-to-end tests", price={price}, quantity={quantity},
                 category=Category.objects.get(slug="other"))
print(o.pk)
""")
        .strip()
        .splitlines()[-1]
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for every browser test (Playwright's sync API runs one at a time)."""
    from playwright.sync_api import expect, sync_playwright

    from browser import CHROMIUM, launch

    if not CHROMIUM.exists():
        # A missing browser fails the run: the journey is part of `make test`, not optional.
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    expect.set_options(timeout=15_000)  # pages wait on the bank and on Celery workers
    with sync_playwright() as playwright:
        chromium = launch(playwright.chromium)
        yield chromium
        chromium.close()


@pytest.fixture
def visitor(stack: Stack) -> Iterator[Visitor]:
    person = Visitor(stack.market.url)
    yield person
    person.close()


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """A page in a context of its own (its own cookies): one per person in the test.

    Every page must load its styles, scripts and pictures (static files, offers' photos,
    deals' private photos), no server may answer 500, and the browser must refuse nothing
    under the sites' Content-Security-Policy. What each person saw last is saved beside
    the logs, for a failed run.
    """
    contexts, broken = [], []

    def refused(console: ConsoleMessage) -> None:
        if "Content Security Policy" in console.text:
            broken.append(f"CSP: {console.location.get('url')}: {console.text}")

    def watch(response: Response) -> None:
        asset = any(part in response.url for part in ("/static/", "/media/", "/photos/"))
        if response.status >= 500 or (response.status >= 400 and asset):
            broken.append(f"{response.status} {response.url}")

    def make() -> Page:
        context = browser.new_context(viewport=DESKTOP)
        context.set_default_timeout(15_000)
        context.on("response", watch)
        context.on("console", refused)
        contexts.append(context)
        return context.new_page()

    yield make
    for index, context in enumerate(contexts):
        for page in context.pages:
            page.screenshot(path=LOGS / f"browser-{request.node.name}-{index}.png", full_page=True)
        context.close()
    assert not broken, broken
