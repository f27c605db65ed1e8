"""Placing, capturing, releasing and expiring holds, and refunding captures.

Lock order, everywhere: the hold's row first, then the accounts in primary-key order
(``ledger.services.accounts_lock``). ``Account.held`` is the sum of the account's pending
holds (a PostgreSQL trigger checks it at commit), and the account's available balance,
``balance - held``, never goes below zero (a CHECK constraint).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from api.models import ApiClient
from ledger.errors import AccountBlocked, InsufficientFunds, UnbalancedPosting
from ledger.models import Account, Posting
from ledger.services import Leg, accounts_lock, posting_create
from operations.errors import IdempotencyConflict
from paylib.money import format_amount

from .errors import (
    AlreadyCaptured,
    AlreadyVoided,
    ExceedsHoldAmount,
    HoldError,
    HoldExpired,
    NotCaptured,
    RefundExceedsCapture,
)
from .models import Hold, HoldLeg, Refund
from .selectors import hold_get_for_client
from .split import split_proportionally
from .state import HOLD, HoldStatus


@dataclass(frozen=True)
class Payee:
    account_id: int
    amount: int


def hold_transition(hold: Hold, *, to: str, role: str, now: datetime) -> None:
    """The only writer of ``Hold.status``. Call holding the hold's row lock."""
    HOLD.check(hold.status, to, role)
    hold.status = to
    hold.resolved_at = now
    hold.save(update_fields=["status", "resolved_at", "captured", "capture_posting"])


def hold_place(
    *,
    client: ApiClient,
    account_id: int,
    payees: Sequence[Payee],
    description: str,
    expires_at: datetime,
) -> Hold:
    """Reserve the payees' sum on the payer's account; refused if its available balance
    (balance less what is already held) does not cover it. Nothing moves yet."""
    amount = sum(p.amount for p in payees)
    if not payees or any(p.amount <= 0 for p in payees):
        raise UnbalancedPosting("A hold needs payees with positive amounts.")
    if any(p.account_id == account_id for p in payees):
        raise UnbalancedPosting("The payer cannot be his own payee.")
    with transaction.atomic():
        payer = accounts_lock([account_id])[account_id]
        if payer.kind != Account.Kind.CUSTOMER or not payer.is_open:
            raise AccountBlocked(f"Account {payer.number} cannot hold money.")
        payee_ids = [p.account_id for p in payees]
        if Account.objects.filter(pk__in=payee_ids, status=Account.Status.BLOCKED).exists():
            # As a payment to it would be: no money is promised to a blocked account.
            raise AccountBlocked("A payee's account is blocked.")
        if payer.balance - payer.held < amount:
            raise InsufficientFunds(f"Account {payer.number} has insufficient funds.")
        payer.held += amount
        payer.save(update_fields=["held"])
        hold = Hold.objects.create(
            client=client,
            account=payer,
            amount=amount,
            description=description,
            expires_at=expires_at,
        )
        HoldLeg.objects.bulk_create(
            HoldLeg(hold=hold, account_id=p.account_id, amount=p.amount, position=i)
            for i, p in enumerate(payees)
        )
    return hold


def _locked(hold_id: int) -> Hold:
    return Hold.objects.select_for_update().get(pk=hold_id)


def _refusal(hold: Hold, now: datetime) -> HoldError | None:
    """Why ``hold`` cannot be captured or voided now; expires it if its time is up.

    Call holding the hold's row lock. An expiry found here is committed by the caller's
    transaction before the caller raises, so the hold stays expired.
    """
    if hold.status == HoldStatus.PENDING and hold.expires_at <= now:
        _release(hold, to=HoldStatus.EXPIRED, role="system", now=now)
    refusals: dict[str, HoldError] = {
        HoldStatus.CAPTURED: AlreadyCaptured("This hold was already captured."),
        HoldStatus.VOIDED: AlreadyVoided("This hold was already released."),
        HoldStatus.EXPIRED: HoldExpired("This hold has expired; the money went back."),
    }
    return refusals.get(hold.status)


def _release(hold: Hold, *, to: str, role: str, now: datetime) -> None:
    payer = accounts_lock([hold.account_id])[hold.account_id]
    payer.held -= hold.amount
    payer.save(update_fields=["held"])
    hold_transition(hold, to=to, role=role, now=now)


def hold_capture(*, hold_id: int, amount: int | None = None) -> Hold:
    """Pay ``amount`` (all of the hold by default) to the payees in their confirmed
    proportion, in one posting; the uncaptured rest becomes available to the payer again."""
    now = timezone.now()
    with transaction.atomic():
        hold = _locked(hold_id)
        refusal = _refusal(hold, now)
        if refusal is None:
            _capture(hold, hold.amount if amount is None else amount, now)
    if refusal is not None:
        raise refusal
    return hold


