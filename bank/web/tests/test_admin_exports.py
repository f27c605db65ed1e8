"""The bank's admin for staff: CSV exports with amounts in roubles and a BOM, amounts in
roubles on the pages, the site named by the service, Russian titles in the right case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from api.models import ApiClient
from api.tests.hold_helpers import placed_hold
from conftest import SignedClient
from customers.models import Customer
from holds.models import Hold
from ledger.models import Account, Entry

pytestmark = pytest.mark.django_db


def export(client: Client, model: str, pks: list[Any], prefix: str = "") -> tuple[str, list[str]]:
    response = client.post(
        prefix + reverse(f"admin:{model}_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return response["Content-Disposition"], body[1:].splitlines()


def rows(lines: list[str], delimiter: str = ",") -> list[dict[str, str]]:
    header = lines[0].split(delimiter)
    return [dict(zip(header, line.split(delimiter), strict=True)) for line in lines[1:]]


def test_accounts_export_in_roubles(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=1_234_50)
    disposition, lines = export(admin_client_, "ledger_account", [account.pk])
    assert disposition.startswith('attachment; filename="accounts-20')
    assert disposition.endswith('.csv"')
    (row,) = rows(lines)
    assert row["number"] == account.number
    assert (row["balance_rub"], row["held_rub"], row["available_rub"]) == (
        "1234.50",
        "0.00",
        "1234.50",
    )


def test_entries_export_in_russian_for_russian_spreadsheets(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=99_05)
    entry = Entry.objects.get(account=account)
    url_prefix = "/ru"
    _disposition, lines = export(admin_client_, "ledger_entry", [entry.pk], url_prefix)
    (row,) = rows(lines, ";")
    assert (row["amount_rub"], row["balance_after_rub"]) == ("99,05", "99,05")
    assert row["account__number"] == account.number


def test_holds_export_in_roubles(
    admin_client_: Client,
    api: SignedClient,
    platform: tuple[ApiClient, str],
    make_account: Callable[..., Account],
) -> None:
    parties = {
        "payer": make_account(balance=10_000_00, link_to=platform[0]),
        "seller": make_account(),
        "platform": make_account(),
    }
    placed_hold(api, parties, key="admin-export-hold")
    hold = Hold.objects.get()
    disposition, lines = export(admin_client_, "holds_hold", [hold.pk])
    assert 'filename="holds-' in disposition
    (row,) = rows(lines)
    assert row["amount_rub"] == f"{hold.amount // 100}.{hold.amount % 100:02d}"
    assert row["status"] == "pending"


@pytest.mark.parametrize("model", ["ledger_posting", "operations_operation"])
def test_postings_and_operations_export_too(
    admin_client_: Client,
    make_account: Callable[..., Account],
    platform: tuple[ApiClient, str],
    model: str,
) -> None:
    from django.apps import apps

    from operations.services import link_request

    account = make_account(balance=5_00)
    link_request(client=platform[0], account_number=account.number, idempotency_key="export-1")

    pks = list(apps.get_model(model.replace("_", ".", 1)).objects.values_list("pk", flat=True))
    _disposition, lines = export(admin_client_, model, pks)
    assert len(lines) == len(pks) + 1


def test_an_account_page_shows_money_in_roubles(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=1_234_50)
    page = admin_client_.get(reverse("admin:ledger_account_change", args=[account.pk]))
    html = page.content.decode()
    assert "1,234.50\u00a0₽" in html
    assert "123450" not in html


def test_the_admin_is_titled_by_the_service_and_speaks_russian_cases(
    admin_client_: Client, staff: Customer, make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer()
    change = reverse("admin:customers_customer_change", args=[customer.pk])
    listing = reverse("admin:customers_customer_changelist")
    index = reverse("admin:index")
    assert "Bank — administration" in admin_client_.get(index).content.decode()
    russian = admin_client_.get("/ru" + index).content.decode()
    assert "Банк — администрирование" in russian
    assert "Django" not in russian
    assert "Изменить клиента" in admin_client_.get("/ru" + change).content.decode()
    ru_list = admin_client_.get("/ru" + listing).content.decode()
    assert "Выберите клиента для изменения" in ru_list
    assert "Добавить клиента" in ru_list


def test_customers_cannot_export(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=1_00)
    assert account.customer is not None
    response = signed_in(account.customer).post(
        reverse("admin:ledger_account_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(account.pk)]},
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_deleting_customers_is_worded_for_people_and_other_models_keep_djangos_words(
    admin_client_: Client, make_customer: Callable[..., Customer]
) -> None:
    from django.contrib.auth.models import Group

    make_customer()
    Group.objects.create(name="Tellers")
    customers = reverse("admin:customers_customer_changelist")
    groups = reverse("admin:auth_group_changelist")
    ru_customers = admin_client_.get("/ru" + customers).content.decode()
    assert "Удалить выбранных клиентов" in ru_customers
    ru_groups = admin_client_.get("/ru" + groups).content.decode()
    assert "Удалить выбранные группы" in ru_groups
    assert "Выберите группу для изменения" in ru_groups
    english = admin_client_.get(customers).content.decode()
    assert "Delete selected customers" in english
