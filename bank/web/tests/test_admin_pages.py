"""Every admin page loads for staff; operations are read-only; API secrets are shown once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from api.models import ApiClient
from api.services import derive_secret, secret_fingerprint
from customers.models import Customer
from ledger.models import Account
from operations.models import AccountLink, Operation, OperationLeg

pytestmark = pytest.mark.django_db

BANK_APPS = {"customers", "ledger", "operations", "api"}
BANK_MODELS = sorted(
    f"{model._meta.app_label}_{model._meta.model_name}"
    for model in admin.site._registry
    if model._meta.app_label in BANK_APPS
)


@pytest.fixture
def operation(platform: tuple[ApiClient, str], make_account: Callable[..., Account]) -> Operation:
    payer, payee = make_account(balance=500_00, link_to=platform[0]), make_account()
    operation = Operation.objects.create(
        client=platform[0],
        idempotency_key="k1",
        request_hash="r" * 64,
        kind=Operation.Kind.PAYMENT,
        account=payer,
        customer=payer.customer,
        amount=300_00,
        code_hash="c0dehash" * 8,
        key_hash="5ec7e7" * 10,
    )
    OperationLeg.objects.create(operation=operation, account=payee, amount=300_00, position=0)
    return operation


def test_every_bank_model_is_in_the_admin() -> None:
    assert BANK_MODELS == [
        "api_apiclient",
        "customers_customer",
        "ledger_account",
        "ledger_entry",
        "ledger_posting",
        "operations_accountlink",
        "operations_codebudget",
        "operations_codeevent",
        "operations_operation",
    ]


@pytest.mark.parametrize("model", BANK_MODELS)
def test_changelist_loads_with_data_and_a_search(
    admin_client_: Client, operation: Operation, model: str
) -> None:
    url = reverse(f"admin:{model}_changelist")
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.get(url, {"q": "40817"}).status_code == 200
    assert admin_client_.get(url, {"q": "not-a-uuid"}).status_code == 200


@pytest.mark.parametrize("model", ["api_apiclient", "customers_customer", "ledger_account"])
def test_add_pages_load(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(reverse(f"admin:{model}_add")).status_code == 200


def test_customer_page_loads_with_accounts(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=7_00)
    url = reverse("admin:customers_customer_change", args=[account.customer.pk])
    html = admin_client_.get(url).content.decode()
    assert account.number in html
    assert "7.00\u00a0₽" in html


def test_non_staff_customer_cannot_open_the_admin(
    signed_in: Callable[[Customer], Client], make_customer: Callable[..., Customer]
) -> None:
    response = signed_in(make_customer()).get(reverse("admin:ledger_account_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_add_a_customer_with_a_password(admin_client_: Client) -> None:
    data = {
        "email": "New.Person@Example.com",
        "full_name": "New Person",
        "language": "ru",
        "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-42",
    }
    response = admin_client_.post(reverse("admin:customers_customer_add"), data)
    assert response.status_code == 302
    customer = Customer.objects.get(email="new.person@example.com")
    assert customer.check_password("a-long-passphrase-42")
    assert (customer.full_name, customer.language) == ("New Person", "ru")


def test_a_second_customer_with_the_same_email_is_refused(
    admin_client_: Client, make_customer: Callable[..., Customer]
) -> None:
    make_customer(email="anna@example.com")
    data = {
        "email": "ANNA@example.com",
        "full_name": "Anna",
        "language": "en",
        "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-42",
    }
    response = admin_client_.post(reverse("admin:customers_customer_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]
    assert Customer.objects.filter(email__iexact="anna@example.com").count() == 1


def test_operation_is_read_only_and_never_shows_hashes(
    admin_client_: Client, operation: Operation
) -> None:
    change_url = reverse("admin:operations_operation_change", args=[operation.pk])
    page = admin_client_.get(change_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "300.00\u00a0₽" in html
    assert "c0dehash" not in html
    assert "5ec7e7" not in html
    assert admin_client_.get(reverse("admin:operations_operation_add")).status_code == 403
    assert admin_client_.post(change_url, {"status": "done"}).status_code == 403
    delete_url = reverse("admin:operations_operation_delete", args=[operation.pk])
    assert admin_client_.post(delete_url, {"post": "yes"}).status_code == 403
    operation.refresh_from_db()
    assert operation.status == Operation.Status.AWAITING_CODE


def test_account_links_are_read_only(admin_client_: Client, operation: Operation) -> None:
    link = AccountLink.objects.get()
    url = reverse("admin:operations_accountlink_change", args=[link.pk])
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.post(url, {"revoked_at": "2020-01-01 00:00"}).status_code == 403


def test_adding_an_api_client_shows_its_secret_once(admin_client_: Client) -> None:
    response = admin_client_.post(reverse("admin:api_apiclient_add"), {"name": "shop"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    client = ApiClient.objects.get(name="shop")
    secret = derive_secret(client_id=client.client_id, version=1)
    assert secret in response.content.decode()
    assert client.secret_hash == secret_fingerprint(secret)
    page = admin_client_.get(reverse("admin:api_apiclient_change", args=[client.pk]))
    assert secret not in page.content.decode()


def test_rotating_a_secret_asks_first_then_shows_the_new_one(
    admin_client_: Client, platform: tuple[ApiClient, str]
) -> None:
    client, old_secret = platform
    url = reverse("admin:api_apiclient_changelist")
    data = {"action": "rotate_secrets", "_selected_action": [client.pk]}
    question = admin_client_.post(url, data)
    assert question.status_code == 200
    assert "Are you sure?" in question.content.decode()
    client.refresh_from_db()
    assert client.secret_version == 1
    answer = admin_client_.post(url, {**data, "post": "yes"})
    client.refresh_from_db()
    new_secret = derive_secret(client_id=client.client_id, version=2)
    assert client.secret_version == 2
    assert client.secret_hash == secret_fingerprint(new_secret)
    assert new_secret in answer.content.decode()
    assert old_secret not in answer.content.decode()


def test_revoking_a_client_asks_first(
    admin_client_: Client, platform: tuple[ApiClient, str]
) -> None:
    client = platform[0]
    url = reverse("admin:api_apiclient_changelist")
    data = {"action": "revoke_clients", "_selected_action": [client.pk]}
    assert admin_client_.post(url, data).status_code == 200
    client.refresh_from_db()
    assert client.is_active
    assert admin_client_.post(url, {**data, "post": "yes"}).status_code == 302
    client.refresh_from_db()
    assert not client.is_active
    assert client.revoked_at is not None
