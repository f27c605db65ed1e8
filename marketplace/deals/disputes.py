"""Disputes: the buyer opens one within the confirmation window, the seller answers within
``DEAL_DISPUTE_ANSWER_WINDOW``, staff resolve it with a stated reason; one left unresolved
for ``DEAL_DISPUTE_LIMIT`` is refunded (``deals.timers``).

Every outcome is a move of the deal (``deal_transition``): release to the seller (capture),
a full refund (release the hold) or a partial refund of X (capture the amount less X; the
bank shares the capture between the seller and the platform in the confirmed proportion).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.models import MAX_LENGTH, Author
from conversations.services import deal_message_create
from core.images import CleanImage
from core.storage import removed_if_rolled_back
from paylib.errors import ApplicationError
from users.models import User

from . import notices, timing
from .models import Deal, Dispute
from .services import DeadlinePassed, before_deadline, deal_transition
from .state import IllegalTransition, Role, Status

Outcome = Dispute.Outcome

#: Names the message a dispute posts on its deal: one per deal, whatever repeats.
_EVIDENCE_KEYS = uuid.UUID("5d0b7f55-8f63-4c3e-9a43-2f0c8e5f7a11")


def dispute_open(
    *,
    deal: Deal,
    buyer: User,
    reason: str,
    message: str,
    photos: Sequence[CleanImage] = (),
) -> Dispute:
    """The buyer disputes a shipped deal before its confirmation deadline. His message and
    ``photos`` (checked by ``core.images``) are also posted on the deal, where they stay as
    the dispute's evidence beside the rest of the conversation."""
    if reason not in Dispute.Reason.values:
        raise ApplicationError(_("Choose what is wrong."), field="reason")
    message = message.strip()
    if not message:
        raise ApplicationError(_("Tell what happened."), field="message")
    if len(message) > MAX_LENGTH:
        raise ApplicationError(
            _("Keep it under %(limit)d characters.") % {"limit": MAX_LENGTH}, field="message"
        )
    with removed_if_rolled_back(), transaction.atomic():
        deal_transition(
            deal=deal,
            to=Status.DISPUTED,
            actor=buyer,
            role=Role.BUYER,
            reason=f"dispute: {reason}",
            check=before_deadline("confirm_by", _("The time to dispute this deal has passed.")),
        )
        evidence = deal_message_create(
            deal=deal,
            author=buyer,
            role=Author.BUYER,
            text=message,
            idempotency_key=uuid.uuid5(_EVIDENCE_KEYS, str(deal.pk)),
            photos=photos,
            tell=False,
        )
        now = timezone.now()
        dispute = Dispute.objects.create(
            deal=deal,
            reason=reason,
            message=message,
            evidence=evidence,
            opened_at=now,
            answer_by=now + timing.dispute_answer_window(),
            resolve_by=now + timing.dispute_limit(),
        )
        notices.dispute_opened(deal=deal, dispute=dispute)
        return dispute


def dispute_answer(*, dispute: Dispute, seller: User, answer: str) -> Dispute:
    """The seller's side, once, within the answer window."""
    answer = answer.strip()
    if not answer:
        raise ApplicationError(_("Write your answer."), field="answer")
    if len(answer) > 4000:
        raise ApplicationError(_("Keep it under 4000 characters."), field="answer")
    with transaction.atomic():
        deal = Deal.objects.select_for_update().get(pk=dispute.deal_id)
        locked = Dispute.objects.get(pk=dispute.pk)
        if seller.pk != deal.seller_id:
            raise ApplicationError(_("Only the seller answers a dispute."), status=403)
        if deal.status != Status.DISPUTED or locked.answered_at is not None:
            raise ApplicationError(_("This dispute cannot be answered now."), code="answered")
        now = timezone.now()
        if now >= locked.answer_by:
            raise DeadlinePassed(_("The time to answer has passed; staff will decide."))
        locked.answer, locked.answered_at = answer, now
        locked.save(update_fields=["answer", "answered_at"])
        notices.deal_event(deal=deal, kind="dispute_answered")
    return locked


def dispute_resolve(
    *, dispute: Dispute, staff: User, outcome: str, reason: str, refund_amount: int = 0
) -> Dispute:
    """Staff's ruling, with its reason shown to both parties.

    ``release``: the seller is paid all; ``refund``: the buyer gets all back; ``partial``:
    ``refund_amount`` (more than zero, less than the deal's amount) back, the rest paid.
    """
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("State the reason for the decision."), field="reason")
    if outcome not in (Outcome.RELEASE, Outcome.REFUND, Outcome.PARTIAL):
        raise ApplicationError(_("Choose an outcome."), field="outcome")
    deal = Deal.objects.get(pk=dispute.deal_id)
    if outcome == Outcome.PARTIAL and not 0 < refund_amount < deal.amount:
        raise ApplicationError(
            _("A partial refund is more than zero and less than the deal's amount."),
            field="refund_amount",
        )
    refunds: dict[str, int] = {Outcome.RELEASE: 0, Outcome.REFUND: deal.amount}
    refund = refunds.get(outcome, refund_amount)
    with transaction.atomic():
        deal_transition(
            deal=deal,
            to=Status.REFUNDED if outcome == Outcome.REFUND else Status.COMPLETED,
            actor=staff,
            role=Role.STAFF,
            reason=f"dispute resolved: {outcome}",
            capture_amount=deal.amount - refund if outcome != Outcome.REFUND else None,
        )
        _close(dispute, outcome=outcome, refund=refund, reason=reason, staff=staff)
        notices.dispute_resolved(deal=deal, dispute=dispute)
        return dispute


def _close(
    dispute: Dispute, *, outcome: str, refund: int, reason: str, staff: User | None
) -> Dispute:
    """Record the ruling; call in the transaction of the deal's move."""
    dispute.outcome, dispute.refund_amount = outcome, refund
    dispute.resolution, dispute.resolved_by = reason[:500], staff
    dispute.resolved_at = timezone.now()
    dispute.save(
        update_fields=["outcome", "refund_amount", "resolution", "resolved_by", "resolved_at"]
    )
    return dispute


def dispute_time_out(*, dispute: Dispute) -> Dispute:
    """The dispute limit passed without a ruling: the buyer gets all back."""
    with transaction.atomic():
        deal = deal_transition(
            deal=Deal.objects.get(pk=dispute.deal_id),
            to=Status.REFUNDED,
            actor=None,
            role=Role.SYSTEM,
            reason="dispute not resolved in time",
            check=lambda locked: _due(dispute),
        )
        return _close(dispute, outcome=Outcome.TIMED_OUT, refund=deal.amount, reason="", staff=None)


def _due(dispute: Dispute) -> None:
    if timezone.now() < Dispute.objects.get(pk=dispute.pk).resolve_by:
        raise IllegalTransition(f"dispute {dispute.pk}: its limit has not passed")
