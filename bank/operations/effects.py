"""What operations deliver through the outbox: the emails with confirmation codes (of links,
payments and hold requests), the one that tells a customer his account's codes were
blocked, and the one that tells him someone asked to link his account repeatedly."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy

from paylib.money import format_rub
from paylib.outbox.mail import send_templated
from paylib.outbox.models import Message
from paylib.outbox.registry import handler

from . import sealing
from .models import CodeBudget, Operation

logger = logging.getLogger(__name__)

CODE_EMAIL = "operations.code_email"
CODES_BLOCKED_EMAIL = "operations.codes_blocked_email"
LINK_REQUESTS_LIMITED_EMAIL = "operations.link_requests_limited_email"


@handler(CODE_EMAIL, scrub=True)
def send_code_email(message: Message) -> None:
    """Email code number ``sends`` of an operation, unless a newer one was issued since,
    the operation no longer waits for a code, or the code has expired (nothing to send)."""
    payload = message.payload
    operation = (
        Operation.objects.select_related("account", "customer")
        .filter(pk=payload["operation"])
        .first()
    )
    if operation is None or operation.code_sends != payload["sends"]:
        return
    if operation.status != Operation.Status.AWAITING_CODE:
        return
    code = sealing.unseal(payload["sealed"], ttl=settings.CONFIRMATION_CODE_TTL)
    if code is None:
        return
    customer = operation.customer
    language = customer.language
    context = {
        "customer": customer,
        "operation": operation,
        "code": code,
        "amount": format_rub(operation.amount, language=language),
        "payees": [
            (leg.account.number, leg.account.customer, format_rub(leg.amount, language=language))
            for leg in operation.legs.select_related("account__customer")
        ],
        "hold_until": _moment(operation, language),
        "minutes": settings.CONFIRMATION_CODE_TTL // 60,
        "bank_name": gettext_lazy(settings.BANK_NAME),  # translated as the email renders
    }
    send_templated(
        message,
        to=[customer.email],
        language=language,
        templates="operations/email/code",
        context=context,
    )
    logger.info("Sent code %d of operation %s", payload["sends"], operation.public_id)


def _moment(operation: Operation, language: str) -> str:
    """Until when a hold request may hold the money, as its customer reads a date: in his
    language, in the bank's time zone, which it names."""
    if operation.hold_until is None:
        return ""
    moment = timezone.localtime(operation.hold_until)
    with translation.override(language):
        return f"{formats.date_format(moment, 'DATETIME_FORMAT')} ({moment:%Z})"


def _owner_budget(message: Message) -> CodeBudget | None:
    budget = (
        CodeBudget.objects.select_related("account__customer")
        .filter(account_id=message.payload["account"])
        .first()
    )
    if budget is None or budget.account.customer is None:
        return None
    return budget


def _send_to_owner(message: Message, budget: CodeBudget, templates: str, **extra: Any) -> None:
    customer = budget.account.customer
    assert customer is not None
    with translation.override(customer.language):
        path = reverse("web:accounts")
    send_templated(
        message,
        to=[customer.email],
        language=customer.language,
        templates=templates,
        context={
            "customer": customer,
            "account": budget.account,
            "hours": settings.CONFIRMATION_BUDGET_WINDOW // 3600,
            "url": settings.BANK_SITE_URL.rstrip("/") + path,
            "bank_name": gettext_lazy(settings.BANK_NAME),  # translated as the email renders
            **extra,
        },
    )


@handler(CODES_BLOCKED_EMAIL)
def send_codes_blocked_email(message: Message) -> None:
    """Tell the owner that wrong codes were tried on his account and how to lift the block."""
    budget = _owner_budget(message)
    if budget is None:
        return
    _send_to_owner(
        message,
        budget,
        "operations/email/codes_blocked",
        wrong_codes=settings.CONFIRMATION_WRONG_CODES_PER_ACCOUNT,
    )
    logger.info("Told the owner of account %s that its codes are blocked", budget.account_id)


@handler(LINK_REQUESTS_LIMITED_EMAIL)
def send_link_requests_limited_email(message: Message) -> None:
    """Tell the owner that someone asked to link his account repeatedly, that no more link
    codes are sent for now, and how to lift that."""
    budget = _owner_budget(message)
    if budget is None:
        return
    _send_to_owner(
        message,
        budget,
        "operations/email/link_requests_limited",
        requests=settings.CONFIRMATION_UNUSED_CODES_PER_ACCOUNT,
    )
    logger.info("Told the owner of account %s of repeated link requests", budget.account_id)
