"""The staff's admin for the ledger: deposits, blocking, opening accounts, read-only books."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from ledger.models import Account, Entry, Posting
from ledger.selectors import ledger_violations
from paylib.accounts import is_valid_account_number

pytestmark = pytest.mark.django_db


def deposit_url(account: Account) -> str:
    return reverse("admin:ledger_account_deposit", args=[account.pk])


def deposit(client: Client, account: Account, amount: str, **extra: str) -> Any:
    form = client.get(deposit_url(account))
    assert form.status_code == 200
    token = form.context["form"].initial["token"]
    data = {"amount": amount, "description": "Cash at the desk", "token": token, **extra}
    return client.post(deposit_url(account), data)


@pytest.mark.smoke
def test_deposit_posts_a_balanced_posting_and_raises_the_balance(
    admin_client_: Client, staff: Customer, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=10_00)
    response = deposit(admin_client_, account, "1 250,50")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:ledger_account_change", args=[account.pk])
    account.refresh_from_db()
    assert account.balance == 1_260_50
    posting = Posting.objects.latest("id")
    assert posting.kind == Posting.Kind.DEPOSIT
    assert posting.created_by == staff
    assert posting.description == "Cash at the desk"
    assert sorted(e.amount for e in posting.entries.all()) == [-1_250_50, 1_250_50]
    assert ledger_violations() == []


def test_deposit_link_is_on_the_account_page(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account()
    page = admin_client_.get(reverse("admin:ledger_account_change", args=[account.pk]))
    assert deposit_url(account) in page.content.decode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter a number, for example 1250.00."),
        ("12.345", "Use at most two decimal places."),
        ("0", "The amount must be greater than zero."),
        ("-5", "The amount must be greater than zero."),
        ("", "This field is required."),
        ("2000000000", "The amount is too large."),
    ],
)
def test_bad_deposit_amount_shows_a_form_error_and_changes_nothing(
    admin_client_: Client, make_account: Callable[..., Account], amount: str, message: str
) -> None:
    account = make_account(balance=10_00)
    postings = Posting.objects.count()
    response = deposit(admin_client_, account, amount)
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [message]
    account.refresh_from_db()
    assert account.balance == 10_00
    assert Posting.objects.count() == postings


def test_the_same_deposit_form_sent_twice_deposits_once(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account()
    token = admin_client_.get(deposit_url(account)).context["form"].initial["token"]
    data = {"amount": "100", "description": "", "token": token}
    assert admin_client_.post(deposit_url(account), data).status_code == 302
    again = admin_client_.post(deposit_url(account), data)
    assert again.status_code == 200
    assert "already sent" in again.content.decode()
    account.refresh_from_db()
    assert account.balance == 100_00


def test_deposit_to_a_blocked_account_is_refused(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=5_00)
    Account.objects.filter(pk=account.pk).update(status=Account.Status.BLOCKED)
    token = admin_client_.get(deposit_url(account)).context["form"].initial["token"]
    data = {"amount": "100", "description": "", "token": token}
    refused = admin_client_.post(deposit_url(account), data)
    assert refused.status_code == 200
    assert "This account is blocked" in refused.content.decode()
    account.refresh_from_db()
    assert account.balance == 5_00
    # The refused form can be sent again once the account is unblocked.
    Account.objects.filter(pk=account.pk).update(status=Account.Status.OPEN)
    assert admin_client_.post(deposit_url(account), data).status_code == 302
    account.refresh_from_db()
    assert account.balance == 105_00


def test_deposit_needs_staff(
    signed_in: Callable[[Customer], Client], make_account: Callable[..., Account]
) -> None:
    account = make_account()
    client = signed_in(account.customer)
    response = client.post(deposit_url(account), {"amount": "100", "token": "x"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    account.refresh_from_db()
    assert account.balance == 0


def test_block_and_unblock_actions_change_the_status(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account()
    url = reverse("admin:ledger_account_changelist")
    data = {"action": "block_accounts", "_selected_action": [account.pk]}
    assert admin_client_.post(url, data).status_code == 302
    account.refresh_from_db()
    assert account.status == Account.Status.BLOCKED
    data["action"] = "unblock_accounts"
    admin_client_.post(url, data)
    account.refresh_from_db()
    assert account.status == Account.Status.OPEN


def test_staff_open_an_account_with_a_valid_generated_number(
    admin_client_: Client, make_customer: Callable[..., Customer], settings: Any
) -> None:
    customer = make_customer()
    data = {"customer": customer.pk, "holder": "company", "name": "Business"}
    response = admin_client_.post(reverse("admin:ledger_account_add"), data)
    assert response.status_code == 302
    account = Account.objects.get(customer=customer)
    assert account.name == "Business"
    assert account.number.startswith("40702")
    assert is_valid_account_number(account.number, bik=settings.BANK_BIK)


def test_account_balance_cannot_be_edited(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=10_00)
    url = reverse("admin:ledger_account_change", args=[account.pk])
    data = {"name": "Renamed", "balance": "999999", "status": "open"}
    assert admin_client_.post(url, data).status_code == 302
    account.refresh_from_db()
    assert (account.name, account.balance) == ("Renamed", 10_00)


@pytest.mark.parametrize("model", ["posting", "entry"])
def test_postings_and_entries_are_read_only(
    admin_client_: Client, make_account: Callable[..., Account], model: str
) -> None:
    make_account(balance=10_00)
    obj = (Posting if model == "posting" else Entry).objects.latest("id")
    change_url = reverse(f"admin:ledger_{model}_change", args=[obj.pk])
    assert admin_client_.get(change_url).status_code == 200
    assert admin_client_.get(reverse(f"admin:ledger_{model}_add")).status_code == 403
    assert admin_client_.post(change_url, {"description": "x"}).status_code == 403
    delete_url = reverse(f"admin:ledger_{model}_delete", args=[obj.pk])
    assert admin_client_.post(delete_url, {"post": "yes"}).status_code == 403
    assert Entry.objects.count() == 2


def test_posting_page_shows_its_entries(
    admin_client_: Client, make_account: Callable[..., Account]
) -> None:
    account = make_account(balance=12_34)
    posting = Posting.objects.latest("id")
    page = admin_client_.get(reverse("admin:ledger_posting_change", args=[posting.pk]))
    html = page.content.decode()
    assert account.number in html
    assert "12.34\u00a0₽" in html


def test_deposit_to_a_missing_account_is_not_found(admin_client_: Client) -> None:
    assert admin_client_.get("/admin/ledger/account/abc/deposit/").status_code == 404
    assert admin_client_.get("/admin/ledger/account/0/deposit/").status_code == 404
