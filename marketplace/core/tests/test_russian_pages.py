"""No English on Russian pages: every page of the access table, opened in Russian by each
person who may open it, shows none of the project's English phrases untranslated."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from conftest import client_for
from core.tests.conftest import World
from core.tests.test_access import TABLE, WHO
from paylib.admin_language import catalogue_phrases, english_runs, page_text, phrases_in

pytestmark = pytest.mark.django_db

PHRASES = catalogue_phrases(settings.LOCALE_PATHS)
FILES = {"deals:sales_csv"}  # a spreadsheet, tested in both languages by its own tests
PAGES = [
    pytest.param(name, args, who, id=f"{name}-{who}")
    for name, args, method, _data, expected in TABLE
    for who, answer in zip(WHO, expected, strict=True)
    if method == "get" and answer == 200 and name not in FILES
]


def test_the_catalogues_give_phrases_to_look_for() -> None:
    assert len(PHRASES) > 300
    assert "Where the money is" in PHRASES


def test_the_same_page_in_english_is_found_english(world: World) -> None:
    response = client_for(world.owner).get(
        reverse("deals:detail", args=[world.deal.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert len(phrases_in(page_text(response.content.decode()), PHRASES)) > 5


@pytest.mark.parametrize(("name", "args", "who"), PAGES)
def test_a_russian_page_has_no_english_left(
    world: World,
    name: str,
    args: Callable[[World], list[Any]],
    who: str,
) -> None:
    user = {
        "anonymous": None,
        "stranger": world.stranger,
        "owner": world.owner,
        "staff": world.staff,
    }[who]
    if user is not None:
        user.language = "ru"
        user.save(update_fields=["language"])
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    with translation.override("ru"):
        url = reverse(name, args=args(world))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    text = page_text(response.content.decode())
    assert re.search("[а-яё]{4}", text), text[:300]  # the page is in Russian at all
    assert phrases_in(text, PHRASES) == []
    assert english_runs(text, known=data_of(world)) == []


def data_of(world: World) -> list[str]:
    """What the test's world wrote in English itself: names, titles, addresses."""
    from offers.models import Offer
    from users.models import User

    users = User.objects.all()
    return [
        *(u.email for u in users),
        *(u.name for u in users),
        *(u.email.split("@")[1] for u in users),
        *Offer.objects.values_list("title", flat=True),
    ]
