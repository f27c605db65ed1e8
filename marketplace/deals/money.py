"""The deal's money at the bank: carrying out a due capture, release or refund, recording
what the bank did, and the periodic comparison of every deal with its hold.

Calls to the bank are outside database transactions and keyed from the deal, so a call
repeated after a lost answer (by the outbox, or by the reconciliation) finds the first
one's result. A refusal that retrying cannot mend (the hold expired, the seller's money
spent) is written on the deal or the refund for staff, and the effect is over.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from bank_client import BankError, BankRefused, HoldInfo
from banking.services import bank_call
from payments.models import Payment

from . import notices
from .models import Deal, Refund
from .services import deal_transition
from .state import HOLDING, Money, Role, Status

logger = logging.getLogger(__name__)

#: A hold ended thus answers these to a capture or a void: read it to see how.
_ENDED = frozenset({"already_captured", "already_voided", "hold_expired"})


def payment_of(deal: Deal) -> Payment | None:
    """The deal's payment whose hold the bank placed."""
    return (
        Payment.objects.filter(deal=deal, status=Payment.Status.SUCCEEDED)
        .exclude(hold_id="")
        .first()
    )


def is_settled(deal: Deal) -> bool:
    """Has the bank done what the deal's last money move made due?"""
    if deal.money_due == Money.CAPTURE:
        return deal.released_at is not None
    if deal.money_due == Money.VOID:
        return deal.returned_at is not None
    return True


def deal_money_settle(*, deal_id: int) -> str:
    """Carry out the deal's due capture or release at the bank, and record it.

    Returns ``"done"``, ``"settled"`` (nothing was due) or ``"problem"`` (refused for
    good: written on the deal). Raises ``BankError`` when the bank does not answer.
    """
    deal = Deal.objects.get(pk=deal_id)
    if is_settled(deal) or deal.bank_problem:
        return "settled"
    payment = payment_of(deal)
    if payment is None:
        _problem(deal, "no_hold")
        return "problem"
    capture = deal.money_due == Money.CAPTURE
    key = f"deal-{deal.pk}-{payment.hold_id}-{deal.money_due}"
    try:
        if capture:
            hold = bank_call(
                "hold_capture",
                lambda c: c.hold_capture(
                    hold_id=payment.hold_id, amount=deal.capture_amount, idempotency_key=key
                ),
                payment=payment,
            )
        else:
            hold = bank_call(
                "hold_void",
                lambda c: c.hold_void(hold_id=payment.hold_id, idempotency_key=key),
                payment=payment,
            )
    except BankRefused as error:
        if error.code not in _ENDED:
            _problem(deal, error.code)
            return "problem"
        hold = _read_hold(payment)
    return _record(deal, hold)


def _read_hold(payment: Payment) -> HoldInfo:
    return bank_call("hold_get", lambda c: c.hold_get(hold_id=payment.hold_id), payment=payment)


def _record(deal: Deal, hold: HoldInfo) -> str:
    """Write what the hold's end gave: to the payees, back to the buyer."""
    wanted = "captured" if deal.money_due == Money.CAPTURE else ("voided", "expired")
    if hold.status not in wanted:
        _problem(deal, f"hold_{hold.status}")
        return "problem"
    at = hold.resolved_at or timezone.now()
    changes: dict[str, object] = {
        "released_amount": hold.captured,
        "returned_amount": hold.released,
    }
    if hold.captured:
        changes["released_at"] = at
    if hold.released or deal.money_due == Money.VOID:
        changes["returned_at"] = at
    with transaction.atomic():
        updated = (
            Deal.objects.filter(pk=deal.pk, money_due=deal.money_due)
            .filter(Q(released_at__isnull=True) & Q(returned_at__isnull=True))
            .update(**changes, updated_at=timezone.now())
        )
        if updated:
            deal.refresh_from_db()
            notices.deal_event(deal=deal, kind="money_settled")
    return "done"


