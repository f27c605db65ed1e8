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
from datetime import datetime, timedelta
from typing import Any

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


def _open_unanswered() -> Any:
    return Dispute.objects.filter(
        deal__status=Status.DISPUTED, outcome="", answered_at__isnull=True
    )


def _mark_once(pk: int, mark: str, now: datetime) -> Dispute | None:
    """Set ``mark`` on an open, unanswered dispute that has none; None if another run (or
    the seller's answer, or a ruling) came first. Call inside a transaction."""
    # The row's own columns only, so PostgreSQL checks them again on the row an answer or a
    # ruling committed meanwhile (a join in the condition would be read from the snapshot).
    marked = Dispute.objects.filter(
        pk=pk, outcome="", answered_at__isnull=True, **{f"{mark}__isnull": True}
    ).update(**{mark: now})
    return Dispute.objects.select_related("deal").get(pk=pk) if marked else None


def disputes_remind_to_answer() -> int:
    """A day (``DEAL_ANSWER_REMINDER_BEFORE``) before the seller's answer is due, once."""
    now = timezone.now()
    due = _open_unanswered().filter(
        answer_reminded_at__isnull=True,
        answer_by__lte=now + timing.answer_reminder_before(),
        answer_by__gt=now,
    )
    sent = 0
    for pk in due.order_by("answer_by", "pk").values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            dispute = _mark_once(pk, "answer_reminded_at", now)
            if dispute is None:
                continue
            notices.dispute_answer_reminder(deal=dispute.deal, dispute=dispute)
        sent += 1
    return sent


def disputes_flag_unanswered() -> int:
    """Disputes whose answer window passed without an answer: flagged for staff (the
    admin's queue shows and filters them) and the buyer is told, once. The dispute stays
    open for staff's ruling; only ``DEAL_DISPUTE_LIMIT`` refunds it by itself."""
    now = timezone.now()
    due = _open_unanswered().filter(answer_missed_at__isnull=True, answer_by__lte=now)
    flagged = 0
    for pk in due.order_by("answer_by", "pk").values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            dispute = _mark_once(pk, "answer_missed_at", now)
            if dispute is None:
                continue
            notices.dispute_answer_missed(deal=dispute.deal, dispute=dispute)
        flagged += 1
    if flagged:
        logger.warning("Disputes left unanswered past the answer window: %d", flagged)
    return flagged
