"""The catalogue as visitors who are not signed in see it, kept a few seconds whole
(core/page_cache.py): rendered once for all of them, each with his own CSRF token, each
language and each query its own page; a signed-in user, and anyone with a message waiting,
always gets a page rendered for him."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings, signals
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def renderings() -> Iterator[list[str]]:
    """The catalogue's template each time it is rendered while the test runs."""
    seen: list[str] = []

    def note(sender: Any, template: Any, context: Any, **kwargs: Any) -> None:
        if template.name == "offers/catalogue.html":
            seen.append(template.name)

    signals.template_rendered.connect(note)
    yield seen
    signals.template_rendered.disconnect(note)


def look(client: Client, language: str = "en", **query: str) -> str:
    # The catalogue's address without a language prefix: the header chooses.
    response = client.get("/", query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def token_of(html: str) -> str:
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1, tokens
    return tokens.pop()


def test_visitors_share_one_rendering_each_with_his_own_token(
    user: User, make_offer: Callable[..., Offer], renderings: list[str]
) -> None:
    make_offer(user, title="Brass lamp")
    anna, boris = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first, second = look(anna), look(boris)
    assert renderings == ["offers/catalogue.html"]
    assert "Brass lamp" in first
    assert "Brass lamp" in second
    assert "csrfplaceholder" not in first + second
    assert token_of(first) != token_of(second)
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    # Each visitor's token is good with his own cookie: the footer's language form works.
    for client, html in ((anna, first), (boris, second)):
        answer = client.post(
            reverse("set_language"),
            {"language": "ru", "next": "/", "csrfmiddlewaretoken": token_of(html)},
        )
        assert answer.status_code == 302
    # Not with another visitor's cookie.
    stranger = Client(enforce_csrf_checks=True)
    look(stranger)
    refused = stranger.post(
        reverse("set_language"),
        {"language": "ru", "next": "/", "csrfmiddlewaretoken": token_of(first)},
    )
    assert refused.status_code == 403


def test_a_first_visit_served_from_the_cache_gets_its_csrf_cookie_and_language(
    renderings: list[str],
) -> None:
    look(Client(), "ru")
    newcomer = Client()
    response = newcomer.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert renderings == ["offers/catalogue.html"]  # served from the cache
    assert settings.CSRF_COOKIE_NAME in response.cookies
    assert response["Content-Language"] == "ru"
    assert "Cookie" in response["Vary"]


def test_a_change_shows_after_the_window_and_at_once_when_signed_in(
    user: User, other_user: User, make_offer: Callable[..., Offer], renderings: list[str]
) -> None:
    offer = make_offer(user, title="Brass lamp", price=500_00)
    travel = time_machine.travel(timezone.now(), tick=False)
    with override_settings(SHARED_PAGE_SECONDS=5), travel as traveller:
        assert "500.00" in look(Client())
        Offer.objects.filter(pk=offer.pk).update(price=777_00)
        assert "500.00" in look(Client())  # within the window: the shared page
        assert "777.00" in look(client_for(other_user))  # signed in: his own page
        assert "777.00" in look(client_for(user))  # the seller too
        traveller.shift(timedelta(seconds=6))
        assert "777.00" in look(Client())
    assert len(renderings) == 4


def test_each_language_and_each_query_is_a_page_of_its_own(
    user: User, make_offer: Callable[..., Offer], renderings: list[str]
) -> None:
    make_offer(user, title="Brass lamp", quantity_available=3)
    make_offer(user, title="Copper kettle")
    assert "3 items left" in look(Client(), "en")
    assert "Осталось 3 штуки" in look(Client(), "ru")
    lamps = look(Client(), q="lamp")
    kettles = look(Client(), q="kettle")
    assert "Brass lamp" in lamps
    assert "Copper kettle" not in lamps
    assert "Copper kettle" in kettles
    assert "Brass lamp" not in kettles
    assert len(renderings) == 4
    look(Client(), "ru")
    look(Client(), q="kettle")
    assert len(renderings) == 4


def test_a_visitor_with_a_message_gets_his_own_page(renderings: list[str]) -> None:
    look(Client())  # the shared page stored
    client = Client()
    # A notice for this visitor alone, in the messages cookie as a redirect would leave it.
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.INFO, "Your link has expired")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies.update(carrier.cookies)
    assert "Your link has expired" in look(client)
    assert len(renderings) == 2
    assert "Your link has expired" not in look(Client())  # nobody else sees it
    assert len(renderings) == 2
    # Shown once, the notice is gone: his next look is the shared page.
    assert "Your link has expired" not in look(client)
    assert len(renderings) == 2


@override_settings(SHARED_PAGE_SECONDS=0)
def test_no_window_no_sharing(renderings: list[str]) -> None:
    look(Client())
    look(Client())
    assert len(renderings) == 2


def test_addresses_with_other_parameters_are_not_stored(renderings: list[str]) -> None:
    for _ in range(2):
        look(Client(), utm_source="mail")
        look(Client(), q="lamp", junk="x")
    assert len(renderings) == 4
    for _ in range(2):
        look(Client(), q="lamp", sort="price_asc", price_min="10")
    assert len(renderings) == 5


def test_head_and_post_are_not_served_from_the_cache(renderings: list[str]) -> None:
    look(Client())
    assert Client().head("/").status_code == 200
    assert Client().post("/").status_code in {200, 405}
    assert len(renderings) == 3
