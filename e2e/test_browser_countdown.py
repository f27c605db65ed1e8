"""The code page's "Send a new code" in a real browser, in English and in Russian.

The bank sends a new code at most every BANK_CODE_RESEND_INTERVAL seconds (30 on the
marketplace's side here). Until then the button is disabled and counts the seconds down;
the browser's clock is Playwright's, moved forward instead of waited for. Without
JavaScript the button stays usable and the page says from what time a new code can be
asked for. Once the countdown ends the button sends a new code, and the bank emails it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import DESKTOP, choose_account, open_deal, prefix, press_continue, sign_in
from conftest import make_buyers, make_offer
from stack import Stack

pytestmark = pytest.mark.browser

INTERVAL = 30  # the marketplace's BANK_CODE_RESEND_INTERVAL in the test stack (its default)
TEXT = {
    "en": {
        "in": r"You can ask for a new code in (\d+) s\.",
        "from": r"You can ask for a new code from \d\d:\d\d:\d\d\.",
        "Send a new code": "Send a new code",
        "sent": "A new code is on its way. The previous one no longer works.",
    },
    "ru": {
        "in": r"Новый код можно запросить через (\d+) с\.",
        "from": r"Новый код можно запросить с \d\d:\d\d:\d\d\.",
        "Send a new code": "Отправить новый код",
        "sent": "Новый код уже в пути. Прежний больше не действует.",
    },
}


def seconds_left(page: Page, pattern: str) -> int:
    note = page.get_by_test_id("resend-wait")
    expect(note).to_have_text(re.compile(pattern))
    match = re.fullmatch(pattern, note.inner_text().strip())
    assert match, note.inner_text()
    return int(match[1])


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_resend_button_counts_down_then_sends_a_new_code(
    stack: Stack, browser: Browser, new_page: Callable[[], Page], lang: str
) -> None:
    text = TEXT[lang]
    buyer = make_buyers(stack, 1, deposit=1_000_00, tag=f"countdown-{lang}")[0]
    offer = make_offer(stack, price=10_00)
    page = new_page()
    page.clock.install()  # before the code page's script reads the time
    sign_in(page, stack.market.url, lang, buyer.email)
    page.goto(f"{stack.market.url}{prefix(lang)}/offers/{offer}/")
    open_deal(page, lang, 1)
    choose_account(page, lang, buyer.account_number)
    sent = len(stack.smtp.to(buyer.email))
    press_continue(page, lang)
    stack.smtp.wait_for(buyer.email, count=sent + 1)

    resend = page.get_by_test_id("resend")
    expect(resend).to_have_text(text["Send a new code"])
    expect(resend).to_be_disabled()
    first = seconds_left(page, text["in"])
    assert INTERVAL - 5 <= first <= INTERVAL
    page.clock.fast_forward(10_000)
    later = seconds_left(page, text["in"])
    assert first - 11 <= later <= first - 9
    expect(resend).to_be_disabled()

    # Without JavaScript the button works and the page says from when.
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        plain = context.new_page()
        sign_in(plain, stack.market.url, lang, buyer.email)
        plain.goto(page.url)
        expect(plain.get_by_test_id("resend")).to_be_enabled()
        expect(plain.get_by_test_id("resend-wait")).to_have_text(re.compile(text["from"]))
    finally:
        context.close()

    page.clock.fast_forward((later + 1) * 1000)
    expect(resend).to_be_enabled()
    expect(page.get_by_test_id("resend-wait")).to_be_hidden()
    resend.click()
    expect(page.get_by_role("status").filter(has_text=text["sent"])).to_be_visible()
    stack.smtp.wait_for(buyer.email, count=sent + 2)
