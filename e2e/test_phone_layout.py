"""Every page of both sites at 360 px, in English and in Russian: none scrolls sideways.

The pages come from each site's URLconf: every named URL pattern is resolved with real
objects of the test's data (a paid deal, one waiting for its code, completed ones with and
without a review, the bank's account, link and operations of the buyer), and opened by
each kind of person: a visitor, a buyer, a seller, a bank customer and staff (the admin's
index, every changelist and a change form of every model). A new page needs no edit here;
one whose address takes a parameter the data below does not know fails the test until it
is given one. Addresses that answer no page (POST-only actions: 405; files: CSV, PDF,
JSON) are left out by their answer, not by a list.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from browser import PASSWORD, shot
from client import Visitor, payment_id_from
from conftest import Buyer, make_buyers
from paylib.smtp_catcher import CODE_PATTERN, extract_code, text_body
from stack import Stack

pytestmark = pytest.mark.browser

SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}
LANGUAGES = ("en", "ru")
# Patterns that are files whatever the data (a photo, the media files): never a page.
FILES = ("media", "conversations:photo")
# A title with no place to break: it must wrap, not widen the page.
LONG_TITLE = "Самовар-" + "электрический" * 6 + "-" + "x" * 40
# Pages worth a picture in docs/screenshots/ (site, name, role).
SHOTS = {
    ("market", "deals:list", "buyer"): "phone-my-deals",
    ("market", "offers:mine", "seller"): "phone-my-offers",
    ("market", "deals:detail", "seller"): "phone-deal",
    ("bank", "web:statement", "customer"): "phone-bank-statement",
    ("bank", "web:operations", "customer"): "phone-bank-operations",
}

# Run in a site's ``manage.py shell``: every named URL pattern resolved with VALUES, in
# each language; the admin's index, changelists and first objects' change forms.
RESOLVE = """
import itertools, json
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation

VALUES = json.loads(%r)
FILES = %r
LANGUAGES = %r
pages, unresolved = [], []

def value(name, namespace, param):
    for key in (name, namespace, "*"):
        if param in VALUES.get(key, {}):
            found = VALUES[key][param]
            return found if isinstance(found, list) else [found]
    return None

def add(name, kwargs):
    paths = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            paths[lang] = reverse(name, kwargs=kwargs)
    pages.append({"name": name, "paths": paths})

