from __future__ import annotations

import logging

from celery import shared_task

from .money import deals_reconcile
from .services import deals_expire_unpaid
from .timers import (
    deals_cancel_unshipped,
    deals_release_unconfirmed,
    deals_remind_to_confirm,
    deals_remind_to_ship,
    disputes_flag_unanswered,
    disputes_refund_overdue,
    disputes_remind_to_answer,
)

logger = logging.getLogger(__name__)


@shared_task(name="deals.tasks.expire_unpaid_deals")
def expire_unpaid_deals() -> int:
    expired = deals_expire_unpaid()
    if expired:
        logger.info("Expired %d unpaid deals", expired)
    return expired


@shared_task(name="deals.tasks.cancel_unshipped_deals")
def cancel_unshipped_deals() -> int:
    return deals_cancel_unshipped()


@shared_task(name="deals.tasks.remind_to_ship")
def remind_to_ship() -> int:
    return deals_remind_to_ship()


@shared_task(name="deals.tasks.release_unconfirmed_deals")
def release_unconfirmed_deals() -> int:
    return deals_release_unconfirmed()


@shared_task(name="deals.tasks.remind_to_confirm")
def remind_to_confirm() -> int:
    return deals_remind_to_confirm()


@shared_task(name="deals.tasks.refund_overdue_disputes")
def refund_overdue_disputes() -> int:
    return disputes_refund_overdue()


@shared_task(name="deals.tasks.remind_to_answer")
def remind_to_answer() -> int:
    return disputes_remind_to_answer()


@shared_task(name="deals.tasks.flag_unanswered_disputes")
def flag_unanswered_disputes() -> int:
    return disputes_flag_unanswered()


@shared_task(name="deals.tasks.reconcile_deal_holds")
def reconcile_deal_holds() -> dict[str, list[int]]:
    """Periodic: every deal whose money is at stake against its hold at the bank."""
    report = deals_reconcile()
    if report.flagged:
        logger.error("Deals flagged for staff by the reconciliation: %s", report.flagged)
    return {"settled": report.settled, "flagged": report.flagged}
