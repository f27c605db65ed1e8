"""A dispute in a real browser, in English and in Russian, settled at the bank to the kopeck.

A buyer pays for a deal with the code the bank emails him; the money is held. The seller
hands the goods over; the buyer opens a dispute with a photo of the damage; the seller
answers; staff read both sides in the disputes queue and refund part of the price with a
reason both parties see. The bank then holds nothing: the buyer has the refund back, the
seller and the platform share the rest in the deal's proportion. Screenshots go where the
buyer's journey puts its own (see test_browser.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from bank_client import BankClient
from browser import (
    PASSWORD,
    WORDS,
    choose_account,
    enter_code,
    fact,
    field,
    kopecks,
    message,
    open_deal,
    prefix,
    press_continue,
    rub,
    ship_in_person,
    shot,
    sign_in,
    wait_money,
    wait_paid,
)
from client import balances
from conftest import make_buyers, make_offer
from stack import Stack

pytestmark = pytest.mark.browser

PRICE = 2_500_00
REFUND = {"en": ("800.50", 800_50), "ru": ("800,50", 800_50)}  # as staff of each language type it
SELLER = "seller@demo.test"  # the demo seller that make_offer publishes for
STAFF = "staff@demo.test"
COMPLAINT = {
    "en": "The lid is dented and one leg is bent.",
    "ru": "Крышка помята, одна ножка погнута.",
}
ANSWER = {"en": "It left here intact, packed in foam.", "ru": "Отправлял целым, в пенопласте."}
RULING = {
    "en": "A dent is visible on the photo: part of the price back.",
    "ru": "Вмятина видна на фото: часть цены возвращаем.",
}
MORE = {
    "en": {
        "open dispute": "Something is wrong? Open a dispute",
        "What is wrong?": "What is wrong?",
        "Damaged": "Damaged",
        "What happened": "What happened",
        "Photos": "Photos",
        "Open a dispute": "Open a dispute",
        "opened": "The dispute is open. The money stays held meanwhile.",
        "opened a dispute": "opened a dispute",
        "Your answer": "Your answer",
        "Send the answer": "Send the answer",
        "Refund the buyer in part": "Refund the buyer in part",
        "Refund": "Refund, ₽ (for a partial refund)",
        "Reason": "Reason, shown to both parties",
        "Save": "Save",
        "resolved": "The dispute is resolved.",
        "Refunded in part": "Refunded in part",
        "Refunded to the buyer": "Refunded to the buyer",
    },
    "ru": {
        "open dispute": "Что-то не так? Откройте спор",
        "What is wrong?": "Что не так?",
        "Damaged": "Повреждён",
        "What happened": "Что случилось",
        "Photos": "Фотографии",
        "Open a dispute": "Открыть спор",
        "opened": "Спор открыт. Пока он идёт, деньги удерживаются.",
        "opened a dispute": "открыл спор",
        "Your answer": "Ваш ответ",
        "Send the answer": "Отправить ответ",
        "Refund the buyer in part": "Вернуть покупателю часть",
        "Refund": "Возврат, ₽ (при частичном возврате)",
        "Reason": "Причина (её увидят обе стороны)",
        "Save": "Сохранить",
        "resolved": "Спор решён.",
        "Refunded in part": "Возвращено частично",
        "Refunded to the buyer": "Возвращено покупателю",
    },
}


def damage_photo(tmp_path: Path) -> Path:
    """A photo of the damage, as a phone's camera leaves it (a JPEG with EXIF)."""
    image = Image.new("RGB", (1000, 750), (176, 141, 87))
    draw = ImageDraw.Draw(image)
    draw.ellipse((380, 260, 620, 420), outline=(90, 60, 30), width=18)  # the dent
    draw.line((200, 600, 820, 560), fill=(70, 50, 30), width=10)
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    path = tmp_path / "dent.jpg"
    path.write_bytes(out.getvalue())
    return path


def dispute_id(stack: Stack, deal: int) -> int:
    out = stack.market.shell(
        f"from deals.models import Dispute; print(Dispute.objects.get(deal_id={deal}).pk)"
    )
    return int(out.strip().splitlines()[-1])


