"""A forged catalogue cursor means the first page, never a server error: values its field
could not hold are refused before they reach PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.keyset import MAX_CURSOR_LENGTH, decode_cursor, encode_cursor, keyset_page
from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db


def _raw(json_text: str) -> str:
    return base64.urlsafe_b64encode(json_text.encode()).decode().rstrip("=")


NOW = '{"dt":"2026-01-01T00:00:00+00:00"}'
HUGE = "9" * 400
FORGED = [
    ("price_asc", '["price,id",1e400,1]'),
    ("price_asc", '["price,id",Infinity,1]'),
    ("price_asc", '["price,id",-Infinity,1]'),
    ("price_asc", '["price,id",NaN,1]'),
    ("price_asc", f'["price,id",{HUGE},1]'),
    ("price_asc", f'["price,id",1,{HUGE}]'),
    ("price_asc", f'["price,id",1,-{HUGE}]'),
    ("price_asc", '["price,id",1.5,1]'),
    ("price_asc", '["price,id",true,1]'),
    ("price_asc", '["price,id",9223372036854775808,1]'),
    ("price_desc", '["-price,-id",1e400,NaN]'),
    ("newest", f'["-created_at,-id",{NOW},{HUGE}]'),
    ("newest", f'["-created_at,-id",{NOW},Infinity]'),
    ("newest", '["-created_at,-id",1e400,1]'),
    ("newest", '["-created_at,-id",{"dt":"2026-01-01T00:00:00"},1]'),
    ("newest", '["-created_at,-id",{"dt":"not a time"},1]'),
    ("newest", f'["-created_at,-id",{NOW},"1\\u0000"]'),
    ("newest", "[" * 5000 + "]" * 5000),
]


@pytest.fixture
def offers(user: User, make_offer: Callable[..., Offer]) -> list[Offer]:
    return [make_offer(user, price=100 * (i + 1)) for i in range(3)]


@pytest.mark.parametrize(("sort", "json_text"), FORGED)
def test_a_forged_cursor_shows_the_first_page(
    offers: list[Offer], sort: str, json_text: str
) -> None:
    client = Client(raise_request_exception=False)
    response = client.get(reverse("offers:catalogue"), {"after": _raw(json_text), "sort": sort})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.is_first
    assert {o.pk for o in page.items} == {o.pk for o in offers}


@pytest.mark.parametrize(("sort", "json_text"), FORGED)
def test_a_forged_search_cursor_shows_the_first_page(
    offers: list[Offer], sort: str, json_text: str
) -> None:
    forged = json_text.replace('"price,id"', '"-rank,-id"').replace('"-price,-id"', '"-rank,-id"')
    response = Client(raise_request_exception=False).get(
        reverse("offers:catalogue"), {"q": "bicycle", "sort": "relevance", "after": _raw(forged)}
    )
    assert response.status_code == 200


def test_an_overlong_cursor_is_not_even_decoded() -> None:
    long = encode_cursor("price,id", [1, 1]) + "A" * MAX_CURSOR_LENGTH
    assert decode_cursor(long, tag="price,id", length=2) is None


def test_a_genuine_cursor_still_follows_on(offers: list[Offer]) -> None:
    first = keyset_page(Offer.objects.all(), ordering=("price", "id"), cursor=None, size=2)
    assert first.next_cursor is not None
    second = keyset_page(
        Offer.objects.all(), ordering=("price", "id"), cursor=first.next_cursor, size=2
    )
    assert not second.is_first
    assert [o.price for o in second.items] == [300]
    newest = keyset_page(Offer.objects.all(), ordering=("-created_at", "-id"), cursor=None, size=1)
    assert newest.next_cursor is not None
    after = keyset_page(
        Offer.objects.all(), ordering=("-created_at", "-id"), cursor=newest.next_cursor, size=5
    )
    assert len(after.items) == 2
    assert not after.is_first
    assert timezone.is_aware(newest.items[0].created_at)
