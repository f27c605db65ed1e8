"""Emails to the buyer and the seller once a payment has gone through."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from paylib.money import format_rub
from users.models import User

from .models import Payment


def _send(payment: Payment, user: User, role: str) -> None:
    with translation.override(user.language):
        context = {
            "user": user,
            "payment": payment,
            "deal": payment.deal,
            "role": role,
            "amount": format_rub(payment.amount, language=user.language),
            "net": format_rub(payment.seller_net, language=user.language),
            "commission": format_rub(payment.commission, language=user.language),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("payments/email/paid_subject.txt", context).strip()
        text = render_to_string("payments/email/paid.txt", context)
        html = render_to_string("payments/email/paid.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def payment_succeeded_emails(*, payment_id: int) -> int:
    """Tell both parties; returns how many emails went out (0 if already notified)."""
    payment = Payment.objects.select_related("deal__buyer", "deal__seller").get(pk=payment_id)
    if payment.notified_at is not None or payment.status != Payment.Status.SUCCEEDED:
        return 0
    _send(payment, payment.deal.buyer, "buyer")
    _send(payment, payment.deal.seller, "seller")
    Payment.objects.filter(pk=payment.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    return 2
