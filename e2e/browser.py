"""What a person does in a real browser: Debian's Chromium driven by Playwright (sync API).

The words a person reads and clicks come from ``WORDS``, in English and in Russian, so one
journey runs in either language and proves on the way that the pages are translated. Each
helper waits with ``expect`` for what the person would see before going on.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserType, Locator, Page, ViewportSize, expect

from paylib.money import format_rub
from paylib.smtp_catcher import CODE_PATTERN, SmtpCatcher, text_body
from stack import REPO, Stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots go under test-artifacts/ on every run; E2E_SCREENSHOTS=docs/screenshots
# refreshes the documentation's copies (kept out of ordinary runs: they differ every time).
SCREENSHOTS = REPO / os.environ.get("E2E_SCREENSHOTS", "test-artifacts/screenshots")
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
PAID_WITHIN_MS = 60_000
PASSWORD = "demo-pass-2026"
# The path of the marketplace's confirmation link (its host is the configured SITE_URL).
VERIFY_LINK = re.compile(r"https?://[^/\s]+(/(?:[a-z]{2}/)?users/verify/\S+/)")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "Russian": "Russian",
        "Switch": "Switch",
        "All offers": "All offers",
        "Sign up": "Sign up",
        "Email": "Email",
        "Name": "Name",
        "Password": "Password",
        "Password again": "Password again",
        "Create account": "Create account",
        "Welcome": "Welcome! Your email is confirmed and your account is ready.",
        "Check your email": "Check your email",
        "Confirm my email": "Confirm my email",
        "Sign in": "Sign in",
        "Sign out": "Sign out",
        "Bank accounts": "Bank accounts",
        "Add a bank account": "Add a bank account",
        "Account number": "Account number",
        "Send me a code": "Send me a code",
        "Code from the bank's email": "Code from the bank's email",
        "Confirm": "Confirm",
        "The account is linked.": "The account is linked.",
        "Linked": "Linked",
        "Sell": "Sell",
        "Title": "Title",
        "Description": "Description",
        "Price": "Price per item, roubles",
        "Quantity available": "Quantity available",
        "Category": "Category",
        "Other": "Other",
        "Publish": "Publish",
        "Your offer is published.": "Your offer is published.",
        "Catalogue": "Catalogue",
        "Search": "Search",
        "Show": "Show",
        "Quantity": "Quantity",
        "Buy": "Buy",
        "The deal is open.": "The deal is open. Pay for it to complete the purchase.",
        "Deal #": "Deal #",
        "Awaiting payment": "Awaiting payment",
        "Paid (deal)": "Paid, money held",
        "Completed": "Completed",
        "Shipped": "Shipped",
        "Handed over in person": "Handed over in person",
        "Mark as shipped": "Mark as shipped",
        "I received the goods": "I received the goods",
        "Paid to the seller on": "Paid to the seller on",
        "You pay": "You pay",
        "Seller receives": "Seller receives",
        "Platform commission": "Platform commission",
        "Pay": "Pay",
        "Pay for deal #": "Pay for deal #",
        "not enough for this deal": "not enough for this deal",
        "Continue": "Continue",
        "insufficient": "The account has {available}, and the deal costs {amount}.",
        "Confirm the payment": "Confirm the payment",
        "Confirmation code": "Confirmation code",
        "wrong code": "The code is not right. 4 attempts left.",
        "processing": "Your payment is being processed. This page updates by itself.",
        "paid": "Paid. The bank holds the money until you confirm receipt.",
        "Bank sign in": "Sign in",
        "Your accounts": "Your accounts",
        "Statement": "Statement",
    },
    "ru": {
        "Russian": "Русский",
        "Switch": "Сменить",
        "All offers": "Все предложения",
        "Sign up": "Регистрация",
        "Email": "Электронная почта",
        "Name": "Имя",
        "Password": "Пароль",
        "Password again": "Пароль ещё раз",
        "Create account": "Создать учётную запись",
        "Welcome": "Добро пожаловать! Адрес подтверждён, учётная запись готова.",
        "Check your email": "Проверьте почту",
        "Confirm my email": "Подтвердить адрес",
        "Sign in": "Войти",
        "Sign out": "Выйти",
        "Bank accounts": "Банковские счета",
        "Add a bank account": "Добавить банковский счёт",
        "Account number": "Номер счёта",
        "Send me a code": "Отправить код",
        "Code from the bank's email": "Код из письма банка",
        "Confirm": "Подтвердить",
        "The account is linked.": "Счёт привязан.",
        "Linked": "Привязан",
        "Sell": "Продать",
        "Title": "Название",
        "Description": "Описание",
        "Price": "Цена за штуку, руб.",
        "Quantity available": "Количество в наличии",
        "Category": "Категория",
        "Other": "Другое",
        "Publish": "Опубликовать",
        "Your offer is published.": "Предложение опубликовано.",
        "Catalogue": "Каталог",
        "Search": "Поиск",
        "Show": "Показать",
        "Quantity": "Количество",
        "Buy": "Купить",
        "The deal is open.": "Сделка открыта. Оплатите её, чтобы завершить покупку.",
        "Deal #": "Сделка №",
        "Awaiting payment": "Ожидает оплаты",
        "Paid (deal)": "Оплачена, деньги удержаны",
        "Completed": "Завершена",
        "Shipped": "Отправлена",
        "Handed over in person": "Передан лично",
        "Mark as shipped": "Отметить отправку",
        "I received the goods": "Я получил товар",
        "Paid to the seller on": "Выплачено продавцу",
        "You pay": "Вы платите",
        "Seller receives": "Продавец получает",
        "Platform commission": "Комиссия площадки",
        "Pay": "Оплатить",
        "Pay for deal #": "Оплата сделки №",
        "not enough for this deal": "недостаточно для этой сделки",
        "Continue": "Продолжить",
        "insufficient": "На счёте {available}, а сделка стоит {amount}.",
        "Confirm the payment": "Подтверждение платежа",
        "Confirmation code": "Код подтверждения",
        "wrong code": "Код неверный. Осталось 4 попытки.",
        "processing": "Ваш платёж обрабатывается. Страница обновится сама.",
        "paid": "Оплачено. Деньги удерживаются банком, пока вы не подтвердите получение.",
        "Bank sign in": "Вход",
        "Your accounts": "Ваши счета",
        "Statement": "Выписка",
    },
}


def launch(chromium: BrowserType) -> Browser:
    return chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def prefix(lang: str) -> str:
    """The URL prefix of a language: English has none, Russian pages live under /ru/."""
    return "" if lang == "en" else f"/{lang}"


# Reading and showing what is on a page.


def rub(amount: int, lang: str) -> str:
    """A sum as the pages print it: ``1,234.50 ₽``, or ``1 234,50 ₽`` with no-break spaces."""
    return format_rub(amount, language=lang)


def kopecks(shown: str) -> int:
    """The first sum in roubles in ``shown`` (``1,234.50 ₽`` or ``1 234,50 ₽``), in kopecks."""
    match = re.search(r"\d[\d,\s]*[.,]\d\d\s₽", shown)
    assert match, f"no sum in roubles in {shown!r}"
    return int(re.sub(r"\D", "", match[0]))


def field(page: Page | Locator, label: str) -> Locator:
    """The form field labelled ``label`` (Django may add a colon to the label)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}:?\s*$"))


