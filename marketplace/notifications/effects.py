"""What notifications deliver through the outbox: one email per notification."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from paylib.outbox.mail import send_templated
from paylib.outbox.models import Message
from paylib.outbox.registry import handler

NOTIFICATION_EMAIL = "notifications.email"


@handler(NOTIFICATION_EMAIL)
def send_notification_email(message: Message) -> None:
    """The notification's email to its user, worded now in his language."""
    from .models import Notification
    from .texts import render

    notification = Notification.objects.select_related("user", "deal").get(
        pk=message.payload["notification"]
    )
    user, deal = notification.user, notification.deal
    language = user.language
    with translation.override(language):
        text = render(
            kind=notification.kind,
            params=notification.params,
            deal=deal,
            is_seller=deal is not None and deal.seller_id == user.pk,
        )
        path = reverse("deals:detail", args=[deal.pk]) if deal else reverse("notifications:list")
    send_templated(
        message,
        to=[user.email],
        language=language,
        templates="notifications/email/notification",
        context={"user": user, "text": text, "link": f"{settings.SITE_URL}{path}"},
    )