def admin_sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/admin/login/")
    page.locator("input[name=username]").fill(STAFF)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_dispute_with_a_photo_is_refunded_in_part_by_staff_and_the_bank_agrees(
    stack: Stack,
    bank_api: BankClient,
    new_page: Callable[[], Page],
    tmp_path: Path,
    lang: str,
) -> None:
    words, more = WORDS[lang], MORE[lang]
    tag = "" if lang == "en" else "ru-"
    base = f"{stack.market.url}{prefix(lang)}"
    buyer = make_buyers(stack, 1, deposit=10_000_00, tag=f"dispute-{lang}")[0]
    offer = make_offer(stack, price=PRICE)
    seller_no = str(stack.bank_demo["accounts"][SELLER])  # type: ignore[index]
    platform_no = str(stack.bank_demo["PLATFORM_ACCOUNT"])
    before = balances(bank_api, buyer.account_number, seller_no, platform_no)

    # The buyer pays; the bank holds the money.
    person = new_page()
    sign_in(person, stack.market.url, lang, buyer.email)
    person.goto(f"{base}/offers/{offer}/")
    deal = open_deal(person, lang, 1)
    deal_url = f"{base}/deals/{deal}/"
    choose_account(person, lang, buyer.account_number)
    sent = len(stack.smtp.to(buyer.email))
    press_continue(person, lang)
    enter_code(person, lang, stack.smtp.last_code(buyer.email, count=sent + 1))
    wait_paid(person, lang)

    # The seller hands the goods over and sees his share.
    seller = new_page()
    sign_in(seller, stack.market.url, lang, SELLER)
    seller.goto(deal_url)
    net = kopecks(fact(seller, words["Seller receives"]).inner_text())
    commission = kopecks(fact(seller, words["Platform commission"]).inner_text())
    assert net + commission == PRICE
    ship_in_person(seller, lang)
    expect(seller.locator(".status")).to_have_text(words["Shipped"])

    # The buyer finds damage: a dispute with a photo.
    person.goto(deal_url)
    person.get_by_text(more["open dispute"]).click()
    form = person.get_by_test_id("dispute-form")
    field(form, more["What is wrong?"]).select_option(label=more["Damaged"])
    field(form, more["What happened"]).fill(COMPLAINT[lang])
    field(form, more["Photos"]).set_input_files(damage_photo(tmp_path))
    shot(person, f"{tag}16-dispute-form.png")
    form.get_by_role("button", name=more["Open a dispute"]).click()
    expect(message(person, more["opened"])).to_be_visible()
    box = person.get_by_test_id("dispute")
    expect(box).to_contain_text(COMPLAINT[lang])
    expect(box.locator(".message-photos img")).to_have_count(1)
    # Once the picture has loaded (decode() waits for it; a picture that fails gives 0).
    width = box.locator(".message-photos img").evaluate(
        "img => img.decode().then(() => img.naturalWidth, () => 0)"
    )
    assert width == 1000  # the private photo, served to the buyer through the checked view
    expect(person.get_by_test_id("dispute-evidence")).to_have_text(more["opened a dispute"])

    # The seller answers from his page; the photo is his to see too.
    seller.goto(deal_url)
    expect(seller.get_by_test_id("dispute").locator(".message-photos img")).to_have_count(1)
    answer_form = seller.get_by_test_id("answer-form")
    field(answer_form, more["Your answer"]).fill(ANSWER[lang])
    answer_form.get_by_role("button", name=more["Send the answer"]).click()
    expect(seller.get_by_test_id("dispute")).to_contain_text(ANSWER[lang])
    shot(seller, f"{tag}17-dispute-answered.png")

    # Staff read both sides in the queue and refund part of the price, with a reason.
    staff = new_page()
    admin_sign_in(staff, base)
    staff.goto(f"{base}/admin/deals/dispute/?state=open")
    resolve = staff.locator(f'a[href$="/deals/dispute/{dispute_id(stack, deal)}/resolve/"]')
    resolve.click()
    content = staff.locator("#content-main")
    expect(content).to_contain_text(COMPLAINT[lang])
    expect(content).to_contain_text(ANSWER[lang])
    expect(content.locator(".message-photos img")).to_have_count(1)
    typed, refund = REFUND[lang]
    staff.get_by_label(more["Refund the buyer in part"]).check()
    staff.get_by_label(more["Refund"]).fill(typed)
    staff.get_by_label(more["Reason"]).fill(RULING[lang])
    shot(staff, f"{tag}18-staff-resolve-dispute.png")
    staff.locator("#content-main [type=submit]").click()
    expect(staff.locator(".messagelist")).to_contain_text(more["resolved"])

    # Both parties see the ruling; the bank has captured the rest and returned the refund.
    # The bank has paid the seller his part and returned the buyer's.
    wait_money(person, deal_url, words["Paid to the seller on"], more["Refunded to the buyer"])
    money = person.get_by_test_id("money")
    expect(money).to_contain_text(rub(PRICE - REFUND[lang][1], lang))
    expect(money).to_contain_text(rub(REFUND[lang][1], lang))
    outcome = person.get_by_test_id("dispute-outcome")
    expect(outcome).to_contain_text(more["Refunded in part"])
    expect(outcome).to_contain_text(rub(refund, lang))
    expect(outcome).to_contain_text(RULING[lang])
    expect(person.locator(".status")).to_have_text(words["Completed"])
    shot(person, f"{tag}19-dispute-resolved.png")
    seller.goto(deal_url)
    expect(seller.get_by_test_id("dispute-outcome")).to_contain_text(RULING[lang])

    after = balances(bank_api, buyer.account_number, seller_no, platform_no)
    captured = PRICE - refund
    seller_got = after[seller_no] - before[seller_no]
    platform_got = after[platform_no] - before[platform_no]
    assert after[buyer.account_number] == before[buyer.account_number] - captured
    assert seller_got + platform_got == captured
    # The commission follows the captured part (the bank's largest-remainder rounding).
    assert abs(platform_got - captured * commission / PRICE) < 1
    stack.bank.manage("reconcile")
