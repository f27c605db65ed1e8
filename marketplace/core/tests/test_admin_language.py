"""The marketplace's admin in Russian: every heading, label, button, filter and action reads
Russian, and the titles name the model in the case the sentence needs ("Изменить сделку",
not "Изменить сделка"). A word of English left on any admin page fails here."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from commission.models import CommissionSetting
from conftest import client_for
from deals.models import Deal, DealTransition
from deals.services import deal_create
from notifications.models import Notification
from offers.models import Category, Offer
from paylib.admin_language import (
    admin_names,
    admin_pages,
    english_words,
    phrases_shown,
    untranslated_names,
    visible_texts,
    without_permission_names,
)
from paylib.outbox.models import Message as OutboxMessage
from users.models import User

pytestmark = pytest.mark.django_db

# Latin words that are Russian admin's words too: abbreviations, the keys to hold
# ("Control", "Command" on a Mac), the English language's own name (as the language choice
# offers it), and the alternative text Django gives its yes/no icons.
ALLOWED = frozenset(
    {"API", "CSV", "ID", "IP", "Control", "Command", "Mac", "English", "True", "False"}
)
# Rows named in English by whoever made them: axes' sign-in log ("Access Log for <email>
# @ <time>", "<unknown>" for no path).
DATA = frozenset({"Access", "Log", "for", "unknown"})


@pytest.fixture
def russian_client(make_user: Callable[..., User], make_offer: Callable[..., Offer]) -> Client:
    """Staff signed in, with rows whose own words are Russian: people, an offer, a deal."""
    staff = make_user("staff@example.com", name="Сергей", is_staff=True, is_superuser=True)
    seller = make_user("seller@example.com", name="Ольга Продавцова")
    buyer = make_user("buyer@example.com", name="Олег Покупатель")
    offer = make_offer(seller, title="Велосипед", description="Почти новый", price=1234_50)
    deal_create(buyer=buyer, offer=offer, quantity=1)
    return client_for(staff)


def rows_own_words() -> frozenset[str]:
    """Words of the rows themselves, which the admin shows as they are stored: categories'
    English names and slugs (beside the Russian names), the notes the deal's history keeps
    (the system writes them in English), the keys of notifications' and outbox messages'
    JSON data."""
    texts = [f"{slug} {name}" for slug, name in Category.objects.values_list("slug", "name_en")]
    texts += DealTransition.objects.values_list("reason", flat=True)
    texts += [str(params) for params in Notification.objects.values_list("params", flat=True)]
    for message in OutboxMessage.objects.all():
        texts += [str(message.payload), message.key or "", message.kind]
    return frozenset(re.findall(r"[A-Za-z]+", " ".join(texts)))


def english_left(client: Client, url: str, data: frozenset[str]) -> list[str]:
    response = client.get("/ru" + url)
    assert response.status_code in {200, 403}, url
    if response.status_code == 403:  # a page the admin forbids (deleting a deal)
        return []
    html = without_permission_names(response.content.decode())
    assert '<html lang="ru"' in html, url
    return english_words(html, allowed=ALLOWED | DATA | data)


def test_every_admin_page_reads_russian(russian_client: Client) -> None:
    pages = admin_pages(admin.site)
    assert len(pages) > 40  # every model's pages, not the index alone
    data = rows_own_words()
    left = {url: words for url in pages if (words := english_left(russian_client, url, data))}
    assert left == {}


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/deals/deal/", "/admin/users/user/", "/admin/commission/commissionsetting/"],
)
def test_the_english_names_of_apps_and_models_are_gone(russian_client: Client, url: str) -> None:
    html = russian_client.get("/ru" + url).content.decode()
    names = admin_names(admin.site)
    assert {"Deals", "Users", "Offers", "Commission", "Settlement accounts"} <= set(names)
    assert phrases_shown(html, [*names, "Add", "Change", "Filter", "Search", "Go"]) == []


def test_every_name_of_the_marketplace_s_apps_models_and_fields_has_its_russian() -> None:
    """The names Django builds headings, columns, labels and filters from."""
    ours = [c for c in apps.get_app_configs() if c.name in settings.LOCAL_APPS]
    assert len(ours) >= 8
    assert untranslated_names(ours, allowed=frozenset({"ID", "English", "Русский"})) == []


def title(html: str) -> str:
    """The page's own title: "<the row> | Изменить сделку | <the site>" says the middle."""
    parts = html.split("<title>", 1)[1].split("</title>", 1)[0].split("|")
    return parts[-2].strip()


def test_titles_name_the_model_in_the_accusative(russian_client: Client) -> None:
    deal = Deal.objects.get()
    setting = CommissionSetting.objects.get()
    offer = Offer.objects.get()
    pages = {
        f"/ru/admin/deals/deal/{deal.pk}/change/": "Изменить сделку",
        "/ru/admin/deals/deal/": "Выберите сделку для изменения",
        f"/ru/admin/commission/commissionsetting/{setting.pk}/change/": (
            "Изменить настройку комиссии"
        ),
        "/ru/admin/offers/category/add/": "Добавить категорию",
        "/ru/admin/users/user/": "Выберите пользователя для изменения",
        f"/ru/admin/offers/offer/{offer.pk}/change/": "Изменить предложение",
    }
    seen = {url: title(russian_client.get(url).content.decode()) for url in pages}
    assert seen == pages


def test_the_delete_pages_read_as_russian_sentences(russian_client: Client) -> None:
    """Django's delete pages put the model's nominative where Russian needs another case
    ("удалить категория"): the sentences name it apart instead."""
    category = Offer.objects.get().category  # an offer of it protects it
    seller = Offer.objects.get().seller
    single = russian_client.get(f"/ru/admin/offers/category/{category.pk}/delete/")
    selected = russian_client.post(
        "/ru/admin/users/user/",
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [str(seller.pk)]},
    )
    texts = []
    for response in (single, selected):
        assert response.status_code == 200
        texts.append(" ".join(visible_texts(response.content.decode())))
    assert "Удаление невозможно: категория" in texts[0]
    assert f"Чтобы удалить объект «{category}» (категория), пришлось бы удалить" in texts[0]
    assert "Чтобы удалить выбранные объекты (пользователь)" in texts[1]
    for text in texts:
        for wrong in ("удалить категория", "удалить пользователь", "Удаление выбранной"):
            assert wrong not in text