def nav_link(page: Page, name: str) -> Locator:
    return page.locator("header nav").get_by_role("link", name=name, exact=True)


def message(page: Page, text: str) -> Locator:
    return page.locator(".message", has_text=text)


def fact(page: Page, term: str) -> Locator:
    """The value beside ``term`` in a page's list of facts (``<dt>``/``<dd>``)."""
    return page.locator(f"dt:text-is('{term}') + dd")


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


WIDE_ELEMENTS = """width => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width)
    .slice(0, 8)
    .map(e => [e.tagName.toLowerCase(), e.className, e.getBoundingClientRect().right])"""


def assert_fits_the_screen(page: Page) -> None:
    """Nothing sticks out sideways: no horizontal scrolling."""
    width, screen = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size
    assert screen is not None
    if width > screen["width"]:
        wide = page.evaluate(WIDE_ELEMENTS, screen["width"])
        raise AssertionError(f"{page.url} is {width}px wide on a phone; too wide: {wide}")


def shot_on_phone(page: Page, name: str) -> None:
    """The same page as a phone shows it (it must fit), then back to the desktop size."""
    page.set_viewport_size(PHONE)
    assert_fits_the_screen(page)
    shot(page, name)
    page.set_viewport_size(DESKTOP)


def mails_to(smtp: SmtpCatcher, email: str) -> int:
    return len(smtp.to(email))


def codes_sent_to(smtp: SmtpCatcher, email: str) -> int:
    """How many of the emails to ``email`` carry a confirmation code."""
    mails = smtp.to(email)
    return len([m for m in mails if CODE_PATTERN.search(text_body(m))])


# The bank: a customer its staff opened, and its web pages.


@dataclass(frozen=True)
class BankCustomer:
    email: str
    number: str
    password: str = PASSWORD


