"""Per-user budgets in a sliding window: wrong confirmation codes, and link code emails.

A code typed on the link form or the payment form is counted the moment it is sent to the
bank and stays counted unless the bank accepts it (or never checks it: an expired code), so
requests in flight count too and no burst can overshoot. Link requests and resends are
counted because each emails the account's owner, who may not be the requester. The user's
row is locked while counting, so two requests at once cannot both take the last unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from paylib.errors import ApplicationError
from users.models import User

from .models import Attempt

Kind = Attempt.Kind


class LimitReached(ApplicationError):
    """The user has used up a budget; nothing was sent to the bank."""

    status = 429
    code = "limit_reached"


@dataclass(frozen=True)
class Budget:
    limit: int
    window: timedelta


def budget_of(kind: str) -> Budget:
    if kind == Kind.CODE:
        return Budget(settings.CODE_GUESSES_PER_USER, settings.CODE_GUESS_WINDOW)
    return Budget(settings.LINK_EMAILS_PER_USER, settings.LINK_EMAIL_WINDOW)


def _refusal(kind: str, until: datetime) -> LimitReached:
    local = timezone.localtime(until)
    when = f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'H:i')}"
    if kind == Kind.CODE:
        message = _(
            "Too many wrong confirmation codes were entered from your account lately. "
            "For your safety no more codes are accepted until %(when)s."
        )
    else:
        message = _(
            "You have asked the bank for link codes too often lately: each one emails the "
            "account's owner. You can ask again after %(when)s."
        )
    return LimitReached(message % {"when": when}, code=f"too_many_{kind}s", field=None)


def _check(user_id: int, kind: str, now: datetime) -> None:
    budget = budget_of(kind)
    counted = Attempt.objects.filter(user_id=user_id, kind=kind, at__gt=now - budget.window)
    if counted.count() < budget.limit:
        return
    # The window slides: a unit comes back when the oldest counted attempt leaves it.
    oldest = counted.order_by("-at").values_list("at", flat=True)[budget.limit - 1]
    raise _refusal(kind, oldest + budget.window)


def budget_check(*, user: User, kind: str) -> None:
    """Refuse (``LimitReached``) if the user's budget of ``kind`` is spent; count nothing."""
    _check(user.pk, kind, timezone.now())


def attempt_reserve(*, user: User, kind: str, key: str) -> None:
    """Count one attempt for the request ``key``, or refuse if the budget is spent.

    A second call with the same key (a retry of that request) counts nothing. Locks the
    user's row: take it before any payment or account row in the same transaction. The
    lock is FOR NO KEY UPDATE: it excludes the other takers of this lock, not the
    foreign-key checks of rows written for the user (a notification, a bank call) by a
    transaction that holds his payment's row; FOR UPDATE made those two deadlock.
    """
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk").get()
        if Attempt.objects.filter(kind=kind, key=key).exists():
            return
        now = timezone.now()
        _check(user.pk, kind, now)
        Attempt.objects.create(user_id=user.pk, kind=kind, key=key, at=now)


def attempt_release(*, kind: str, key: str) -> None:
    """The request ``key`` does not count after all (the bank accepted the code, or sent
    no email)."""
    Attempt.objects.filter(kind=kind, key=key).delete()
