"""Creating operations, sending their codes and checking them.

Lock order everywhere: the operation's row, then the payer account's ``CodeBudget`` row
(``operations.budget``); execution locks the operation, then the ledger's accounts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiClient
from customers.models import Customer
from ledger.models import Account
from paylib.outbox.services import enqueue

from . import sealing
from .budget import (
    budget_lock,
    check_client_allowed,
    check_code_email_allowed,
    check_codes_allowed,
    code_sent_record,
)
from .codes import codes
from .confirmation import code_accept, code_reject, refuse_unless_awaiting_code
from .effects import CODE_EMAIL
from .errors import (
    AccountNotAvailable,
    CodeExpired,
    IdempotencyConflict,
    LinkNotFound,
    OperationStateConflict,
    ResendTooSoon,
)
from .models import AccountLink, CodeBudget, Operation, OperationLeg
from .selectors import linked_account_get, open_account_get, operation_get_for_client


@dataclass(frozen=True)
class Payee:
    account_number: str
    amount: int


def fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _existing(client: ApiClient, idempotency_key: str, request_hash: str) -> Operation | None:
    operation = Operation.objects.filter(client=client, idempotency_key=idempotency_key).first()
    if operation is not None and operation.request_hash != request_hash:
        raise IdempotencyConflict(
            "This idempotency key was already used with different data.",
            field="idempotency_key",
        )
    return operation


def _issue_code(operation: Operation, budget: CodeBudget) -> None:
    """Generate a new code (invalidating any earlier one) and record its email.

    Call holding the operation's row lock (if it exists already), then ``budget``'s.
    """
    now = timezone.now()
    check_codes_allowed(budget, now)
    check_code_email_allowed(budget, operation, now)
    code = codes.make_code()
    operation.code_sends += 1
    operation.code_hash = codes.hash_code(operation, code)
    operation.code_expires_at = now + timedelta(seconds=settings.CONFIRMATION_CODE_TTL)
    operation.code_attempts_left = settings.CONFIRMATION_CODE_ATTEMPTS
    operation.code_sent_at = now
    operation.save(
        update_fields=[
            "code_sends",
            "code_hash",
            "code_expires_at",
            "code_attempts_left",
            "code_sent_at",
        ]
    )
    code_sent_record(budget, operation, now)
    # The email is recorded with the code it carries (sealed, and scrubbed once sent) in
    # this transaction: a broker outage delays it, nothing loses it.
    enqueue(
        CODE_EMAIL,
        {"operation": operation.pk, "sends": operation.code_sends, "sealed": sealing.seal(code)},
        key=f"code:{operation.pk}:{operation.code_sends}",
    )


def _create(
    *,
    client: ApiClient,
    idempotency_key: str,
    request_hash: str,
    legs: list[Any],
    account: Account,
    **fields: Any,
) -> tuple[Operation, bool]:
    existing = _existing(client, idempotency_key, request_hash)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            budget = budget_lock(account)
            operation = Operation.objects.create(
                client=client,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                account=account,
                **fields,
            )
            OperationLeg.objects.bulk_create(
                OperationLeg(operation=operation, account=payee, amount=amount, position=i)
                for i, (payee, amount) in enumerate(legs)
            )
            _issue_code(operation, budget)
    except IntegrityError:
        # Two identical requests raced; the other one created the operation.
        existing = _existing(client, idempotency_key, request_hash)
        if existing is None:
            raise
        return existing, False
    return operation, True


def link_request(
    *, client: ApiClient, account_number: str, idempotency_key: str
) -> tuple[Operation, bool]:
    """Ask the account's owner, by emailed code, to let ``client`` use the account."""
    request_hash = fingerprint({"kind": "link", "account": account_number})
    existing = _existing(client, idempotency_key, request_hash)
    if existing is not None:
        return existing, False
    account = open_account_get(number=account_number, field="account")
    return _create(
        client=client,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        legs=[],
        kind=Operation.Kind.LINK,
        account=account,
        customer=account.customer,
        description="Account link",
    )


def link_revoke(*, client: ApiClient, account_number: str) -> None:
    """Stop letting ``client`` use the account; payments from it are refused from now on."""
    with transaction.atomic():
        AccountLink.objects.filter(
            client=client, account__number=account_number, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())


def link_revoke_by_owner(*, customer: Customer, link_id: int) -> bool:
    """The account's owner stops letting a platform use it; False if it was revoked already.

    Another customer's link is as good as missing (``LinkNotFound``, a 404).
    """
    with transaction.atomic():
        link = (
            AccountLink.objects.select_for_update()
            .filter(pk=link_id, account__customer=customer, account__kind=Account.Kind.CUSTOMER)
            .first()
        )
        if link is None:
            raise LinkNotFound("No such link.")
        if link.revoked_at is not None:
            return False
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return True


