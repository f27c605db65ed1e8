"""The buyer's journey in a real browser, in English and in Russian.

A new person signs up, links his bank account with the code the bank emails him, finds a
seller's fresh offer in the catalogue, opens a deal, mistypes the code once, pays, and
watches the status page turn to paid by itself; a deal his balance does not cover is
refused on the spot. Then the bank's own pages show the money moved, to the kopeck.
Screenshots of the English run (and a few of the Russian one, ``ru-*``) go to
test-artifacts/screenshots/; to refresh the documentation's copies run

    E2E_SCREENSHOTS=docs/screenshots .venv/bin/pytest -c e2e/pytest.ini e2e -m browser
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    expect,
)

from browser import (
    PHONE,
    WORDS,
    BankCustomer,
    assert_fits_the_screen,
    choose_account,
    codes_sent_to,
    confirm_receipt,
    demo_customer,
    enter_code,
    fact,
    kopecks,
    link_account,
    mails_to,
    open_bank_customer,
    open_deal,
    open_offer,
    prefix,
    press_continue,
    publish_offer,
    read_balance_at_bank,
    rub,
    search_catalogue,
    ship_in_person,
    shot,
    shot_on_phone,
    sign_in,
    sign_up,
    wait_paid,
    wait_paid_out,
)
from stack import Stack

pytestmark = pytest.mark.browser

DEPOSIT = 10_000_00
PRICE = {"en": "1234.57", "ru": "1 234,57"}  # as a person of each language types it
UNIT_PRICE = 1_234_57
QUANTITY = 3
SELLER = {"en": "seller@demo.test", "ru": "prodavec@demo.test"}  # demo sellers, paid out
PLATFORM = "platform@demo.test"  # the bank customer who holds the commission account
TITLE = {"en": "Brass telescope, model {}", "ru": "Латунный телескоп, модель {}"}
DESCRIPTION = {
    "en": "A 60 mm refractor on a wooden tripod: the Moon's craters from your balcony.",
    "ru": "Рефрактор 60 мм на деревянной треноге: кратеры Луны прямо с балкона.",
}
SEARCH = {"en": "telescope {}", "ru": "телескоп {}"}  # what the buyer types in the search box
NAME = {"en": "Alice Newman", "ru": "Анна Новикова"}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_new_person_links_his_account_buys_pays_with_the_emailed_code_and_the_bank_agrees(
    stack: Stack, browser: Browser, new_page: Callable[[], Page], lang: str
) -> None:
    words, tag = WORDS[lang], uuid.uuid4().hex[:8]
    shots = lang == "en"  # the documentation shows the English run

    # A new person with money at the bank signs up on the marketplace and links his account.
    email = f"browser-{lang}-{tag}@e2e.test"
    number = open_bank_customer(stack, email=email, name=NAME[lang], lang=lang, deposit=DEPOSIT)
    buyer = BankCustomer(email, number)
    person = new_page()
    sign_up(person, stack.smtp, stack.market.url, lang, email=email, name=NAME[lang])
    link_account(person, stack.smtp, lang, email=email, number=number)

    # A seller publishes an offer through the offer form.
    seller = new_page()
    sign_in(seller, stack.market.url, lang, SELLER[lang])
    model = tag[:4].upper()
    title = TITLE[lang].format(model)
    publish_offer(
        seller, lang, title=title, description=DESCRIPTION[lang], price=PRICE[lang], quantity=50
    )

    seller_at_bank, platform = demo_customer(stack, SELLER[lang]), demo_customer(stack, PLATFORM)
    seller_before = kopecks(read_balance_at_bank(new_page(), stack.bank.url, seller_at_bank, lang))
    platform_before = kopecks(read_balance_at_bank(new_page(), stack.bank.url, platform, lang))

    # The buyer finds it, opens a deal for three, and pays from his account.
    search_catalogue(person, lang, SEARCH[lang].format(model), title)
    if shots:
        shot(person, "01-catalogue.png")
        catalogue_on_phone(browser, person.url)
    open_offer(person, title)
    expect(person.locator(".price").first).to_contain_text(rub(UNIT_PRICE, lang))
    if shots:
        shot(person, "02-offer.png")
    deal = open_deal(person, lang, QUANTITY)
    total = UNIT_PRICE * QUANTITY
    expect(fact(person, words["You pay"])).to_have_text(rub(total, lang))
    expect(person.locator(".status")).to_have_text(words["Awaiting payment"])
    shot(person, "03-deal.png" if shots else "ru-03-deal.png")

    balance_shown = choose_account(person, lang, number)
    assert balance_shown == rub(DEPOSIT, lang)
    shot(person, "04-choose-account.png" if shots else "ru-04-choose-account.png")
    sent = mails_to(stack.smtp, email)
    press_continue(person, lang)
    code = stack.smtp.last_code(email, count=sent + 1)
    if shots:
        shot(person, "05-code-entry.png")
        shot_on_phone(person, "05-code-entry-phone.png")

    # A typo first: the page says so and how many attempts are left.
    enter_code(person, lang, f"{(int(code) + 1) % 1_000_000:06d}")
    expect(person.locator(".error", has_text=words["wrong code"])).to_be_visible()
    expect(person.get_by_test_id("attempts-left")).to_have_text("4")
    if shots:
        shot(person, "06-wrong-code.png")

    enter_code(person, lang, code)
    # The bank usually takes longer than the redirect: the page first says "processing".
    status = person.get_by_test_id("payment-status")
    expect(status).to_have_attribute("data-status", re.compile("^(processing|succeeded)$"))
    if status.get_attribute("data-status") == "processing":
        expect(status).to_have_text(words["processing"])
        if shots:
            shot(person, "07-processing.png")
    wait_paid(person, lang)
    shot(person, "08-paid.png" if shots else "ru-08-paid.png")

    # The seller sees the deal paid, and what he receives after the commission.
    seller.goto(f"{stack.market.url}{prefix(lang)}/deals/{deal}/")
    expect(seller.locator(".status")).to_have_text(words["Paid (deal)"])
    net = kopecks(fact(seller, words["Seller receives"]).inner_text())
    commission = kopecks(fact(seller, words["Platform commission"]).inner_text())
    assert net + commission == total
    assert commission > 0
    # Held: the seller has nothing yet. He ships; the buyer confirms; the bank pays him.
    assert read_balance_at_bank(new_page(), stack.bank.url, seller_at_bank, lang) == rub(
        seller_before, lang
    )
    ship_in_person(seller, lang)
    expect(seller.locator(".status")).to_have_text(words["Shipped"])
    person.goto(f"{stack.market.url}{prefix(lang)}/deals/{deal}/")
    confirm_receipt(person, lang)
    wait_paid_out(person, f"{stack.market.url}{prefix(lang)}/deals/{deal}/", lang)
    expect(person.locator(".status")).to_have_text(words["Completed"])
    shot(person, "11-paid-out.png" if shots else "ru-11-paid-out.png")

    # A deal the rest of his money does not cover: refused on the spot, nothing happens.
    left = DEPOSIT - total
    person.goto(f"{stack.market.url}{prefix(lang)}/")
    search_catalogue(person, lang, SEARCH[lang].format(model), title)
    open_offer(person, title)
    big_deal = open_deal(person, lang, left // UNIT_PRICE + 1)
    big_total = UNIT_PRICE * (left // UNIT_PRICE + 1)
    assert choose_account(person, lang, number) == rub(left, lang)
    expect(person.locator("label.account-choice")).to_contain_text(
        words["not enough for this deal"]
    )
    press_continue(person, lang)
    refusal = words["insufficient"].format(available=rub(left, lang), amount=rub(big_total, lang))
    expect(person.get_by_role("alert").filter(has_text=refusal)).to_be_visible()
    assert person.url.endswith(f"/payments/deal/{big_deal}/")
    if shots:
        shot(person, "09-insufficient-balance.png")
    person.goto(f"{stack.market.url}{prefix(lang)}/deals/{big_deal}/")
    expect(person.locator(".status")).to_have_text(words["Awaiting payment"])
    assert codes_sent_to(stack.smtp, email) == 2  # the link's and the first payment's only

    # The bank's pages: the buyer down by the total, the seller and the platform up.
    statement = "10-bank-statement.png" if shots else "ru-10-bank-statement.png"
    assert read_balance_at_bank(new_page(), stack.bank.url, buyer, lang, statement) == rub(
        DEPOSIT - total, lang
    )
    assert read_balance_at_bank(new_page(), stack.bank.url, seller_at_bank, lang) == rub(
        seller_before + net, lang
    )
    assert read_balance_at_bank(new_page(), stack.bank.url, platform, lang) == rub(
        platform_before + commission, lang
    )


def catalogue_on_phone(browser: Browser, url: str) -> None:
    """The catalogue as a visitor sees it on a phone (no sign-in needed)."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        page.goto(url)
        expect(page.locator(".offer-grid article").first).to_be_visible()
        assert_fits_the_screen(page)
        shot(page, "catalogue-phone.png")
    finally:
        context.close()
