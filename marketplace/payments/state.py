"""The payment's lifecycle: every allowed status change, and what it does to the deal.

Nothing else writes ``Payment.status`` (a test reads the code to make sure):
``payment_move`` locks the payment's row, then its deal's (always in this order), checks
this table, writes the payment and moves the deal with it, in one transaction.
``payments.diagram`` draws the table for docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from deals.models import Deal
from deals.services import deal_transition
from deals.state import Role
from deals.state import Status as DealStatus
from paylib.errors import ApplicationError

from .models import Payment

S = Payment.Status
D = DealStatus


@dataclass(frozen=True)
class Move:
    """One allowed change: ``why`` it happens, and for each status the deal may be in at
    that moment, where the deal goes (the first is the default; none: it stays)."""

    why: str
    deal: Mapping[DealStatus, tuple[DealStatus, ...]]


#: A payment that ends before its execution frees the deal: payable again (or expired with
#: it); a deal that was cancelled or expired meanwhile stays as it is.
_ENDS_EARLY = {D.AWAITING_CODE: (D.CREATED, D.EXPIRED), D.CANCELLED: (), D.EXPIRED: ()}
#: While the buyer is between Pay and the code, the deal waits with him.
_DEAL_WAITS = {D.AWAITING_CODE: ()}

TRANSITIONS: dict[tuple[S, S], Move] = {
    (S.REQUESTING, S.AWAITING_CODE): Move("the bank emailed the code", _DEAL_WAITS),
    (S.REQUESTING, S.FAILED): Move("the bank refused", _ENDS_EARLY),
    (S.AWAITING_CODE, S.CONFIRMING): Move("a code is sent to the bank", _DEAL_WAITS),
    (S.AWAITING_CODE, S.FAILED): Move("no usable code, or the deal ended", _ENDS_EARLY),
    (S.CONFIRMING, S.AWAITING_CODE): Move("wrong or expired code", _DEAL_WAITS),
    (S.CONFIRMING, S.PROCESSING): Move("the bank gave the key", {D.AWAITING_CODE: (D.PROCESSING,)}),
    (S.CONFIRMING, S.FAILED): Move("blocked, or the confirmation was lost", _ENDS_EARLY),
    (S.PROCESSING, S.SUCCEEDED): Move("the bank moved the money", {D.PROCESSING: (D.PAID,)}),
    (S.PROCESSING, S.FAILED): Move(
        "the bank refused the execution", {D.PROCESSING: (D.PAYMENT_FAILED,)}
    ),
}

FINAL = frozenset({S.SUCCEEDED, S.FAILED})
#: Before the bank's execution: nothing can have been charged yet.
BEFORE_EXECUTION = frozenset({S.REQUESTING, S.AWAITING_CODE, S.CONFIRMING})
#: A deal in these has ended; a payment that needs it live ends with it.
_DEAL_ENDED = frozenset({D.CANCELLED, D.EXPIRED})


class IllegalPaymentMove(ApplicationError):
    """The move is not in the table (a bug, not a race: races return False)."""

    status = 409
    code = "illegal_payment_move"


def payment_move(
    *,
    payment: Payment,
    to: str,
    when: Collection[str],
    reason: str = "",
    deal_to: str | None = None,
    match: Mapping[str, Any] | None = None,
    **fields: Any,
) -> bool:
    """Move ``payment`` from one of ``when`` to ``to``, writing ``fields`` with it.

    Returns False, changing nothing, if the payment is no longer in ``when`` (or its row
    no longer ``match``es): another request or worker moved it first. If its deal has
    ended meanwhile and the move needs the deal live, the payment ends instead
    (``failed``, ``deal_cancelled`` or ``deal_expired``) and True is returned: read
    ``payment.status``. ``deal_to`` picks the deal's destination where the table offers
    a choice. ``payment`` is refreshed from the row either way.
    """
    if "status" in fields:
        raise TypeError("The status is `to`; it is not one of the fields.")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in when or any(
            getattr(locked, name) != value for name, value in (match or {}).items()
        ):
            _refresh(payment, locked, None)
            return False
        deal = Deal.objects.select_for_update().get(pk=locked.deal_id)
        source = S(locked.status)
        move = TRANSITIONS.get((source, S(to)))
        if move is None:
            raise IllegalPaymentMove(f"A payment cannot go from {source} to {to}.")
        if deal.status not in move.deal and deal.status in _DEAL_ENDED:
            to, reason, fields = S.FAILED, f"deal_{deal.status}", {}
            move = TRANSITIONS[(source, S.FAILED)]
        if deal.status not in move.deal:
            raise IllegalPaymentMove(f"A payment cannot go to {to} with its deal {deal.status}.")
        _write(locked, S(to), reason, fields)
        targets = move.deal[DealStatus(deal.status)]
        if targets:
            if deal_to is not None and deal_to not in targets:
                raise IllegalPaymentMove(f"The deal cannot go to {deal_to} with this payment.")
            deal_transition(
                deal=deal,
                to=deal_to or targets[0],
                actor=None,
                role=Role.SYSTEM,
                reason=f"payment {to}: {reason or move.why}",
            )
    _refresh(payment, locked, deal)
    return True


def _write(locked: Payment, to: S, reason: str, fields: dict[str, Any]) -> None:
    now = timezone.now()
    changed = {"status": to, **fields}
    if to == S.PROCESSING:
        changed["processing_since"] = now
    if to != S.CONFIRMING:
        changed["code_sealed"] = ""  # the code is kept only while its check is in doubt
    if to in FINAL:
        changed.update(finished_at=now, key_encrypted="")
    if to == S.FAILED:
        changed["failure_reason"] = (reason or "failed")[:64]
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*changed, "updated_at"])


def _refresh(payment: Payment, locked: Payment, deal: Deal | None) -> None:
    for field in Payment._meta.concrete_fields:
        setattr(payment, field.attname, getattr(locked, field.attname))
    if deal is not None and Payment.deal.is_cached(payment):
        payment.deal.status = deal.status