def walk(patterns, namespace, params):
    for entry in patterns:
        names = params + list(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            walk(entry.url_patterns, inner, names)
            continue
        if not entry.name or namespace == "admin:" or f"{namespace}{entry.name}" in FILES:
            continue
        name = f"{namespace}{entry.name}"
        choices = [value(name, namespace.rstrip(":"), p) for p in names]
        if any(c is None for c in choices):
            unresolved.append(f"{name} ({', '.join(names)})")
            continue
        for combination in itertools.product(*choices):
            add(name, dict(zip(names, combination)))

walk(get_resolver().url_patterns, "", [])
add("admin:index", {})
for model in admin.site._registry:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    add(f"{info}_changelist", {})
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        add(f"{info}_change", {"object_id": first.pk})
print(json.dumps({"pages": pages, "unresolved": unresolved}))
"""


def last_json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


def resolve_pages(stack: Stack, site: str, values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    service = stack.market if site == "market" else stack.bank
    return last_json(service.shell(RESOLVE % (json.dumps(values), FILES, LANGUAGES)))  # type: ignore[no-any-return]


# The links of a password-reset email (Django's tokens) for the buyer, in a site's shell.
TOKENS = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
def link(user, generator):
    return {{"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": generator.make_token(user)}}
out = {{"reset": link(get_user_model().objects.get(email={email!r}), default_token_generator)}}
"""
# ... and the sign-up email's link of someone who has not confirmed his address yet.
PENDING_USER = """
from users.models import User
from users.tokens import email_verification_token
pending = User.objects.create_user("phone-pending@e2e.test", "x" * 20, name="Pending")
User.objects.filter(pk=pending.pk).update(email_verified_at=None)
pending.refresh_from_db()
out["verify"] = link(pending, email_verification_token)
print(json.dumps(out))
"""
PRINT = "\nprint(json.dumps(out))\n"


@dataclass
class Data:
    market: dict[str, dict[str, Any]]
    bank: dict[str, dict[str, Any]]
    buyer: Buyer


def open_deal_of(stack: Stack, *, email: str, offer_id: int, status: str) -> int:
    """A deal of ``email`` on the offer, put straight into ``status`` (no payment behind it)."""
    return int(
        last_json(
            stack.market.shell(f"""
from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from users.models import User
d = deal_create(buyer=User.objects.get(email={email!r}), offer=Offer.objects.get(pk={offer_id}),
                quantity=1)
Deal.objects.filter(pk=d.pk).update(status={status!r})
print(d.pk)
""")
        )
    )


def pay(stack: Stack, visitor: Visitor, buyer: Buyer, deal: int, *, confirm: bool) -> int:
    """Press Pay with the buyer's account; with ``confirm``, type the code and wait for paid."""

    def codes() -> list[str]:  # the marketplace's own emails come in between
        mails = [text_body(m) for m in stack.smtp.to(buyer.email)]
        return [extract_code(m) for m in mails if CODE_PATTERN.search(m)]

    before = len(codes())
    payment = payment_id_from(visitor.start_payment(deal, buyer.account_id))
    deadline = time.monotonic() + 20
    while len(codes()) == before:
        assert time.monotonic() < deadline, "no code emailed"
        time.sleep(0.2)
    if confirm:
        assert visitor.confirm(payment, codes()[-1]).status_code == 302
        assert visitor.wait_final(payment)["status"] == "succeeded"
    return payment


@pytest.fixture(scope="module")
def data(stack: Stack) -> Data:
    buyer = make_buyers(stack, 1, deposit=10_000_000, tag="phone")[0]
    made = last_json(
        stack.market.shell(f"""
import json
from offers.models import Category
from offers.services import offer_create
from users.models import User
seller = User.objects.get(email="seller@demo.test")
o = offer_create(seller=seller, title={LONG_TITLE!r}, description={LONG_TITLE * 3!r},
                 price=1_234_56, quantity=50, category=Category.objects.get(slug="other"))
print(json.dumps({{"offer": o.pk, "seller": seller.pk}}))
""")
    )
    offer = made["offer"]
    visitor = Visitor(stack.market.url)
    visitor.sign_in(buyer.email, PASSWORD)
    paid_deal = visitor.open_deal(offer)
    paid = pay(stack, visitor, buyer, paid_deal, confirm=True)
    waiting_deal = visitor.open_deal(offer)
    waiting = pay(stack, visitor, buyer, waiting_deal, confirm=False)
    visitor.close()
    reviewed = open_deal_of(stack, email=buyer.email, offer_id=offer, status="completed")
    to_review = open_deal_of(stack, email=buyer.email, offer_id=offer, status="completed")
    review = last_json(
        stack.market.shell(f"""
from deals.models import Deal
from reviews.services import review_create
d = Deal.objects.get(pk={reviewed})
print(review_create(buyer=d.buyer, deal=d, rating=4, text={LONG_TITLE!r}).pk)
""")
    )
    link = last_json(
        stack.bank.shell(f"""
from operations.models import AccountLink
print(AccountLink.objects.get(account__number={buyer.account_number!r}).pk)
""")
    )
    tokens = TOKENS.format(email=buyer.email)
    market_links = last_json(stack.market.shell(tokens + PENDING_USER))
    bank_links = last_json(stack.bank.shell(tokens + PRINT))
    no_such = str(uuid.uuid4())
    return Data(
        market={
            "offers": {"pk": offer},
            "deals": {"pk": [paid_deal, waiting_deal, reviewed], "offer_pk": offer},
            "conversations": {"pk": paid_deal},
            "payments": {"pk": [paid, waiting], "deal_pk": waiting_deal},
            "reviews": {"pk": review, "deal_id": to_review},
            "notifications": {"pk": 1},
            "accounts": {"pk": buyer.account_id},
            "sellers": {"pk": made["seller"]},
            "users": market_links["reset"],
            "users:verify": market_links["verify"],
        },
        bank={
            "web": {
                "number": buyer.account_number,
                "link_id": link,
                "operation_id": no_such,
                **bank_links["reset"],
            },
            "api": {"number": buyer.account_number, "operation_id": no_such, "hold_id": no_such},
        },
        buyer=buyer,
    )


@dataclass
class Findings:
    wide: list[str] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)  # names that showed a page to someone
    answers: dict[str, set[int]] = field(default_factory=dict)  # HTML statuses; 0: not HTML
    seen: set[tuple[str, str]] = field(default_factory=set)  # (who, address) measured


