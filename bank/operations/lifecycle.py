"""Moving operations along their lifecycle: the one writer of ``Operation.status``, the
customer's decline, and the periodic end of operations nobody can finish any more."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import Customer

from .models import Operation
from .selectors import operation_get_for_customer
from .state import FINAL, FailureReason, Role, Status, lifecycle_for

logger = logging.getLogger(__name__)


def operation_transition(
    operation: Operation,
    *,
    to: Status,
    role: Role,
    reason: str = "",
    fields: Iterable[str] = (),
) -> None:
    """Move ``operation`` to ``to`` if its kind's table in ``operations.state`` allows it
    for ``role``, saving ``fields`` (already set on it by the caller) in the same write.

    Call inside ``transaction.atomic`` holding the operation's row lock (SELECT ... FOR
    UPDATE): the status is checked as the locked row has it, not as ``operation`` says.
    An operation that ends loses its code and is stamped ``finished_at``. An illegal move
    raises ``paylib.lifecycle.IllegalMove`` and changes nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("operation_transition() must run inside transaction.atomic().")
    current = (
        Operation.objects.select_for_update().values_list("status", flat=True).get(pk=operation.pk)
    )
    lifecycle_for(operation.kind).check(current, to, role)
    changed = {"status", *fields}
    operation.status = to
    if to in FINAL:
        operation.code_hash = None
        operation.finished_at = timezone.now()
        changed |= {"code_hash", "finished_at"}
    if reason:
        operation.failure_reason = reason
        changed.add("failure_reason")
    operation.save(update_fields=sorted(changed))


def execute_window_passed(operation: Operation, now: datetime) -> bool:
    """A confirmed payment must be executed within ``OPERATION_EXECUTE_WINDOW``."""
    window = timedelta(seconds=settings.OPERATION_EXECUTE_WINDOW)
    return operation.confirmed_at is not None and operation.confirmed_at + window < now


def operation_decline(*, customer: Customer, operation_id: str) -> Operation:
    """The customer says no to his pending operation: it fails for good, its code stops
    working, and the platform finds it failed (``declined``) when it asks or confirms.

    Another customer's operation is as good as missing (404); a finished one raises
    ``IllegalMove``.
    """
    with transaction.atomic():
        operation = operation_get_for_customer(
            customer=customer, operation_id=operation_id, for_update=True
        )
        operation_transition(
            operation, to=Status.FAILED, role=Role.CUSTOMER, reason=FailureReason.DECLINED
        )
    logger.info("Customer %s declined operation %s", customer.pk, operation.public_id)
    return operation


def _stale(now: datetime) -> Q:
    """Operations nobody can finish any more: confirmed ones past the execute window, and
    ones awaiting a code whose code has expired with no resend left (or that nobody asked
    to resend within ``OPERATION_AWAITING_WINDOW``)."""
    executable_since = now - timedelta(seconds=settings.OPERATION_EXECUTE_WINDOW)
    asked_since = now - timedelta(seconds=settings.OPERATION_AWAITING_WINDOW)
    confirmed = Q(status=Status.CONFIRMED, confirmed_at__lt=executable_since)
    codes_spent = Q(status=Status.AWAITING_CODE, code_expires_at__lte=now) & (
        Q(code_sends__gte=settings.CONFIRMATION_CODE_MAX_SENDS) | Q(code_sent_at__lt=asked_since)
    )
    return confirmed | codes_spent


def operations_expire_stale(*, now: datetime | None = None, limit: int = 500) -> int:
    """End the stale operations (see ``_stale``), so that the customer's list of pending
    operations is true and the platform finds them final; returns how many ended.

    Each is re-checked under its row lock; one being confirmed or executed at this moment
    is skipped and looked at again by the next run.
    """
    now = now or timezone.now()
    due = list(
        Operation.objects.filter(_stale(now)).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    ended = 0
    for pk in due:
        with transaction.atomic():
            operation = (
                Operation.objects.select_for_update(skip_locked=True)
                .filter(_stale(now), pk=pk)
                .first()
            )
            if operation is None:
                continue
            expired = operation.status == Status.CONFIRMED
            reason = FailureReason.EXPIRED if expired else FailureReason.CODE_EXPIRED
            operation_transition(operation, to=Status.FAILED, role=Role.SYSTEM, reason=reason)
            ended += 1
    if ended:
        logger.info("Ended %d stale operations", ended)
    return ended
