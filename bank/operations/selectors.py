from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from api.models import ApiClient
from customers.models import Customer
from ledger.models import Account

from .errors import AccountNotAvailable, OperationNotFound
from .models import AccountLink, CodeEvent, Operation


def operation_get_for_client(
    *, client: ApiClient, operation_id: uuid.UUID | str, for_update: bool = False
) -> Operation:
    """The client's own operation; another client's is as good as missing (404)."""
    queryset: QuerySet[Operation] = Operation.objects.select_related("account", "customer")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=operation_id, client=client)
    except (Operation.DoesNotExist, ValueError, ValidationError):
        raise OperationNotFound("No such operation.") from None


def operation_get_for_customer(
    *, customer: Customer, operation_id: uuid.UUID | str, for_update: bool = False
) -> Operation:
    """The customer's own operation; anyone else's, staff's included, is missing (404)."""
    queryset: QuerySet[Operation] = Operation.objects.select_related("account")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=operation_id, customer=customer)
    except (Operation.DoesNotExist, ValueError, ValidationError):
        raise OperationNotFound("No such operation.") from None


def linked_account_get(*, client: ApiClient, number: str, field: str = "account") -> Account:
    """An open customer account that its owner has linked to ``client``."""
    link = (
        AccountLink.objects.select_related("account")
        .filter(client=client, account__number=number, revoked_at__isnull=True)
        .first()
    )
    if link is None or link.account.kind != Account.Kind.CUSTOMER:
        raise AccountNotAvailable("This account is not linked to your platform.", field=field)
    if not link.account.is_open:
        raise AccountNotAvailable("This account is blocked.", field=field, code="account_blocked")
    return link.account


def open_account_get(*, number: str, field: str) -> Account:
    account = Account.objects.filter(number=number, kind=Account.Kind.CUSTOMER).first()
    if account is None:
        raise AccountNotAvailable("No such account at this bank.", field=field)
    if not account.is_open:
        raise AccountNotAvailable("This account is blocked.", field=field, code="account_blocked")
    return account


def budget_window() -> timedelta:
    return timedelta(seconds=settings.CONFIRMATION_BUDGET_WINDOW)


def _counted(kind: str, now: datetime) -> QuerySet[CodeEvent]:
    """Code events that count against their account's budgets at ``now``: those of the last
    ``CONFIRMATION_BUDGET_WINDOW``, and none from before its owner last lifted a block."""
    return CodeEvent.objects.filter(kind=kind, created_at__gte=now - budget_window()).filter(
        created_at__gte=F("account__code_budget__window_from")
    )


def wrong_codes_counted(now: datetime) -> QuerySet[CodeEvent]:
    return _counted(CodeEvent.Kind.WRONG, now)


def unused_link_codes_counted(now: datetime) -> QuerySet[CodeEvent]:
    """Codes sent for link requests that were never confirmed: anyone who knows an account's
    number can ask for those. Payment and hold codes come from a link the owner approved."""
    return _counted(CodeEvent.Kind.SENT, now).filter(
        operation__kind=Operation.Kind.LINK, operation__confirmed_at__isnull=True
    )


def _over(events: QuerySet[CodeEvent], accounts: list[int], limit: int) -> set[int]:
    return set(
        events.filter(account__in=accounts)
        .values("account")
        .annotate(n=Count("pk"))
        .filter(n__gte=limit)
        .values_list("account", flat=True)
    )


def accounts_codes_blocked(accounts: Iterable[Account]) -> set[int]:
    """Which of ``accounts`` take no codes now: too many wrong codes lately."""
    now, ids = timezone.now(), [account.pk for account in accounts]
    return _over(wrong_codes_counted(now), ids, settings.CONFIRMATION_WRONG_CODES_PER_ACCOUNT)


def accounts_link_requests_limited(accounts: Iterable[Account]) -> set[int]:
    """Which of ``accounts`` are sent no link-request codes now: too many went unused."""
    now, ids = timezone.now(), [account.pk for account in accounts]
    limit = settings.CONFIRMATION_UNUSED_CODES_PER_ACCOUNT
    return _over(unused_link_codes_counted(now), ids, limit)
