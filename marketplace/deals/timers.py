"""The safe deal's clocks, run by Celery beat (``deals.tasks``).

Each timer finds the deals whose deadline has passed and moves each through
``deal_transition`` with a check of the deadline on the locked row, so a timer racing a
person (the seller shipping as the window closes, the buyer confirming as the automatic
release fires) ends in exactly one outcome: whoever takes the row lock first moves the
deal, the other finds the move no longer in the table and changes nothing. Reminders are
sent once, under a conditional update of their own mark.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import notices, timing
from .disputes import dispute_time_out
from .models import Deal, Dispute
from .services import after_deadline, deal_transition
from .state import IllegalTransition, Role, Status

logger = logging.getLogger(__name__)


def _each(ids: list[int], move: Callable[[Deal], object]) -> int:
    moved = 0
    for deal in Deal.objects.filter(pk__in=ids).order_by("pk"):
        try:
            move(deal)
        except IllegalTransition:
            continue  # a person (or another timer) moved it first
        moved += 1
    return moved


def deals_cancel_unshipped(*, limit: int = 500) -> int:
    """Held deals not shipped within the shipping window: cancelled, the hold released."""
    due = Deal.objects.filter(status=Status.HELD, ship_by__lte=timezone.now())
    ids = list(due.order_by("ship_by", "pk").values_list("pk", flat=True)[:limit])
    return _each(
        ids,
        lambda deal: deal_transition(
            deal=deal,
            to=Status.CANCELLED,
            actor=None,
            role=Role.SYSTEM,
            reason="not shipped in time",
            check=after_deadline("ship_by"),
        ),
    )


def deals_release_unconfirmed(*, limit: int = 500) -> int:
    """Shipped deals neither confirmed nor disputed in time: the seller is paid."""
    due = Deal.objects.filter(status=Status.SHIPPED, confirm_by__lte=timezone.now())
    ids = list(due.order_by("confirm_by", "pk").values_list("pk", flat=True)[:limit])
    return _each(
        ids,
        lambda deal: deal_transition(
            deal=deal,
            to=Status.COMPLETED,
            actor=None,
            role=Role.SYSTEM,
            reason="confirmation window elapsed",
            check=after_deadline("confirm_by"),
        ),
    )


def disputes_refund_overdue(*, limit: int = 500) -> int:
    """Disputes unresolved for the dispute limit: the buyer gets his money back."""
    due = Dispute.objects.filter(
        deal__status=Status.DISPUTED, outcome="", resolve_by__lte=timezone.now()
    ).order_by("resolve_by", "pk")[:limit]
    refunded = 0
    for dispute in due:
        try:
            dispute_time_out(dispute=dispute)
        except IllegalTransition:
            continue
        refunded += 1
    return refunded


def _remind(status: str, deadline: str, mark: str, before: timedelta, kind: str) -> int:
    now = timezone.now()
    due = Deal.objects.filter(
        status=status,
        **{f"{mark}__isnull": True, f"{deadline}__lte": now + before, f"{deadline}__gt": now},
    )
    sent = 0
    for pk in due.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            if not Deal.objects.filter(pk=pk, status=status, **{f"{mark}__isnull": True}).update(
                **{mark: now}
            ):
                continue  # reminded already, or moved on
            notices.deal_event(deal=Deal.objects.get(pk=pk), kind=kind)
        sent += 1
    return sent


def deals_remind_to_ship() -> int:
    """A day (``DEAL_SHIP_REMINDER_BEFORE``) before the shipping deadline, once."""
    return _remind(
        Status.HELD, "ship_by", "ship_reminded_at", timing.ship_reminder_before(), "ship_reminder"
    )


def deals_remind_to_confirm() -> int:
    """Two days (``DEAL_CONFIRM_REMINDER_BEFORE``) before the automatic release, once."""
    return _remind(
        Status.SHIPPED,
        "confirm_by",
        "confirm_reminded_at",
        timing.confirm_reminder_before(),
        "confirm_reminder",
    )
