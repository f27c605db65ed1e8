"""Sums of money in forms, as people of each language write them: a Russian reads and types
``1234,50`` (a decimal comma, maybe ``1 234,50``), an English reader ``1234.50``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django import forms
from django.utils import translation

from conftest import client_for
from core.forms import AmountField
from offers.models import Offer
from users.models import User


class PriceForm(forms.Form):
    price = AmountField(label="Price")


def rendered_value(lang: str, kopecks: int) -> str:
    with translation.override(lang):
        html = str(PriceForm(initial={"price": kopecks})["price"])
    match = re.search(r'value="([^"]*)"', html)
    assert match, html
    return match[1]


def cleaned(lang: str, typed: str) -> tuple[int | None, dict[str, list[str]]]:
    """What the field cleans ``typed`` to, and its errors as read in ``lang``."""
    with translation.override(lang):
        form = PriceForm(data={"price": typed})
        valid = form.is_valid()
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    return (form.cleaned_data["price"] if valid else None), errors


@pytest.mark.parametrize(
    ("lang", "kopecks", "shown"),
    [
        ("ru", 1234_50, "1234,50"),
        ("ru", 5, "0,05"),
        ("ru", 1_000_000_00, "1000000,00"),
        ("en", 1234_50, "1234.50"),
        ("en", 5, "0.05"),
        ("en", 1_000_000_00, "1000000.00"),
    ],
)
def test_a_sum_is_shown_as_the_reader_types_it(lang: str, kopecks: int, shown: str) -> None:
    assert rendered_value(lang, kopecks) == shown


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize(
    "typed",
    [
        "1234,50",
        "1234.50",
        "1 234,50",
        "1\u00a0234,50",  # copied from a page, where sums have no-break spaces
        "1\u202f234.50",
        " 1234,5 ",
    ],
)
def test_either_decimal_mark_and_spaces_between_thousands_are_read(lang: str, typed: str) -> None:
    assert cleaned(lang, typed) == (1234_50, {})


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("ru", "Введите число, например 1250,00."),
        ("en", "Enter a number, for example 1250.00."),
    ],
)
@pytest.mark.parametrize(
    "typed", ["abc", "12,34,56", "1.234,50", "1e5", "12 руб", "--5", "1 234,5x", "NaN", "٣"]
)
def test_garbage_is_refused_with_a_message_in_the_reader_s_language(
    lang: str, message: str, typed: str
) -> None:
    assert cleaned(lang, typed) == (None, {"price": [message]})


@pytest.mark.parametrize(
    ("lang", "message"),
    [("ru", "Не больше двух знаков после запятой."), ("en", "Use at most two decimal places.")],
)
def test_kopecks_beyond_two_places_are_refused(lang: str, message: str) -> None:
    assert cleaned(lang, "10,505") == (None, {"price": [message]})


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "shown"), [("ru", "1234,50"), ("en", "1234.50")])
def test_the_offer_edit_form_shows_the_price_in_the_page_s_language(
    user: User, make_offer: Callable[..., Offer], lang: str, shown: str
) -> None:
    offer = make_offer(user, price=1234_50)
    prefix = "/ru" if lang == "ru" else ""
    page = client_for(user).get(f"{prefix}/offers/{offer.pk}/edit/").content.decode()
    price_input = re.search(r'<input[^>]*name="price"[^>]*>', page)
    assert price_input, "no price field on the edit form"
    assert f'value="{shown}"' in price_input[0]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1 234,50", "1234,50", "1234.50"])
def test_the_russian_edit_form_saves_the_price_as_typed(
    user: User, make_offer: Callable[..., Offer], typed: str
) -> None:
    offer = make_offer(user, price=999_00)
    response = client_for(user).post(f"/ru/offers/{offer.pk}/edit/", edit_data(offer, typed))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.price == 1234_50


@pytest.mark.django_db
def test_the_russian_edit_form_refuses_garbage_and_changes_nothing(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, price=999_00)
    response = client_for(user).post(f"/ru/offers/{offer.pk}/edit/", edit_data(offer, "12,3,4"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Введите число, например 1250,00." in page
    assert 'value="12,3,4"' in page  # what he typed, to correct
    offer.refresh_from_db()
    assert offer.price == 999_00


def edit_data(offer: Offer, price: str) -> dict[str, str]:
    return {
        "title": offer.title,
        "description": offer.description,
        "price": price,
        "quantity": str(offer.quantity_available),
        "category": str(offer.category_id),
    }
