"""Creating operations and confirming them with emailed codes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiClient
from ledger.models import Account

from . import sealing
from .codes import codes, hash_operation_key, make_operation_key
from .errors import (
    AccountNotAvailable,
    CodeExpired,
    IdempotencyConflict,
    InvalidCode,
    OperationBlocked,
    OperationStateConflict,
    ResendTooSoon,
)
from .models import AccountLink, Operation, OperationLeg
from .selectors import linked_account_get, open_account_get, operation_get_for_client
from .tasks import send_code_email


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


def _check_failure_budget(account: Account) -> None:
    """Refuse new operations on an account whose codes were guessed wrong too often lately.

    Each operation allows five attempts per code; without this budget a thief holding the
    platform's credentials could open operations without end and keep guessing.
    """
    since = timezone.now() - timedelta(hours=24)
    blocked = Operation.objects.filter(
        account=account, status=Operation.Status.BLOCKED, finished_at__gte=since
    ).count()
    if blocked >= settings.CONFIRMATION_BLOCKED_PER_DAY:
        raise ResendTooSoon(
            "Too many wrong codes for this account today; try again tomorrow.",
            code="too_many_failures",
        )


def _issue_code(operation: Operation) -> None:
    """Generate a new code (invalidating any earlier one) and email it after commit."""
    now = timezone.now()
    code = codes.make_code()
    operation.code_sends += 1
    operation.code_hash = codes.hash_code(operation, code)
    operation.code_expires_at = now + timedelta(seconds=settings.CONFIRMATION_CODE_TTL)
    operation.code_attempts_left = settings.CONFIRMATION_CODE_ATTEMPTS
    operation.code_sent_at = now
    operation.status = Operation.Status.AWAITING_CODE
    operation.key_hash = None
    operation.save(
        update_fields=[
            "code_sends",
            "code_hash",
            "code_expires_at",
            "code_attempts_left",
            "code_sent_at",
            "status",
            "key_hash",
        ]
    )
    sealed, sends = sealing.seal(code), operation.code_sends
    # robust: the operation is committed either way; a broker outage must not turn the
    # answer into a 500. The client can ask for a resend once the broker is back.
    transaction.on_commit(lambda: send_code_email.delay(operation.pk, sealed, sends), robust=True)


def _create(
    *, client: ApiClient, idempotency_key: str, request_hash: str, legs: list[Any], **fields: Any
) -> tuple[Operation, bool]:
    existing = _existing(client, idempotency_key, request_hash)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            operation = Operation.objects.create(
                client=client,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                **fields,
            )
            OperationLeg.objects.bulk_create(
                OperationLeg(operation=operation, account=account, amount=amount, position=i)
                for i, (account, amount) in enumerate(legs)
            )
            _issue_code(operation)
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
    _check_failure_budget(account)
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
    request_hash = fingerprint(
        {
            "kind": "payment",
            "payer": payer_number,
            "amount": amount,
            "payees": [[p.account_number, p.amount] for p in payees],
            "description": description,
        }
    )
    existing = _existing(client, idempotency_key, request_hash)
    if existing is not None:
        return existing, False
    payer = linked_account_get(client=client, number=payer_number, field="payer_account")
    _check_failure_budget(payer)
    legs = []
    for i, payee in enumerate(payees):
        account = open_account_get(number=payee.account_number, field=f"payees[{i}].account")
        if account.pk == payer.pk:
            raise AccountNotAvailable("The payer cannot pay himself.", field=f"payees[{i}].account")
        legs.append((account, payee.amount))
    if payer.balance < amount:
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
        kind=Operation.Kind.PAYMENT,
        account=payer,
        customer=payer.customer,
        amount=amount,
        description=description,
    )


def code_resend(*, client: ApiClient, operation_id: str) -> Operation:
    """Send a fresh code; the old one stops working. Limited in rate and count."""
    with transaction.atomic():
        operation = operation_get_for_client(
            client=client, operation_id=operation_id, for_update=True
        )
        if operation.status != Operation.Status.AWAITING_CODE:
            raise OperationStateConflict("This operation no longer takes codes.")
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
        _issue_code(operation)
    return operation


@dataclass(frozen=True)
class Confirmation:
    operation: Operation
    key: str | None  # the payment's key, shown once; None for account links


def code_confirm(*, client: ApiClient, operation_id: str, code: str) -> Confirmation:
    """Check the code; on a match confirm the operation, else count the failed attempt.

    The attempt counter is committed before the error is raised, so wrong codes add up.
    """
    error: Exception | None = None
    key: str | None = None
    with transaction.atomic():
        operation = operation_get_for_client(
            client=client, operation_id=operation_id, for_update=True
        )
        if operation.status == Operation.Status.BLOCKED:
            raise OperationBlocked("Too many wrong codes: this operation is blocked.")
        if operation.status != Operation.Status.AWAITING_CODE:
            raise OperationStateConflict("This operation is not waiting for a code.")
        if codes.is_expired(operation):
            raise CodeExpired("The code has expired; ask for a new one.")
        if codes.check_code(operation, code):
            key = _confirm(operation)
        else:
            error = _count_failed_attempt(operation)
    if error is not None:
        raise error
    return Confirmation(operation=operation, key=key)


def _confirm(operation: Operation) -> str | None:
    now = timezone.now()
    operation.confirmed_at = now
    if operation.kind == Operation.Kind.LINK:
        AccountLink.objects.get_or_create(
            client=operation.client, account=operation.account, revoked_at=None
        )
        operation.status = Operation.Status.DONE
        operation.code_hash = None
        operation.finished_at = now
        operation.save(update_fields=["status", "code_hash", "confirmed_at", "finished_at"])
        return None
    key = make_operation_key()
    operation.key_hash = hash_operation_key(key)
    operation.status = Operation.Status.CONFIRMED
    operation.save(update_fields=["status", "key_hash", "confirmed_at"])
    return key


def _count_failed_attempt(operation: Operation) -> Exception:
    operation.code_attempts_left = max(operation.code_attempts_left - 1, 0)
    fields = ["code_attempts_left"]
    if operation.code_attempts_left == 0:
        operation.status = Operation.Status.BLOCKED
        operation.code_hash = None
        operation.finished_at = timezone.now()
        fields += ["status", "code_hash", "finished_at"]
    operation.save(update_fields=fields)
    if operation.status == Operation.Status.BLOCKED:
        return OperationBlocked("Too many wrong codes: this operation is blocked.")
    return InvalidCode(
        "The code is not right.",
        field="code",
        extra={"attempts_left": operation.code_attempts_left},
    )
