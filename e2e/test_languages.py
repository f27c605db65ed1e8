"""The language rules of both sites, in a real browser.

A browser that prefers Russian reads Russian at ``/``, an English one English; a language
chosen with the site's switch holds on every page that follows, addresses without the
``/ru/`` prefix included; signing in keeps the language chosen on this device, and only on
a device where none was chosen brings the person's profile language; switching while signed
in saves it to the profile, so that his next device speaks it without asking.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import DESKTOP, PASSWORD, open_bank_customer
from conftest import make_offer
from stack import Stack

pytestmark = pytest.mark.browser

BROWSER_LOCALE = {"en": "en-US", "ru": "ru-RU"}
OTHER = {"en": "ru", "ru": "en"}
# What each site says, in each language, on the pages the visitors below open.
SAYS: dict[str, dict[str, str]] = {
    "en": {
        "All offers": "All offers",
        "Catalogue": "Catalogue",
        "Sign in": "Sign in",
        "Sign up": "Sign up",
        "Sign out": "Sign out",
        "Profile": "Profile",
        "Switch": "Switch",
        "Bank sign in": "Sign in",
        "Forgot your password?": "Forgot your password?",
        "Reset password": "Reset password",
        "Your accounts": "Your accounts",
        "Operations": "Operations",
        "Platforms": "Platforms",
        "Language name": "English",
        "Enter a number": "Enter a number, for example 1250.00.",
        "Save": "Save",
    },
    "ru": {
        "All offers": "Все предложения",
        "Catalogue": "Каталог",
        "Sign in": "Войти",
        "Sign up": "Регистрация",
        "Sign out": "Выйти",
        "Profile": "Профиль",
        "Switch": "Сменить",
        "Bank sign in": "Вход",
        "Forgot your password?": "Забыли пароль?",
        "Reset password": "Сброс пароля",
        "Your accounts": "Ваши счета",
        "Operations": "Операции",
        "Platforms": "Платформы",
        "Language name": "Русский",
        "Enter a number": "Введите число, например 1250,00.",
        "Save": "Сохранить",
    },
}
# The price of an offer on its edit form: as shown, as typed back, as the offer then shows.
PRICES = [
    ("ru", "1234,50", "1 234,56", "1\u00a0234,56\u00a0₽"),
    ("en", "1234.50", "1234.56", "1,234.56\u00a0₽"),
]
_people = itertools.count(1)


@pytest.fixture
def browser_in(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """A page in a fresh browser (its own cookies) whose language is ``lang``: it sends
    ``Accept-Language`` for it, as a person's browser set to that language does."""
    contexts = []

    def open_page(lang: str) -> Page:
        context = browser.new_context(locale=BROWSER_LOCALE[lang], viewport=DESKTOP)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def reads(page: Page, lang: str, heading: str) -> None:
    """The page is in ``lang``: its ``<html lang>`` and its heading say so."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", name=SAYS[lang][heading], exact=True)).to_be_visible()


def has_no_prefix(page: Page) -> None:
    assert not re.search(r"^https?://[^/]+/ru(/|$)", page.url), page.url


def nav(page: Page, lang: str, name: str) -> None:
    page.locator("header nav").get_by_role("link", name=SAYS[lang][name], exact=True).click()


# The marketplace.


def market_switch(page: Page, lang: str) -> None:
    """The footer's switch, as a person uses it."""
    page.locator("#language-select").select_option(lang)
    page.locator(".language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def new_market_user(stack: Stack, lang: str) -> str:
    """A verified marketplace user whose profile language is ``lang``; his email."""
    email = f"lang-{lang}-{next(_people)}@e2e.test"
    stack.market.shell(f"""
from users.models import User
User.objects.create_user({email!r}, {PASSWORD!r}, name="Lang {lang}", language={lang!r})
""")
    return email


def market_profile_language(stack: Stack, email: str) -> str:
    out = stack.market.shell(f"""
from users.models import User
print(User.objects.get(email={email!r}).language)
""")
    return out.strip().splitlines()[-1]


def market_sign_in(page: Page, lang: str, email: str) -> None:
    """From any page: the Sign in link, the form, in the language the pages are in."""
    nav(page, lang, "Sign in")
    reads(page, lang, "Sign in")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=SAYS[lang]["Sign in"]).click()


# The bank.


def bank_switch(page: Page, lang: str) -> None:
    """The bank's switch: a button named in the language it switches to."""
    page.locator("header").get_by_role("button", name=SAYS[lang]["Language name"]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def new_bank_customer(stack: Stack, lang: str) -> str:
    email = f"lang-{lang}-{next(_people)}@e2e.test"
    open_bank_customer(stack, email=email, name=f"Lang {lang}", lang=lang, deposit=100_00)
    return email


def bank_profile_language(stack: Stack, email: str) -> str:
    out = stack.bank.shell(f"""
from customers.models import Customer
print(Customer.objects.get(email={email!r}).language)
""")
    return out.strip().splitlines()[-1]


def bank_sign_in(page: Page, lang: str, email: str) -> None:
    """On the bank's sign-in page, in the language the page is in."""
    reads(page, lang, "Bank sign in")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name=SAYS[lang]["Bank sign in"]).click()


