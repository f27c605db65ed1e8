"""What payments deliver through the outbox: the emails once a payment has gone through."""

from __future__ import annotations

from django.conf import settings

from paylib.money import format_rub
from paylib.outbox.mail import send_templated
from paylib.outbox.models import Message
from paylib.outbox.registry import handler

from .models import Payment

PAID_EMAIL = "payments.paid_email"
ROLES = ("buyer", "seller")


@handler(PAID_EMAIL)
def send_paid_email(message: Message) -> None:
    """Tell one party (``role``) that the payment went through, in his language."""
    role = message.payload["role"]
    payment = Payment.objects.select_related("deal__buyer", "deal__seller").get(
        pk=message.payload["payment"]
    )
    user = payment.deal.buyer if role == "buyer" else payment.deal.seller
    language = user.language
    context = {
        "user": user,
        "payment": payment,
        "deal": payment.deal,
        "role": role,
        "amount": format_rub(payment.amount, language=language),
        "net": format_rub(payment.seller_net, language=language),
        "commission": format_rub(payment.commission, language=language),
        "site_url": settings.SITE_URL,
    }
    send_templated(
        message,
        to=[user.email],
        language=language,
        templates="payments/email/paid",
        context=context,
    )