def _problem(deal: Deal, code: str) -> None:
    logger.error("Deal %s: the bank refused its %s for good: %s", deal.pk, deal.money_due, code)
    Deal.objects.filter(pk=deal.pk, bank_problem="").update(
        bank_problem=code[:64], bank_problem_at=timezone.now(), updated_at=timezone.now()
    )


def refunded_so_far(deal: Deal) -> int:
    done = deal.refunds.filter(status=Refund.Status.DONE).aggregate(total=Sum("amount"))
    return int(done["total"] or 0)


def refund_settle(*, refund_id: int) -> str:
    """Ask the bank for a staff refund of a paid deal, and record its answer.

    Returns ``"done"``, ``"failed"`` (refused: the refund says why, the deal is as it was)
    or ``"settled"``. Raises ``BankError`` when the bank does not answer.
    """
    refund = Refund.objects.select_related("deal").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return "settled"
    deal = refund.deal
    payment = payment_of(deal)
    if payment is None:
        return _refund_failed(refund, "no_hold")
    try:
        info = bank_call(
            "hold_refund",
            lambda c: c.hold_refund(
                hold_id=payment.hold_id,
                amount=refund.amount,
                idempotency_key=refund.idempotency_key,
            ),
            payment=payment,
        )
    except BankRefused as error:
        return _refund_failed(refund, error.code)
    now = timezone.now()
    with transaction.atomic():
        if not Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.DONE, done_at=now
        ):
            return "settled"
        Deal.objects.filter(pk=deal.pk).update(
            returned_amount=F("returned_amount") + refund.amount, returned_at=now, updated_at=now
        )
        deal.refresh_from_db()
        if info.hold.refundable == 0 and deal.status == Status.COMPLETED:
            deal_transition(
                deal=deal,
                to=Status.REFUNDED,
                actor=None,
                role=Role.SYSTEM,
                reason="refunded in full by staff",
            )
        notices.deal_event(deal=deal, kind="refunded", amount=refund.amount, refund=refund.pk)
    return "done"


def _refund_failed(refund: Refund, code: str) -> str:
    with transaction.atomic():
        if Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.FAILED, failure_code=code[:64], done_at=timezone.now()
        ):
            notices.deal_event(
                deal=refund.deal, kind="refund_failed", amount=refund.amount, refund=refund.pk
            )
    return "failed"


@dataclass
class Reconciliation:
    """What the comparison of deals with their holds found, by deal id."""

    checked: int = 0
    settled: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)


def deals_reconcile(*, limit: int = 500) -> Reconciliation:
    """Compare every deal whose money is at stake with its hold at the bank.

    A held deal (held, shipped, disputed) must have a pending hold; a deal whose capture
    or release is due and not yet recorded has it carried out again (the same keyed
    call), or recorded from the hold if the bank did it already. A held deal whose hold
    has ended is flagged for staff (``bank_problem``). A bank that does not answer leaves
    the deal for the next run.
    """
    report = Reconciliation()
    due = (
        Deal.objects.filter(
            Q(status__in=HOLDING)
            | (~Q(money_due="") & Q(released_at__isnull=True, returned_at__isnull=True))
        )
        .filter(bank_problem="")
        .order_by("pk")[:limit]
    )
    for deal in due:
        report.checked += 1
        payment = payment_of(deal)
        if payment is None:
            _problem(deal, "no_hold")
            report.flagged.append(deal.pk)
            continue
        try:
            if deal.status in HOLDING:
                hold = _read_hold(payment)
                if hold.status != "pending":
                    _problem(deal, f"hold_{hold.status}")
                    report.flagged.append(deal.pk)
                continue
            outcome = deal_money_settle(deal_id=deal.pk)
        except BankRefused as error:  # the hold itself is unknown to the bank
            _problem(deal, error.code)
            report.flagged.append(deal.pk)
            continue
        except BankError:
            report.unanswered.append(deal.pk)
            continue
        (report.flagged if outcome == "problem" else report.settled).append(deal.pk)
    return report