# The rules.


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_browser_s_language_is_the_home_page_s_on_both_sites(
    stack: Stack, browser_in: Callable[[str], Page], lang: str
) -> None:
    page = browser_in(lang)
    page.goto(stack.market.url + "/")
    has_no_prefix(page)
    reads(page, lang, "All offers")
    expect(page.locator("header nav")).to_contain_text(SAYS[lang]["Catalogue"])
    expect(page.locator("header nav")).to_contain_text(SAYS[lang]["Sign up"])

    page.goto(stack.bank.url + "/")  # a visitor is sent to the sign-in page
    reads(page, lang, "Bank sign in")
    expect(page.get_by_role("link", name=SAYS[lang]["Forgot your password?"])).to_be_visible()


@pytest.mark.parametrize("browser_lang", ["en", "ru"])
def test_the_language_chosen_with_the_switch_holds_on_every_marketplace_page(
    stack: Stack, browser_in: Callable[[str], Page], browser_lang: str
) -> None:
    chosen = OTHER[browser_lang]
    base = stack.market.url
    page = browser_in(browser_lang)
    page.goto(base + "/")
    reads(page, browser_lang, "All offers")
    market_switch(page, chosen)
    reads(page, chosen, "All offers")

    nav(page, chosen, "Catalogue")
    reads(page, chosen, "All offers")
    offer = page.locator(".offer-grid").get_by_role("link").first
    title = offer.inner_text().strip()
    offer.click()
    expect(page.locator("html")).to_have_attribute("lang", chosen)
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("header nav")).to_contain_text(SAYS[chosen]["Catalogue"])
    nav(page, chosen, "Sign in")
    reads(page, chosen, "Sign in")

    # Addresses without the /ru/ prefix, as an emailed link or a typed one brings him.
    for path, heading in (("/", "All offers"), ("/users/login/", "Sign in")):
        page.goto(base + path)
        has_no_prefix(page)
        reads(page, chosen, heading)
    page.goto(base + "/users/signup/")
    reads(page, chosen, "Sign up")


def test_visitors_served_the_shared_catalogue_each_switch_with_their_own_token(
    stack: Stack, browser_in: Callable[[str], Page]
) -> None:
    """Visitors who are not signed in share the catalogue's page for a few seconds
    (core/page_cache.py), each answer with his own CSRF token: seven of them within a
    second or two, over the server's three worker processes, so that most are answered
    from a page rendered for another, and every one's language switch (a POST checked
    against his own CSRF cookie) works, with no 403."""
    pages = [browser_in("en") for _ in range(7)]
    for page in pages:
        page.goto(stack.market.url + "/")
        reads(page, "en", "All offers")
    tokens = {page.locator("input[name=csrfmiddlewaretoken]").first.input_value() for page in pages}
    assert len(tokens) == len(pages)  # nobody was given another visitor's token
    for page in pages:
        market_switch(page, "ru")
        reads(page, "ru", "All offers")


@pytest.mark.parametrize("browser_lang", ["en", "ru"])
def test_the_language_chosen_with_the_switch_holds_on_every_bank_page(
    stack: Stack, browser_in: Callable[[str], Page], browser_lang: str
) -> None:
    chosen = OTHER[browser_lang]
    base = stack.bank.url
    page = browser_in(browser_lang)
    page.goto(base + "/login/")
    reads(page, browser_lang, "Bank sign in")
    bank_switch(page, chosen)
    reads(page, chosen, "Bank sign in")

    page.get_by_role("link", name=SAYS[chosen]["Forgot your password?"]).click()
    reads(page, chosen, "Reset password")
    for path, heading in (("/login/", "Bank sign in"), ("/password-reset/", "Reset password")):
        page.goto(base + path)
        has_no_prefix(page)
        reads(page, chosen, heading)
    page.goto(base + "/")  # sent to the sign-in page, in his language
    reads(page, chosen, "Bank sign in")


@pytest.mark.parametrize("chosen", ["ru", "en"])
def test_signing_in_to_the_marketplace_keeps_the_language_chosen_on_this_device(
    stack: Stack, browser_in: Callable[[str], Page], chosen: str
) -> None:
    profile = OTHER[chosen]  # the person's profile says the other language
    email = new_market_user(stack, profile)
    base = stack.market.url
    page = browser_in(profile)  # and so does his browser: only the switch says `chosen`
    page.goto(base + "/")
    market_switch(page, chosen)
    market_sign_in(page, chosen, email)
    expect(page.get_by_role("button", name=SAYS[chosen]["Sign out"])).to_be_visible()
    reads(page, chosen, "All offers")
    page.goto(base + "/")
    has_no_prefix(page)
    reads(page, chosen, "All offers")
    nav(page, chosen, "Profile")
    expect(page.locator("html")).to_have_attribute("lang", chosen)
    # Choosing on a device while signed out is that device's: the profile is as it was.
    assert market_profile_language(stack, email) == profile


