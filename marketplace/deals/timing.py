"""The safe deal's windows, from the settings, and how long the bank must hold the money.

The hold outlives the longest path a deal can take: shipped on the last day of the shipping
window, disputed on the last day of the confirmation window, refunded when the dispute
limit runs out, plus a margin for the payment itself and the timers' period. A start-up
check (``deals.checks``) refuses settings whose sum passes the bank's 60 days.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

#: The longest a bank keeps a hold (its HOLD_MAX_DAYS).
BANK_HOLD_LIMIT = timedelta(days=60)


def shipping_window() -> timedelta:
    return settings.DEAL_SHIPPING_WINDOW


def confirmation_window() -> timedelta:
    return settings.DEAL_CONFIRMATION_WINDOW


def dispute_answer_window() -> timedelta:
    return settings.DEAL_DISPUTE_ANSWER_WINDOW


def dispute_limit() -> timedelta:
    return settings.DEAL_DISPUTE_LIMIT


def ship_reminder_before() -> timedelta:
    return settings.DEAL_SHIP_REMINDER_BEFORE


def answer_reminder_before() -> timedelta:
    return settings.DEAL_ANSWER_REMINDER_BEFORE


def confirm_reminder_before() -> timedelta:
    return settings.DEAL_CONFIRM_REMINDER_BEFORE


def hold_span() -> timedelta:
    """How long after the payment starts the bank must be able to keep the money held."""
    return shipping_window() + confirmation_window() + dispute_limit() + settings.DEAL_HOLD_MARGIN
