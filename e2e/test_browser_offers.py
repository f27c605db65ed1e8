"""Photos, the seller's page and a review in a real browser, in English and in Russian.

The demo seller publishes an offer with two photos, watching his net and the platform's
commission appear as he types the price; the catalogue's card shows the first photo, the
offer's page both. A buyer whose deal on it is completed rates the seller from the offer's
page and lands on the seller's page with his review and the rating; the seller answers.
Every page shown also fits a phone's screen. Screenshots go where the buyer's journey puts
its own (see test_browser.py).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from browser import (
    DESKTOP,
    PHONE,
    WORDS,
    assert_fits_the_screen,
    field,
    message,
    nav_link,
    prefix,
    shot,
    sign_in,
)
from stack import Stack

pytestmark = pytest.mark.browser

SELLER = {"en": "seller@demo.test", "ru": "prodavec@demo.test"}
BUYER = {"en": "buyer@demo.test", "ru": "pokupatel@demo.test"}
TITLE = {"en": "Copper samovar {}", "ru": "Медный самовар {}"}
PRICE = {"en": "4500", "ru": "4 500"}
MORE = {
    "en": {
        "Photos": "Photos",
        "You receive": "You receive",
        "one offer": "1 offer",
        "Rate": "Rate the seller for your deal #",
        "Review the seller": "Review the seller",
        "Your review": "Your review",
        "Publish the review": "Publish the review",
        "published": "Thank you: your review is published.",
        "Completed sales": "Completed sales",
        "of 5": " of 5 from ",
        "Answer": "Answer",
        "Your answer": "Your answer",
        "Publish the answer": "Publish the answer",
        "The seller's answer": "The seller’s answer",
        "Reviews": "Reviews",
    },
    "ru": {
        "Photos": "Фотографии",
        "You receive": "Вы получите",
        "one offer": "1 предложение",
        "Rate": "Оцените продавца по вашей сделке № ",
        "Review the seller": "Отзыв о продавце",
        "Your review": "Ваш отзыв",
        "Publish the review": "Опубликовать отзыв",
        "published": "Спасибо: ваш отзыв опубликован.",
        "Completed sales": "Завершённые продажи",
        "of 5": " из 5 по ",
        "Answer": "Ответить",
        "Your answer": "Ваш ответ",
        "Publish the answer": "Опубликовать ответ",
        "The seller's answer": "Ответ продавца",
        "Reviews": "Отзывы",
    },
}
REVIEW = {"en": "Boils water in ten minutes. Recommended.", "ru": "Кипятит за десять минут."}
ANSWER = {"en": "Thank you, enjoy your tea!", "ru": "Спасибо, приятного чаепития!"}


def photo_files(tmp_path: Path) -> list[Path]:
    """Two photos as a camera leaves them: JPEG with EXIF (the maker), of two colours."""
    paths = []
    for name, colour in [("front.jpg", (184, 115, 51)), ("side.jpg", (60, 90, 140))]:
        image = Image.new("RGB", (1200, 900), colour)
        draw = ImageDraw.Draw(image)
        for step in range(12):  # something to look at: rings of light on the colour
            shade = tuple(min(255, c + 12 * step) for c in colour)
            inset = 40 + 30 * step
            draw.ellipse((inset + 150, inset, 1050 - inset, 900 - inset), outline=shade, width=14)
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"
        out = io.BytesIO()
        image.save(out, format="JPEG", exif=exif.tobytes())
        path = tmp_path / name
        path.write_bytes(out.getvalue())
        paths.append(path)
    return paths


def images_loaded(page: Page, selector: str) -> list[int]:
    """The natural widths of the pictures matching ``selector`` (0 for one not loaded)."""
    page.wait_for_load_state("load")
    widths: list[int] = page.eval_on_selector_all(selector, "els => els.map(e => e.naturalWidth)")
    return widths


def on_phone(page: Page, name: str) -> None:
    page.set_viewport_size(PHONE)
    assert_fits_the_screen(page)
    shot(page, name)
    page.set_viewport_size(DESKTOP)


def complete_a_deal(stack: Stack, *, offer_id: int, buyer: str) -> int:
    """A deal of ``buyer`` on the offer, delivered (paying is the other journey's part)."""
    out = stack.market.shell(f"""
from deals.models import Deal
from deals.services import deal_create
from offers.models import Offer
from users.models import User
d = deal_create(buyer=User.objects.get(email={buyer!r}), offer=Offer.objects.get(pk={offer_id}),
                quantity=1)
Deal.objects.filter(pk=d.pk).update(status="completed")
print(d.pk)
""")
    return int(out.strip().splitlines()[-1])


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_photos_a_review_and_the_seller_page(
    stack: Stack, new_page: Callable[[], Page], tmp_path: Path, lang: str
) -> None:
    words, more = WORDS[lang], MORE[lang]
    title = TITLE[lang].format(uuid.uuid4().hex[:6])
    tag = "" if lang == "en" else "ru-"

    # The seller publishes the offer with two photos; the split shows while he types.
    seller = new_page()
    sign_in(seller, stack.market.url, lang, SELLER[lang])
    nav_link(seller, words["Sell"]).click()
    field(seller, words["Title"]).fill(title)
    field(seller, words["Description"]).fill("1900")
    split = seller.locator("#price-split")
    expect(split).to_be_hidden()
    field(seller, words["Price"]).press_sequentially(PRICE[lang])
    expect(split).to_be_visible()
    expect(split).to_contain_text(more["You receive"])
    field(seller, words["Quantity available"]).fill("3")
    field(seller, words["Category"]).select_option(label=words["Other"])
    field(seller, more["Photos"]).set_input_files(photo_files(tmp_path))
    shot(seller, f"{tag}11-new-offer-with-photos.png")
    seller.get_by_role("button", name=words["Publish"]).click()
    expect(message(seller, words["Your offer is published."])).to_be_visible()
    offer_url = seller.url
    offer_id = int(offer_url.rstrip("/").rsplit("/", 1)[-1])

    # Anyone sees the gallery on the offer's page and the first photo on its card.
    visitor = new_page()
    visitor.goto(f"{stack.market.url}{prefix(lang)}/offers/{offer_id}/")
    expect(visitor.locator(".gallery img")).to_have_count(2)
    assert all(width > 0 for width in images_loaded(visitor, ".gallery img"))
    shot(visitor, f"{tag}12-offer-gallery.png")
    on_phone(visitor, f"{tag}12-offer-gallery-phone.png")
    visitor.goto(f"{stack.market.url}{prefix(lang)}/?q={title.split()[-1]}")
    card = visitor.locator(".offer-card", has_text=title)
    expect(card.locator("img.offer-cover")).to_be_visible()
    assert images_loaded(visitor, ".offer-card img.offer-cover")[0] > 0
    expect(visitor.locator(".match-count")).to_have_text(more["one offer"])
    shot(visitor, f"{tag}13-catalogue-with-photos.png")

    # The buyer, his deal completed, rates the seller from the offer's page.
    deal_id = complete_a_deal(stack, offer_id=offer_id, buyer=BUYER[lang])
    buyer = new_page()
    sign_in(buyer, stack.market.url, lang, BUYER[lang])
    buyer.goto(f"{stack.market.url}{prefix(lang)}/offers/{offer_id}/")
    buyer.get_by_role("link", name=f"{more['Rate']}{deal_id}").click()
    expect(buyer.get_by_role("heading", name=more["Review the seller"])).to_be_visible()
    buyer.locator("input[name=rating][value='5']").check()
    field(buyer, more["Your review"]).fill(REVIEW[lang])
    on_phone(buyer, f"{tag}14-review-form-phone.png")
    buyer.get_by_role("button", name=more["Publish the review"]).click()
    expect(message(buyer, more["published"])).to_be_visible()
    review = buyer.locator(".review", has_text=REVIEW[lang])
    expect(review).to_be_visible()
    expect(buyer.locator("dl.facts")).to_contain_text(more["Completed sales"])
    expect(buyer.locator("dl.facts")).to_contain_text(more["of 5"])
    shot(buyer, f"{tag}15-seller-page.png")
    on_phone(buyer, f"{tag}15-seller-page-phone.png")

    # The seller answers once, on his own page.
    seller.goto(f"{stack.market.url}{prefix(lang)}/offers/{offer_id}/")
    seller.locator(".review", has_text=REVIEW[lang]).get_by_role(
        "link", name=more["Answer"]
    ).click()
    field(seller, more["Your answer"]).fill(ANSWER[lang])
    seller.get_by_role("button", name=more["Publish the answer"]).click()
    answered = seller.locator(".review", has_text=REVIEW[lang])
    expect(answered.locator(".review-reply")).to_contain_text(ANSWER[lang])
    expect(answered.get_by_role("link", name=more["Answer"])).to_have_count(0)
    expect(seller.get_by_role("heading", name=more["Reviews"])).to_be_visible()
