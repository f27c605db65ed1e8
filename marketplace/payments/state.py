"""The payment's lifecycle: every allowed status change, and what it does to the deal.

Nothing else writes ``Payment.status`` (a test reads the code to make sure):
``payment_move`` locks the payment's row, then its deal's (always in this order), checks
the table (``PAYMENT``, a ``paylib.lifecycle.Lifecycle``, which also draws the diagram in
docs/architecture.md), writes the payment and moves the deal with it, in one transaction.
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
from paylib.lifecycle import IllegalMove, Lifecycle

from .models import Payment

S = Payment.Status
D = DealStatus


@dataclass(frozen=True)
class Move:
    """One allowed change: who causes it (``buyer``, ``bank``: its answer, ``system``: the
    marketplace's own checks), and for each status the deal may be in at that moment,
    where the deal goes with it (the first is the default; none: it stays)."""

    by: frozenset[str]
    deal: Mapping[DealStatus, tuple[DealStatus, ...]]


BUYER, BANK, SYSTEM = "buyer", "bank", "system"
#: A payment that ends before its execution frees the deal: payable again (or expired with
#: it); a deal that was cancelled or expired meanwhile stays as it is.
_ENDS_EARLY = {D.AWAITING_CODE: (D.CREATED, D.EXPIRED), D.CANCELLED: (), D.EXPIRED: ()}
#: While the buyer is between Pay and the code, the deal waits with him.
_DEAL_WAITS = {D.AWAITING_CODE: ()}

MOVES: dict[tuple[S, S], Move] = {
    # The bank emailed the code.
    (S.REQUESTING, S.AWAITING_CODE): Move(frozenset({BANK}), _DEAL_WAITS),
    # The bank refused the payment, or the deal ended first.
    (S.REQUESTING, S.FAILED): Move(frozenset({BANK, SYSTEM}), _ENDS_EARLY),
    # The buyer's code is on its way to the bank (stored first, to be sent again if need be).
    (S.AWAITING_CODE, S.CONFIRMING): Move(frozenset({BUYER}), _DEAL_WAITS),
    # No usable code any more (blocked, no resends left), or the deal ended or expired.
    (S.AWAITING_CODE, S.FAILED): Move(frozenset({BANK, SYSTEM}), _ENDS_EARLY),
    # The bank said the code was wrong or expired.
    (S.CONFIRMING, S.AWAITING_CODE): Move(frozenset({BANK}), _DEAL_WAITS),
    # The bank gave the operation's key: the money can be moved.
    (S.CONFIRMING, S.PROCESSING): Move(frozenset({BANK}), {D.AWAITING_CODE: (D.PROCESSING,)}),
    # Blocked, the confirmation lost without a replay, or the deal ended meanwhile.
    (S.CONFIRMING, S.FAILED): Move(frozenset({BANK, SYSTEM}), _ENDS_EARLY),
    # The bank holds the money: the deal is paid, the money held until it ends.
    (S.PROCESSING, S.SUCCEEDED): Move(frozenset({BANK}), {D.PROCESSING: (D.HELD,)}),
    # The bank refused to hold it (funds, a blocked account): nothing is held.
    (S.PROCESSING, S.FAILED): Move(frozenset({BANK}), {D.PROCESSING: (D.PAYMENT_FAILED,)}),
}

FINAL = frozenset({S.SUCCEEDED, S.FAILED})
PAYMENT = Lifecycle(
    name="payment",
    statuses=S,
    initial=S.REQUESTING,
    moves={key: move.by for key, move in MOVES.items()},
    final=FINAL,
)
#: Before the bank's execution: nothing can have been charged yet.
BEFORE_EXECUTION = frozenset({S.REQUESTING, S.AWAITING_CODE, S.CONFIRMING})
#: A deal in these has ended; a payment that needs it live ends with it.
_DEAL_ENDED = frozenset({D.CANCELLED, D.EXPIRED})


def payment_move(
    *,
    payment: Payment,
    to: str,
    by: str,
    when: Collection[str],
    reason: str = "",
    deal_to: str | None = None,
    match: Mapping[str, Any] | None = None,
    **fields: Any,
) -> bool:
    """Move ``payment`` from one of ``when`` to ``to``, caused ``by`` the buyer, the bank or
    the system, writing ``fields`` with it. A move not in the table raises ``IllegalMove``
    (a bug, not a race).

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
        PAYMENT.check(source, to, by)
        move = MOVES[(source, S(to))]
        if deal.status not in move.deal and deal.status in _DEAL_ENDED:
            to, by, reason, fields = S.FAILED, SYSTEM, f"deal_{deal.status}", {}
            move = MOVES[(source, S.FAILED)]
        if deal.status not in move.deal:
            raise IllegalMove(f"payment: no move to {to!r} while the deal is {deal.status!r}")
        _write(locked, S(to), reason, fields)
        _move_deal(deal, move.deal[DealStatus(deal.status)], deal_to, f"payment {to}", reason)
    _refresh(payment, locked, deal)
    return True


def _move_deal(
    deal: Deal, targets: tuple[DealStatus, ...], deal_to: str | None, what: str, reason: str
) -> None:
    if not targets:
        return
    if deal_to is not None and deal_to not in targets:
        raise IllegalMove(f"payment: its deal cannot go to {deal_to!r} with it")
    deal_transition(
        deal=deal,
        to=deal_to or targets[0],
        actor=None,
        role=Role.SYSTEM,
        reason=what + (f": {reason}" if reason else ""),
    )


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
