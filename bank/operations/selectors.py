from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from api.models import ApiClient
from ledger.models import Account

from .errors import AccountNotAvailable, OperationNotFound
from .models import AccountLink, Operation


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
