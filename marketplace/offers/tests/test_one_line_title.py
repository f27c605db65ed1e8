"""An offer's title is refused exactly when the bank would refuse it in a payment's
description (the same validator, paylib.text, on both sides): in the form, the model and
the service."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import SettlementAccount
from conftest import client_for, form_key
from deals.models import Deal
from deals.services import deal_create
from offers.forms import OfferForm
from offers.models import Category, Offer
from offers.services import offer_create
from paylib.errors import ApplicationError
from paylib.text import is_one_line
from users.models import User

pytestmark = pytest.mark.django_db

titles = st.text(min_size=1, max_size=30).filter(lambda t: t.strip() and "\x00" not in t)


@given(title=titles)
def test_the_form_refuses_a_title_exactly_when_it_is_not_one_line(title: str) -> None:
    category = Category.objects.first()
    assert category is not None
    form = OfferForm({"title": title, "price": "10", "quantity": "1", "category": str(category.pk)})
    form.is_valid()
    assert ("title" in form.errors) == (not is_one_line(title.strip())), form.errors


def test_the_model_refuses_a_line_break(user: User, category: Category) -> None:
    offer = Offer(seller=user, title="Two\nlines", price=100, quantity_available=1)
    offer.category = category
    with pytest.raises(ValidationError) as caught:
        offer.full_clean()
    assert "title" in caught.value.message_dict


def test_the_service_refuses_a_line_break_and_writes_nothing(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    with pytest.raises(ApplicationError) as caught:
        offer_create(
            seller=user,
            title="Two\nlines",
            description="",
            price=100,
            quantity=1,
            category=category,
        )
    assert (caught.value.code, caught.value.field) == ("not_one_line", "title")
    assert not Offer.objects.exists()


def test_the_data_migration_makes_stored_titles_one_line(
    user: User, other_user: User, make_offer: Callable[..., Offer]
) -> None:
    offer = make_offer(user, title="Kept")
    deal = deal_create(buyer=other_user, offer=offer, quantity=1)
    Offer.objects.filter(pk=offer.pk).update(title="Two\nlines\tand a tab")
    Deal.objects.filter(pk=deal.pk).update(offer_title="Two\r\nlines")
    migration = importlib.import_module("offers.migrations.0005_one_line_titles")
    migration.titles_to_one_line(apps, None)
    assert Offer.objects.get().title == "Two lines and a tab"
    assert Deal.objects.get().offer_title == "Two lines"


def test_the_refusal_is_in_russian_on_russian_pages(
    user: User, category: Category, make_linked_account: Callable[..., SettlementAccount]
) -> None:
    make_linked_account(user)
    data = {
        "title": "Две\nстроки",
        "price": "10",
        "quantity": "1",
        "category": str(category.pk),
        "idempotency_key": form_key(),
    }
    response = client_for(user).post("/ru/offers/new/", data)
    assert "Одна строка обычного текста" in " ".join(response.context["form"].errors["title"])
