"""Emails with confirmation codes, sent after the operation's transaction commits."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from paylib.money import format_rub

from . import sealing

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=6,
)
def send_code_email(self: object, operation_id: int, sealed_code: str, code_sends: int) -> str:
    """Email the code of send number ``code_sends``; skip it if a newer one was issued."""
    from .models import Operation

    operation = (
        Operation.objects.select_related("account", "customer").filter(pk=operation_id).first()
    )
    if operation is None or operation.code_sends != code_sends:
        return "superseded"
    if operation.status != Operation.Status.AWAITING_CODE:
        return "not-awaiting-code"
    code = sealing.unseal(sealed_code, ttl=settings.CONFIRMATION_CODE_TTL)
    if code is None:
        return "expired"
    customer = operation.customer
    with translation.override(customer.language):
        context = {
            "customer": customer,
            "operation": operation,
            "code": code,
            "amount": format_rub(operation.amount, language=customer.language),
            "payees": [
                (
                    leg.account.number,
                    leg.account.customer,
                    format_rub(leg.amount, language=customer.language),
                )
                for leg in operation.legs.select_related("account__customer")
            ],
            "minutes": settings.CONFIRMATION_CODE_TTL // 60,
            "bank_name": settings.BANK_NAME,
        }
        subject = render_to_string("operations/email/code_subject.txt", context).strip()
        text = render_to_string("operations/email/code.txt", context)
        html = render_to_string("operations/email/code.html", context)
    message = EmailMultiAlternatives(subject, text, to=[customer.email])
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("Sent code %d of operation %s", code_sends, operation.public_id)
    return "sent"