def person(
    browser: Browser, base: str, *, lang_cookie: str, login: str, email: str
) -> BrowserContext:
    """A phone's browser context in English, signed in as ``email`` (none: a visitor)."""
    context = browser.new_context(viewport=SMALL_PHONE)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": lang_cookie, "value": "en", "url": base}])
    if email:
        page = context.new_page()
        page.goto(base + login)
        page.locator("input[name=username]").fill(email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        assert login not in page.url, f"{email} could not sign in at {base}"
        page.close()
    return context


# What sticks out: the outermost elements past the screen's edge whose parent does not.
STICKING_OUT = """width => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 6)
    .map(e => [e.tagName.toLowerCase(), e.id, e.className, e.getBoundingClientRect().right])
    .concat([...document.querySelectorAll("body *")]  // content overflowing a visible box
        .filter(e => getComputedStyle(e).overflowX === "visible" && e.scrollWidth > width + 1)
        .slice(-3).map(e => [e.tagName.toLowerCase(), e.id, e.className, e.scrollWidth]))"""
SIDEWAYS = """() => ({
    width: document.documentElement.scrollWidth,
    scrolled: [...document.querySelectorAll("body *")]
        .filter(e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
        .filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => `${e.tagName.toLowerCase()}.${e.className}`),
})"""


def measure(
    context: BrowserContext,
    page: Page,
    base: str,
    entry: dict[str, Any],
    who: str,
    site: str,
    found: Findings,
) -> None:
    """Open the page in both languages, as ``who``; note what is wider than the screen."""
    name = entry["name"]
    for lang in LANGUAGES:
        url = base + entry["paths"][lang]
        answer = context.request.get(url)
        html = "text/html" in answer.headers.get("content-type", "")
        found.answers.setdefault(name, set()).add(answer.status if html else 0)
        if not html or answer.status == 405 or not answer.body():
            continue  # an action (POST only), a file, or an answer for scripts
        if answer.status == 200:
            found.shown.add(name)
        if (who, answer.url) in found.seen:
            continue
        found.seen.add((who, answer.url))
        page.goto(url, wait_until="load")
        where = f"{site} {name} as {who} ({lang}): {page.url}"
        sideways = page.evaluate(SIDEWAYS)
        if sideways["width"] > SMALL_PHONE["width"]:
            wide = page.evaluate(STICKING_OUT, SMALL_PHONE["width"])
            found.wide.append(f"{where} is {sideways['width']}px wide: {wide}")
        # A table scrolling inside its box hides columns; the admin's own lists may.
        if sideways["scrolled"] and not name.startswith("admin:"):
            found.wide.append(f"{where} hides what scrolls sideways in {sideways['scrolled']}")
        picture = SHOTS.get((site, name, who))
        if picture:
            shot(page, f"{picture}{'-ru' if lang == 'ru' else ''}.png")


def test_no_page_of_either_site_scrolls_sideways_at_360_px(
    stack: Stack, browser: Browser, data: Data
) -> None:
    sites = {
        "market": (
            stack.market.url,
            "market_language",
            "/users/login/",
            {
                "visitor": "",
                "buyer": data.buyer.email,
                "seller": "seller@demo.test",
                "staff": "staff@demo.test",
            },
            data.market,
        ),
        "bank": (
            stack.bank.url,
            "django_language",
            "/login/",
            {"visitor": "", "customer": data.buyer.email, "staff": "staff@demo.test"},
            data.bank,
        ),
    }
    problems: list[str] = []
    for site, (base, cookie, login, people, values) in sites.items():
        resolved = resolve_pages(stack, site, values)
        problems += [f"{site}: no value in the test's data for {u}" for u in resolved["unresolved"]]
        found = Findings()
        started = time.monotonic()
        for who, email in people.items():
            context = person(browser, base, lang_cookie=cookie, login=login, email=email)
            page = context.new_page()
            for entry in resolved["pages"]:
                # Staff see the admin; the others the sites' own pages (and a visitor the
                # admin's sign-in page).
                in_admin = entry["name"].startswith("admin:")
                if in_admin != (who == "staff") and entry["name"] != "admin:index":
                    continue
                measure(context, page, base, entry, who, site, found)
            context.close()
        problems += found.wide
        print(f"{site}: {len(found.seen)} pages measured, {time.monotonic() - started:.0f}s")
        for name, statuses in sorted(found.answers.items()):
            # Never a page but an error page: the data above does not reach it.
            if name not in found.shown and statuses - {0, 405}:
                problems.append(f"{site} {name}: no one was shown it: {sorted(statuses)}")
    assert not problems, "\n".join(problems)
