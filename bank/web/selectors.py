"""Reads behind the customer pages; every one is limited to the signed-in customer."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Func, Prefetch, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.http import Http404

from customers.models import Customer
from holds.models import Hold
from holds.selectors import holds_of_payer
from ledger.models import Account, Entry
from operations.models import AccountLink, Operation, OperationLeg
from operations.state import PENDING
from paylib.sqlite_fold import Fold, fold

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


def statement_entries(
    account: Account,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    search: str = "",
) -> QuerySet[Entry]:
    """The account's entries, newest first, each with its posting: those posted from
    ``date_from`` to ``date_to`` (both included, in the bank's time zone) whose
    description contains ``search`` (any case, Cyrillic too, and ё as its plain letter)."""
    entries = Entry.objects.filter(account=account).select_related("posting").order_by("-id")
    if date_from is not None:
        entries = entries.filter(posting__created_at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(posting__created_at__date__lte=date_to)
    if search:
        entries = entries.alias(described=_folded("posting__description")).filter(
            described__contains=fold(search) or ""
        )
    return entries


def _folded(field: str) -> Func:
    """``field`` folded as ``paylib.sqlite_fold.fold`` folds the text looked for: SQLite's
    own LOWER knows only ASCII letters."""
    if connection.vendor == "sqlite":
        return Fold(field)
    return Replace(Lower(field), Value("ё"), Value("е"))


def statement_page(entries: QuerySet[Entry], page_number: str | int | None) -> Page[Entry]:
    """One page of a statement's entries (``statement_entries``)."""
    return Paginator(entries, STATEMENT_PAGE_SIZE).get_page(page_number)


def holds_page(account: Account, page_number: str | int | None) -> Page[Hold]:
    """One page of the holds on the account (as payer), newest first: how much, for whom,
    until when, and how each ended."""
    return Paginator(holds_of_payer(account), HOLDS_PAGE_SIZE).get_page(page_number)


def links_of_customer(customer: Customer) -> QuerySet[AccountLink]:
    """The platforms that may use the customer's accounts now, by account, oldest first."""
    return (
        AccountLink.objects.filter(
            account__customer=customer,
            account__kind=Account.Kind.CUSTOMER,
            revoked_at__isnull=True,
        )
        .select_related("client", "account")
        .order_by("account__created_at", "account_id", "created_at", "pk")
    )


def link_get_for_customer(customer: Customer, link_id: int) -> AccountLink:
    """A live link of the customer's own account; anyone else's is as good as missing."""
    link = links_of_customer(customer).filter(pk=link_id).first()
    if link is None:
        raise Http404("No such link.")
    return link


def link_requests_pending(customer: Customer) -> QuerySet[Operation]:
    """Platforms' requests to use one of the customer's accounts, awaiting his code."""
    return operations_pending(customer).filter(kind=Operation.Kind.LINK).select_related("client")


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