def open_bank_customer(stack: Stack, *, email: str, name: str, lang: str, deposit: int) -> str:
    """A new bank customer with one account holding ``deposit`` kopecks; its number.

    Not linked to the marketplace: the person links it himself, in the browser.
    """
    out = stack.bank.shell(f"""
import json
from customers.models import Customer
from ledger.services import account_open, deposit_create
c = Customer.objects.create_user({email!r}, {PASSWORD!r}, full_name={name!r}, language={lang!r})
a = account_open(customer=c, name="Current")
deposit_create(account=a, amount={deposit}, created_by=None)
print(json.dumps(a.number))
""")
    return str(json.loads(out.strip().splitlines()[-1]))


def demo_customer(stack: Stack, email: str) -> BankCustomer:
    """One of the bank's demo customers (``make run`` prints them), with his account."""
    accounts = stack.bank_demo["accounts"]
    assert isinstance(accounts, dict)
    return BankCustomer(email, str(accounts[email]))


def grouped(number: str) -> str:
    """An account number as the bank's pages print it: ``40817 810 1 0000 0000001``."""
    return " ".join(number[a:b] for a, b in ((0, 5), (5, 8), (8, 9), (9, 13), (13, 20)))


def read_balance_at_bank(
    page: Page, bank_url: str, who: BankCustomer, lang: str, screenshot: str = ""
) -> str:
    """Sign in to the bank's pages, open the account's statement, return the balance shown.

    ``page`` is a fresh one (its own cookies), as the sign-in page is for a signed-out visitor.
    """
    words = WORDS[lang]
    page.goto(f"{bank_url}{prefix(lang)}/login/")
    expect(page.get_by_role("heading", name=words["Bank sign in"])).to_be_visible()
    field(page, words["Email"]).fill(who.email)
    field(page, words["Password"]).fill(who.password)
    page.get_by_role("button", name=words["Bank sign in"], exact=True).click()
    expect(page.get_by_role("heading", name=words["Your accounts"])).to_be_visible()
    page.get_by_role("link", name=grouped(who.number)).click()
    expect(page.get_by_role("heading", name=words["Statement"])).to_be_visible()
    if screenshot:
        shot(page, screenshot)
    return page.locator("strong.balance").inner_text()


# The marketplace, as its visitors use it.


def switch_language(page: Page, lang: str) -> None:
    """Choose the language in the footer's switch, as a person would."""
    words = WORDS[lang]
    page.locator("#language-select").select_option(lang)
    page.locator(".language-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("header nav")).to_contain_text(words["Catalogue"])


def sign_up(
    page: Page, smtp: SmtpCatcher, market_url: str, lang: str, *, email: str, name: str
) -> None:
    """From the home page, in ``lang``: sign up, follow the link the marketplace emails and
    confirm the address; the site signs the new person in."""
    words = WORDS[lang]
    page.goto(market_url + "/")
    if lang != "en":
        switch_language(page, lang)
    expect(page.get_by_role("heading", name=words["All offers"])).to_be_visible()
    nav_link(page, words["Sign up"]).click()
    expect(page.get_by_role("heading", name=words["Sign up"])).to_be_visible()
    field(page, words["Email"]).fill(email)
    field(page, words["Name"]).fill(name)
    field(page, words["Password"]).fill(PASSWORD)
    field(page, words["Password again"]).fill(PASSWORD)
    sent = mails_to(smtp, email)
    page.get_by_role("button", name=words["Create account"]).click()
    expect(page.get_by_role("heading", name=words["Check your email"])).to_be_visible()
    link = VERIFY_LINK.search(text_body(smtp.wait_for(email, count=sent + 1)[sent]))
    assert link, "no confirmation link in the sign-up email"
    page.goto(market_url + link[1])
    page.get_by_role("button", name=words["Confirm my email"]).click()
    expect(message(page, words["Welcome"])).to_be_visible()
    expect(page.get_by_role("button", name=words["Sign out"])).to_be_visible()


def sign_in(page: Page, market_url: str, lang: str, email: str) -> None:
    words = WORDS[lang]
    page.goto(f"{market_url}{prefix(lang)}/users/login/")
    field(page, words["Email"]).fill(email)
    field(page, words["Password"]).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=words["Sign in"]).click()
    expect(page.get_by_role("button", name=words["Sign out"])).to_be_visible()


