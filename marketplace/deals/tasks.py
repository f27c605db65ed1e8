from __future__ import annotations

import logging

from celery import shared_task

from .services import deals_expire_unpaid

logger = logging.getLogger(__name__)


@shared_task(name="deals.tasks.expire_unpaid_deals")
def expire_unpaid_deals() -> int:
    expired = deals_expire_unpaid()
    if expired:
        logger.info("Expired %d unpaid deals", expired)
    return expired