@pytest.mark.parametrize("profile", ["ru", "en"])
def test_a_new_device_speaks_the_marketplace_profile_s_language_which_the_switch_sets(
    stack: Stack, browser_in: Callable[[str], Page], profile: str
) -> None:
    email = new_market_user(stack, profile)
    base = stack.market.url
    other = OTHER[profile]

    # A device where nothing was chosen (its browser says the other language): the profile's.
    first = browser_in(other)
    first.goto(base + "/")
    reads(first, other, "All offers")
    market_sign_in(first, other, email)
    expect(first.get_by_role("button", name=SAYS[profile]["Sign out"])).to_be_visible()
    reads(first, profile, "All offers")
    first.goto(base + "/")
    reads(first, profile, "All offers")

    # Switching while signed in saves the language to the profile ...
    market_switch(first, other)
    reads(first, other, "All offers")
    assert market_profile_language(stack, email) == other

    # ... so the next device, whose browser says the first language, speaks the new one.
    second = browser_in(profile)
    second.goto(base + "/")
    reads(second, profile, "All offers")
    market_sign_in(second, profile, email)
    expect(second.get_by_role("button", name=SAYS[other]["Sign out"])).to_be_visible()
    second.goto(base + "/")
    reads(second, other, "All offers")


@pytest.mark.parametrize("chosen", ["ru", "en"])
def test_signing_in_to_the_bank_keeps_the_language_chosen_on_this_device(
    stack: Stack, browser_in: Callable[[str], Page], chosen: str
) -> None:
    profile = OTHER[chosen]
    email = new_bank_customer(stack, profile)
    base = stack.bank.url
    page = browser_in(profile)
    page.goto(base + "/login/")
    reads(page, profile, "Bank sign in")
    bank_switch(page, chosen)
    bank_sign_in(page, chosen, email)
    reads(page, chosen, "Your accounts")
    nav(page, chosen, "Operations")
    reads(page, chosen, "Operations")
    for path, heading in (("/", "Your accounts"), ("/platforms/", "Platforms")):
        page.goto(base + path)
        has_no_prefix(page)
        reads(page, chosen, heading)
    assert bank_profile_language(stack, email) == profile


@pytest.mark.parametrize("profile", ["ru", "en"])
def test_a_new_device_speaks_the_bank_profile_s_language_which_the_switch_sets(
    stack: Stack, browser_in: Callable[[str], Page], profile: str
) -> None:
    email = new_bank_customer(stack, profile)
    base = stack.bank.url
    other = OTHER[profile]

    first = browser_in(other)
    first.goto(base + "/login/")
    bank_sign_in(first, other, email)
    reads(first, profile, "Your accounts")
    first.goto(base + "/operations/")
    reads(first, profile, "Operations")

    bank_switch(first, other)
    reads(first, other, "Operations")
    assert bank_profile_language(stack, email) == other

    second = browser_in(profile)
    second.goto(base + "/login/")
    bank_sign_in(second, profile, email)
    reads(second, other, "Your accounts")


@pytest.mark.parametrize(("lang", "shown", "typed", "saved"), PRICES)
def test_the_offer_edit_form_writes_the_price_as_its_reader_does(
    stack: Stack,
    browser_in: Callable[[str], Page],
    lang: str,
    shown: str,
    typed: str,
    saved: str,
) -> None:
    """A Russian seller reads 1234,50 in the price field and may type 1 234,56 back."""
    offer = make_offer(stack, price=1234_50)
    base = stack.market.url
    page = browser_in(lang)
    page.goto(base + "/")
    market_switch(page, lang)  # his choice on this device, whatever his profile says
    market_sign_in(page, lang, "seller@demo.test")
    expect(page.get_by_role("button", name=SAYS[lang]["Sign out"])).to_be_visible()
    page.goto(f"{base}/offers/{offer}/edit/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    price = page.locator("input[name=price]")
    expect(price).to_have_value(shown)

    price.fill("12,3,4")
    page.locator("main").get_by_role("button", name=SAYS[lang]["Save"], exact=True).click()
    expect(page.locator("main")).to_contain_text(SAYS[lang]["Enter a number"])
    expect(price).to_have_value("12,3,4")  # what he typed, to correct

    price.fill(typed)
    page.locator("main").get_by_role("button", name=SAYS[lang]["Save"], exact=True).click()
    expect(page.locator("p.price").first).to_contain_text(saved)  # the offer's, before others'
