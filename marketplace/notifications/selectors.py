"""Reads on notifications: a person sees only his own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from users.models import User

from .models import Notification
from .texts import render


def notifications_of_user(*, user: User) -> QuerySet[Notification]:
    """Newest first."""
    return (
        Notification.objects.filter(user=user).select_related("deal").order_by("-created_at", "-id")
    )


def notification_get_for_user(*, notification_id: int, user: User) -> Notification:
    """His own notification; anyone else's is a 404, as if it did not exist."""
    notification = (
        Notification.objects.select_related("deal").filter(pk=notification_id, user=user).first()
    )
    if notification is None:
        raise Http404
    return notification


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Line:
    notification: Notification
    text: str


def notification_lines(*, notifications: list[Notification], user: User) -> list[Line]:
    """Each notification with its line in the active language (``get_language``)."""
    return [
        Line(
            notification=n,
            text=render(
                kind=n.kind,
                params=n.params,
                deal=n.deal,
                is_seller=n.deal is not None and n.deal.seller_id == user.pk,
            ).line,
        )
        for n in notifications
    ]
