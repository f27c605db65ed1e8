"""The bank's admin in Russian: every heading, label, button, filter and action reads
Russian. A word of English left on any admin page fails here, with the page it is on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import Client

from api.services import api_client_create
from customers.models import Customer
from ledger.services import account_open, deposit_create
from operations.models import AccountLink, Operation, OperationLeg
from paylib.admin_language import (
    admin_names,
    admin_pages,
    english_words,
    phrases_shown,
    untranslated_names,
    without_permission_names,
)

pytestmark = pytest.mark.django_db

# Latin words that are Russian admin's words too: abbreviations, the currency's code, the
# keys to hold ("Control", "Command" on a Mac), the English language's own name (as the
# language choice offers it), and the alternative text Django gives its yes/no icons.
ALLOWED = frozenset(
    {"API", "CSV", "ID", "IP", "RUB", "Control", "Command", "Mac", "English", "True", "False"}
)
# Rows named in English by whoever made them: the bank's own cash account (its name and
# code), axes' sign-in log ("Access Log for <email> @ <time>", "<unknown>" for no path).
DATA = frozenset({"Cash", "cash", "Access", "Log", "for", "unknown"})


@pytest.fixture
def russian_client(client: Client, make_customer: Callable[..., Customer]) -> Client:
    """Staff signed in, with a row of every kind whose own words are Russian."""
    staff = make_customer(full_name="Сергей Сотрудников", is_staff=True, is_superuser=True)
    platform, _secret = api_client_create(name="Площадка")
    payer = account_open(customer=make_customer(full_name="Пётр Иванов"), name="Текущий")
    payee = account_open(customer=make_customer(full_name="Анна Смирнова"), name="Текущий")
    deposit_create(account=payer, amount=500_00, created_by=None, description="Взнос")
    AccountLink.objects.create(client=platform, account=payer)
    operation = Operation.objects.create(
        client=platform,
        idempotency_key="k1",
        request_hash="0" * 64,
        kind=Operation.Kind.PAYMENT,
        account=payer,
        customer=payer.customer,
        amount=300_00,
        code_hash="1" * 64,
        key_hash="2" * 60,
    )
    OperationLeg.objects.create(operation=operation, account=payee, amount=300_00, position=0)
    client.force_login(staff)
    return client


def english_left(client: Client, url: str) -> list[str]:
    response = client.get("/ru" + url)
    assert response.status_code in {200, 403}, url
    if response.status_code == 403:  # a page the admin forbids (a ledger row's delete)
        return []
    html = without_permission_names(response.content.decode())
    assert '<html lang="ru"' in html, url
    return english_words(html, allowed=ALLOWED | DATA)


def test_every_admin_page_reads_russian(russian_client: Client) -> None:
    pages = admin_pages(admin.site)
    assert len(pages) > 40  # every model's pages, not the index alone
    left = {url: words for url in pages if (words := english_left(russian_client, url))}
    assert left == {}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/customers/customer/",
        "/admin/ledger/account/",
        "/admin/operations/operation/",
    ],
)
def test_the_english_names_of_apps_and_models_are_gone(russian_client: Client, url: str) -> None:
    html = russian_client.get("/ru" + url).content.decode()
    names = admin_names(admin.site)
    assert {"Customers", "Operations", "API clients", "Ledger", "Holds"} <= set(names)
    assert phrases_shown(html, [*names, "Add", "Change", "Filter", "Search", "Go"]) == []


def test_every_name_of_the_bank_s_apps_models_and_fields_has_its_russian() -> None:
    """The names Django builds headings, columns, labels and filters from."""
    ours = [c for c in apps.get_app_configs() if c.name in settings.LOCAL_APPS]
    assert len(ours) >= 5
    assert untranslated_names(ours, allowed=frozenset({"ID", "English", "Русский"})) == []
