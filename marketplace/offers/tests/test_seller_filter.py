"""``/?seller=<id>`` names only sellers with offers in the catalogue; for anyone else (a
buyer, staff, a seller whose offers are paused or sold out, no such user) the page is the
ordinary catalogue, with no name on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db


def catalogue(seller: object) -> str:
    response = Client().get(reverse("offers:catalogue"), {"seller": str(seller)})
    assert response.status_code == 200
    return response.content.decode()


def test_a_seller_with_offers_in_the_catalogue_is_named(
    user: User, make_offer: Callable[..., Offer]
) -> None:
    make_offer(user, title="Kettle")
    page = catalogue(user.pk)
    assert "Offers of Olga Owner" in page
    assert "Kettle" in page


@pytest.mark.parametrize("offer_status", [None, "paused", "closed", "sold out"])
def test_anyone_else_is_not_named_and_gets_the_ordinary_catalogue(
    user: User,
    make_user: Callable[..., User],
    make_offer: Callable[..., Offer],
    offer_status: str | None,
) -> None:
    make_offer(user, title="Kettle")
    secret = make_user("secret@example.com", name="Secret Person")
    if offer_status == "sold out":
        make_offer(secret, title="Gone", quantity_available=0)
    elif offer_status:
        make_offer(secret, title="Hidden", status=offer_status)
    page = catalogue(secret.pk)
    assert "Secret Person" not in page
    assert "Offers of" not in page
    assert "Kettle" in page  # the ordinary catalogue


@pytest.mark.parametrize("seller", [0, -1, 999_999_999, 2**63, "x"])
def test_no_such_seller_is_the_ordinary_catalogue(
    user: User, make_offer: Callable[..., Offer], seller: object
) -> None:
    make_offer(user, title="Kettle")
    page = catalogue(seller)
    assert "Offers of" not in page
    assert "Kettle" in page
