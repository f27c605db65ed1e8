"""Reads behind the customer pages; every one is limited to the signed-in customer."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from customers.models import Customer
from holds.models import Hold
from holds.selectors import holds_of_payer
from ledger.models import Account, Entry
from operations.models import Operation, OperationLeg
from operations.state import PENDING

STATEMENT_PAGE_SIZE = 25
HOLDS_PAGE_SIZE = 10
OPERATIONS_PAGE_SIZE = 25


def account_list_for_customer(customer: Customer) -> QuerySet[Account]:
    return Account.objects.filter(customer=customer, kind=Account.Kind.CUSTOMER).order_by(
        "created_at", "pk"
    )


def account_get_for_customer(customer: Customer, number: str) -> Account:
    """The customer's own account; anyone else's is as good as missing (404)."""
    account = account_list_for_customer(customer).filter(number=number).first()
    if account is None:
        raise Http404("No such account.")
    return account


def statement_page(account: Account, page_number: str | int | None) -> Page[Entry]:
    """One page of the account's entries, newest first, each with its posting."""
    entries = Entry.objects.filter(account=account).select_related("posting").order_by("-id")
    return Paginator(entries, STATEMENT_PAGE_SIZE).get_page(page_number)


def holds_page(account: Account, page_number: str | int | None) -> Page[Hold]:
    """One page of the holds on the account (as payer), newest first: how much, for whom,
    until when, and how each ended."""
    return Paginator(holds_of_payer(account), HOLDS_PAGE_SIZE).get_page(page_number)


def _operations_for_customer(customer: Customer) -> QuerySet[Operation]:
    legs = OperationLeg.objects.select_related("account__customer").order_by("position")
    return (
        Operation.objects.filter(customer=customer)
        .select_related("account")
        .prefetch_related(Prefetch("legs", queryset=legs))
        .order_by("-id")
    )


def operations_pending(customer: Customer) -> QuerySet[Operation]:
    """Operations still waiting for the customer's code or for execution."""
    return _operations_for_customer(customer).filter(status__in=PENDING)


def operations_finished_page(customer: Customer, page_number: str | int | None) -> Page[Operation]:
    finished = _operations_for_customer(customer).exclude(status__in=PENDING)
    return Paginator(finished, OPERATIONS_PAGE_SIZE).get_page(page_number)