def _capture(hold: Hold, amount: int, now: datetime) -> None:
    if not 0 < amount <= hold.amount:
        raise ExceedsHoldAmount(
            "The capture must be more than zero and at most the held amount.", field="amount"
        )
    legs = list(hold.legs.order_by("position"))
    shares = split_proportionally(amount, [leg.amount for leg in legs])
    movements = [Leg(hold.account_id, -amount)]
    movements += [
        Leg(leg.account_id, share) for leg, share in zip(legs, shares, strict=True) if share
    ]
    # The reservation ends in the posting's own write: the whole hold is released from the
    # payer's held money as the captured part leaves his balance.
    hold.capture_posting = posting_create(
        kind=Posting.Kind.CAPTURE,
        description=hold.description,
        legs=movements,
        release={hold.account_id: hold.amount},
    )
    for leg, share in zip(legs, shares, strict=True):
        leg.captured = share
    HoldLeg.objects.bulk_update(legs, ["captured"])
    hold.captured = amount
    hold_transition(hold, to=HoldStatus.CAPTURED, role="client", now=now)


def hold_void(*, hold_id: int) -> Hold:
    """Release the whole hold: the money is available to the payer again."""
    now = timezone.now()
    with transaction.atomic():
        hold = _locked(hold_id)
        refusal = _refusal(hold, now)
        if refusal is None:
            _release(hold, to=HoldStatus.VOIDED, role="client", now=now)
    if refusal is not None:
        raise refusal
    return hold


def hold_expire(*, hold_id: int, now: datetime | None = None) -> bool:
    """Expire the hold if it is pending and its time is up; True if this call did."""
    now = now or timezone.now()
    with transaction.atomic():
        hold = _locked(hold_id)
        if hold.status != HoldStatus.PENDING or hold.expires_at > now:
            return False
        _release(hold, to=HoldStatus.EXPIRED, role="system", now=now)
    return True


def holds_expire_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Periodic: expire the pending holds whose time is up; returns how many."""
    now = now or timezone.now()
    due = Hold.objects.filter(status=HoldStatus.PENDING, expires_at__lte=now)
    ids = list(due.order_by("expires_at", "id").values_list("pk", flat=True)[:limit])
    return sum(hold_expire(hold_id=pk, now=now) for pk in ids)


def hold_get_current(*, client: ApiClient, hold_id: uuid.UUID | str) -> Hold:
    """The client's hold as it stands now: a pending one whose time is up is expired first,
    so that no read shows as held what can no longer be captured."""
    hold = hold_get_for_client(client=client, hold_id=hold_id)
    if hold.status == HoldStatus.PENDING and hold.expires_at <= timezone.now():
        hold_expire(hold_id=hold.pk)
        hold.refresh_from_db()
    return hold


def hold_refund(*, hold_id: int, amount: int, idempotency_key: str) -> tuple[Refund, bool]:
    """``refund_create`` once per key: the refund and whether this call made it.

    The key is kept with the refund, so that a repeat finds it for as long as the hold
    exists (the API's stored answers last a day); the key with another amount is refused.
    """
    with transaction.atomic():
        _locked(hold_id)
        existing = Refund.objects.filter(hold_id=hold_id, idempotency_key=idempotency_key).first()
        if existing is None:
            return refund_create(
                hold_id=hold_id, amount=amount, idempotency_key=idempotency_key
            ), True
    if existing.amount != amount:
        raise IdempotencyConflict(
            "This idempotency key was already used with different data.",
            field="idempotency_key",
        )
    return existing, False


def refund_create(*, hold_id: int, amount: int, idempotency_key: str | None = None) -> Refund:
    """Give ``amount`` of a captured hold back to the payer, taken from each payee in
    proportion to what he still has of the capture. Refused, with nothing written, if it
    exceeds what is left to refund or a payee's available balance does not cover his share."""
    with transaction.atomic():
        hold = _locked(hold_id)
        if hold.status != HoldStatus.CAPTURED:
            raise NotCaptured("Only a captured hold can be refunded.")
        if not 0 < amount <= hold.captured - hold.refunded:
            raise RefundExceedsCapture(
                "A refund must be more than zero and at most what was captured and not yet "
                "refunded.",
                field="amount",
                # Roubles, as every amount the API answers (it was kopecks, read as roubles).
                extra={"refundable": format_amount(hold.captured - hold.refunded)},
            )
        legs = list(hold.legs.order_by("position"))
        shares = split_proportionally(amount, [leg.captured - leg.refunded for leg in legs])
        movements = [
            Leg(leg.account_id, -share) for leg, share in zip(legs, shares, strict=True) if share
        ]
        posting = posting_create(
            kind=Posting.Kind.REFUND,
            description=hold.description,
            legs=[*movements, Leg(hold.account_id, amount)],
        )
        for leg, share in zip(legs, shares, strict=True):
            leg.refunded += share
        HoldLeg.objects.bulk_update(legs, ["refunded"])
        hold.refunded += amount
        hold.save(update_fields=["refunded"])
        return Refund.objects.create(
            hold=hold, amount=amount, posting=posting, idempotency_key=idempotency_key
        )