def payment_request(
    *,
    client: ApiClient,
    payer_number: str,
    payees: list[Payee],
    amount: int,
    description: str,
    idempotency_key: str,
) -> tuple[Operation, bool]:
    """Create a payment operation and email its owner the code that confirms it."""
    return money_request(
        kind=Operation.Kind.PAYMENT,
        client=client,
        payer_number=payer_number,
        payees=payees,
        amount=amount,
        description=description,
        idempotency_key=idempotency_key,
    )


def money_request(
    *,
    kind: str,
    client: ApiClient,
    payer_number: str,
    payees: list[Payee],
    amount: int,
    description: str,
    idempotency_key: str,
    hold_until: datetime | None = None,
) -> tuple[Operation, bool]:
    """Create a payment or a hold request (``operations.hold_requests``): the payer's
    account linked to ``client``, the payees' open, the available balance enough; then the
    owner is emailed the code. A repeat of the key with the same data finds the operation."""
    data = {
        "kind": kind,
        "payer": payer_number,
        "amount": amount,
        "payees": [[p.account_number, p.amount] for p in payees],
        "description": description,
    }
    if hold_until is not None:
        data["hold_until"] = hold_until.astimezone(UTC).isoformat()
    request_hash = fingerprint(data)
    existing = _existing(client, idempotency_key, request_hash)
    if existing is not None:
        return existing, False
    payer = linked_account_get(client=client, number=payer_number, field="payer_account")
    legs = []
    for i, payee in enumerate(payees):
        account = open_account_get(number=payee.account_number, field=f"payees[{i}].account")
        if account.pk == payer.pk:
            raise AccountNotAvailable("The payer cannot pay himself.", field=f"payees[{i}].account")
        legs.append((account, payee.amount))
    if payer.available < amount:  # held money cannot pay, nor be held again
        raise AccountNotAvailable(
            "The balance does not cover this amount.",
            code="insufficient_funds",
            field="payer_account",
        )
    return _create(
        client=client,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        legs=legs,
        kind=kind,
        account=payer,
        customer=payer.customer,
        amount=amount,
        description=description,
        hold_until=hold_until,
    )


def code_resend(*, client: ApiClient, operation_id: str) -> Operation:
    """Send a fresh code; the old one stops working. Limited in rate and count, and by the
    account's budgets: a new code forgives no wrong one."""
    with transaction.atomic():
        operation = operation_get_for_client(
            client=client, operation_id=operation_id, for_update=True
        )
        refuse_unless_awaiting_code(operation)
        now = timezone.now()
        interval = timedelta(seconds=settings.CONFIRMATION_CODE_RESEND_INTERVAL)
        if operation.code_sent_at and now < operation.code_sent_at + interval:
            wait = int((operation.code_sent_at + interval - now).total_seconds()) + 1
            raise ResendTooSoon(
                "A code was sent moments ago; wait before asking again.",
                extra={"retry_after": wait},
            )
        if operation.code_sends >= settings.CONFIRMATION_CODE_MAX_SENDS:
            raise OperationStateConflict(
                "No more codes can be sent for this operation.", code="resend_limit"
            )
        _issue_code(operation, budget_lock(operation.account))
    return operation


@dataclass(frozen=True)
class Confirmation:
    operation: Operation
    key: str | None  # the payment's key, shown once; None for account links


def code_confirm(*, client: ApiClient, operation_id: str, code: str) -> Confirmation:
    """Check the code; on a match confirm the operation, else count the wrong code.

    No code is checked while the account's budget of wrong codes is spent, nor while the
    client's is and this account had its few wrong codes from the client (``budget``).
    The count is committed before the error is raised, so wrong codes add up.
    """
    error: Exception | None = None
    key: str | None = None
    with transaction.atomic():
        operation = operation_get_for_client(
            client=client, operation_id=operation_id, for_update=True
        )
        refuse_unless_awaiting_code(operation)
        if codes.is_expired(operation):
            raise CodeExpired("The code has expired; ask for a new one.")
        budget = budget_lock(operation.account)
        now = timezone.now()
        check_codes_allowed(budget, now)
        check_client_allowed(client, budget, now)
        if codes.check_code(operation, code):
            key = code_accept(operation)
        else:
            error = code_reject(operation, budget, now)
    if error is not None:
        raise error
    return Confirmation(operation=operation, key=key)