def link_account(page: Page, smtp: SmtpCatcher, lang: str, *, email: str, number: str) -> None:
    """Add the bank account by its number and confirm with the code the bank emails."""
    words = WORDS[lang]
    nav_link(page, words["Bank accounts"]).click()
    page.get_by_role("button", name=words["Add a bank account"]).click()
    field(page, words["Account number"]).fill(number)
    sent = mails_to(smtp, email)
    page.get_by_role("button", name=words["Send me a code"]).click()
    code = smtp.last_code(email, count=sent + 1)
    field(page, words["Code from the bank's email"]).fill(code)
    page.get_by_role("button", name=words["Confirm"], exact=True).click()
    expect(message(page, words["The account is linked."])).to_be_visible()
    row = page.get_by_role("row").filter(has_text=grouped(number))  # as the bank groups it
    expect(row).to_contain_text(words["Linked"])


def publish_offer(
    page: Page, lang: str, *, title: str, description: str, price: str, quantity: int
) -> str:
    """Fill in the offer form and publish; the offer's address."""
    words = WORDS[lang]
    nav_link(page, words["Sell"]).click()
    field(page, words["Title"]).fill(title)
    field(page, words["Description"]).fill(description)
    field(page, words["Price"]).fill(price)
    field(page, words["Quantity available"]).fill(str(quantity))
    field(page, words["Category"]).select_option(label=words["Other"])
    page.get_by_role("button", name=words["Publish"]).click()
    expect(message(page, words["Your offer is published."])).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    return page.url


def search_catalogue(page: Page, lang: str, query: str, title: str) -> None:
    """Search the catalogue; the offer titled ``title`` is among the results."""
    words = WORDS[lang]
    nav_link(page, words["Catalogue"]).click()
    field(page, words["Search"]).fill(query)
    page.get_by_role("button", name=words["Show"]).click()
    expect(page.locator(".offer-grid").get_by_role("link", name=title)).to_be_visible()


def open_offer(page: Page, title: str) -> None:
    page.locator(".offer-grid").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def open_deal(page: Page, lang: str, quantity: int) -> int:
    """On an offer's page, buy ``quantity`` items; the new deal's number."""
    words = WORDS[lang]
    field(page, words["Quantity"]).fill(str(quantity))
    page.get_by_role("button", name=words["Buy"]).click()
    expect(message(page, words["The deal is open."])).to_be_visible()
    heading = page.get_by_role("heading", name=re.compile(re.escape(words["Deal #"]) + r"\d+"))
    expect(heading).to_be_visible()
    return int(re.sub(r"\D", "", heading.inner_text()))


def choose_account(page: Page, lang: str, number: str) -> str:
    """On a deal's page press Pay and pick the account; the balance the page shows for it."""
    words = WORDS[lang]
    page.get_by_role("button", name=words["Pay"], exact=True).click()
    heading = page.get_by_role("heading", name=re.compile(re.escape(words["Pay for deal #"])))
    expect(heading).to_be_visible()
    choice = page.locator("label.account-choice", has_text=number)
    choice.get_by_role("radio").check()
    return choice.get_by_test_id("balance").inner_text()


def press_continue(page: Page, lang: str) -> None:
    page.get_by_role("button", name=WORDS[lang]["Continue"]).click()


def enter_code(page: Page, lang: str, code: str) -> None:
    """Type the code on the confirmation page and press "Pay <amount>"."""
    words = WORDS[lang]
    expect(page.get_by_role("heading", name=words["Confirm the payment"])).to_be_visible()
    amount = page.get_by_test_id("amount").inner_text()
    field(page, words["Confirmation code"]).fill(code)
    page.get_by_role("button", name=f"{words['Pay']} {amount}").click()


def ship_in_person(page: Page, lang: str) -> None:
    """The seller, on his deal's page, marks it handed over in person."""
    words = WORDS[lang]
    form = page.get_by_test_id("ship-form")
    form.get_by_label(words["Handed over in person"]).check()
    form.get_by_role("button", name=words["Mark as shipped"]).click()


def confirm_receipt(page: Page, lang: str) -> None:
    page.get_by_role("button", name=WORDS[lang]["I received the goods"]).click()


def wait_money(page: Page, url: str, *says: str, timeout: float = 60) -> None:
    """Reload the deal's page until its "where the money is" says all of ``says``."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        money = page.get_by_test_id("money").inner_text()
        if all(words in money for words in says):
            return
        assert time.monotonic() < deadline, f"not yet {says}: {money}"
        time.sleep(0.5)


def wait_paid_out(page: Page, url: str, lang: str, timeout: float = 60) -> None:
    """Reload the deal's page until it says the bank has paid the seller."""
    wait_money(page, url, WORDS[lang]["Paid to the seller on"], timeout=timeout)


def wait_paid(page: Page, lang: str) -> None:
    """The status page reloads itself until the payment is final; wait for "Paid"."""
    status = page.get_by_test_id("payment-status")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=PAID_WITHIN_MS)
    expect(status).to_have_text(WORDS[lang]["paid"])
