"""Search ignores case, Cyrillic included, and takes ё for its plain letter: on
PostgreSQL by its text search, on SQLite (the ``make run`` default, see
``make test-marketplace-sqlite``) by the folding function each connection is given."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from offers.models import Offer
from paylib.sqlite_fold import fold
from users.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def found(query: str) -> list[str]:
    response = Client().get(reverse("offers:catalogue"), {"q": query})
    assert response.status_code == 200
    return sorted(offer.title for offer in response.context["page"].items)


@pytest.fixture
def offers(user: User, make_offer: Callable[..., Offer]) -> None:
    make_offer(user, title="Самовар медный", description="Тульский, 1900 год")
    make_offer(user, title="Матрёшка", description="Семь штук")
    make_offer(user, title="Teapot", description="ЁМКОСТЬ для чая")


@pytest.mark.usefixtures("offers")
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("самовар", ["Самовар медный"]),
        ("САМОВАР", ["Самовар медный"]),
        ("матрешка", ["Матрёшка"]),
        ("МАТРЁШКА", ["Матрёшка"]),
        ("тульский", ["Самовар медный"]),
        ("емкость", ["Teapot"]),
        ("teapot", ["Teapot"]),
        ("самовар матрешка", []),
        ("балалайка", []),
    ],
)
def test_search_ignores_case_and_takes_yo_for_ye(query: str, titles: list[str]) -> None:
    assert found(query) == titles


def test_the_folding_is_what_postgresql_does() -> None:
    assert fold("МАТРЁШКА Ёлка") == "матрешка елка"
    assert fold(None) is None
