"""Telling people of events: the only writes to ``Notification``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from core.idempotency import create_once
from paylib.outbox.services import enqueue
from users.models import User

from .effects import NOTIFICATION_EMAIL
from .models import Notification
from .texts import check_params

if TYPE_CHECKING:
    from deals.models import Deal

ParamValue = str | int | datetime


def notify(
    *,
    users: Iterable[User | None],
    kind: str,
    deal: Deal | None = None,
    key: str | None = None,
    **params: ParamValue,
) -> None:
    """Tell each of ``users`` (None and repeats skipped) of ``kind``: a row in his list and
    an email, rendered when it is delivered, in his language.

    Call it inside the transaction that makes the event due: if that rolls back, nobody is
    told; if it commits, the emails are in the outbox and go out once each. ``key`` names
    the event (``"deal-12-shipped"``); the same key for the same user again tells nothing
    more, so a retried caller cannot tell twice. ``params`` are those its kind takes
    (``notifications.texts.TEXTS``): kopecks as ``int``, times as aware ``datetime``;
    anything else refuses here, with ``ValueError``.
    """
    stored: dict[str, object] = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in params.items()
    }
    check_params(kind, stored)
    seen: set[int] = set()
    with transaction.atomic():
        for user in users:
            if user is None or user.pk in seen:
                continue
            seen.add(user.pk)
            _notify_one(user=user, kind=kind, deal=deal, key=key, params=stored)


def _notify_one(
    *, user: User, kind: str, deal: Deal | None, key: str | None, params: dict[str, object]
) -> None:
    def create() -> Notification:
        return Notification.objects.create(user=user, kind=kind, deal=deal, key=key, params=params)

    if key is None:
        notification = create()
    else:
        notification = create_once(Notification, key={"user": user, "key": key}, create=create)
    enqueue(
        NOTIFICATION_EMAIL,
        {"notification": notification.pk},
        key=f"notification:{notification.pk}",
    )


def notification_open(*, notification: Notification) -> None:
    """The user followed it from his list: it is read."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user: User) -> int:
    """Every unread notification of ``user`` is read now; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
