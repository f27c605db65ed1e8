"""The budgets that bound code guessing and code emails.

* Wrong codes per payer account: ``CONFIRMATION_WRONG_CODES_PER_ACCOUNT`` (20) in a sliding
  ``CONFIRMATION_BUDGET_WINDOW`` (24 h), across links and payments, resends and new
  operations: every wrong code counts, none is forgiven by a new code. Past it no code for
  the account is sent or checked, the owner is emailed (once), and he can lift the block
  on the bank's pages, which starts a fresh window.
* Wrong codes per API client: ``CONFIRMATION_WRONG_CODES_PER_CLIENT`` (300) in
  ``CONFIRMATION_CLIENT_WINDOW`` (1 h), across all accounts. Past it the client is in a
  degraded mode, not shut out (one attacker must not lock out every honest buyer of the
  platform): the bank keeps checking its codes, but each account tolerates only
  ``CONFIRMATION_WRONG_CODES_PER_ACCOUNT_DEGRADED`` (3) wrong codes from that client in the
  client's window; past that the client's codes for that account are refused
  (``client_codes_throttled``) until the window slides. An account without wrong codes
  from the client confirms as usual.
* Link-request code emails per account that nobody used (the link was never confirmed):
  ``CONFIRMATION_UNUSED_CODES_PER_ACCOUNT`` (10) in the 24-hour window, so that someone
  else's link requests cannot mail a customer without end (anyone who knows the number may
  ask). Payment and hold codes do not count and are not limited by it: they come from a
  link the owner approved. The code that reaches the limit tells the owner (once a
  window) that someone asked to link his account repeatedly; lifting a block lifts this
  too.

The account's counts are taken and written while its ``CodeBudget`` row is locked, so
concurrent guesses are counted exactly. Lock order: the operation's row (if any), then the
account's budget row; never the ledger's account row.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from api.models import ApiClient
from ledger.models import Account
from paylib.outbox.services import enqueue

from .effects import CODES_BLOCKED_EMAIL, LINK_REQUESTS_LIMITED_EMAIL
from .errors import AccountCodesBlocked, ClientCodesThrottled, CodeEmailLimit
from .models import CodeBudget, CodeEvent, Operation
from .selectors import budget_window, unused_link_codes_counted, wrong_codes_counted

logger = logging.getLogger(__name__)


def budget_lock(account: Account) -> CodeBudget:
    """The account's budget row, locked (created first if need be).

    Call inside ``transaction.atomic``, after locking the operation's row if there is one.
    """
    budget = CodeBudget.objects.select_for_update().filter(account=account).first()
    if budget is None:
        CodeBudget.objects.bulk_create([CodeBudget(account=account)], ignore_conflicts=True)
        budget = CodeBudget.objects.select_for_update().get(account=account)
    return budget


def _wrong_codes(budget: CodeBudget, now: datetime) -> int:
    return wrong_codes_counted(now).filter(account_id=budget.account_id).count()


def _unused_link_codes(budget: CodeBudget, now: datetime) -> QuerySet[CodeEvent]:
    return unused_link_codes_counted(now).filter(account_id=budget.account_id)


def _retry_after(events: QuerySet[CodeEvent], count: int, limit: int, window: timedelta) -> int:
    """Seconds until a window holding ``count`` of ``events`` holds fewer than ``limit``:
    until the (count - limit + 1)-th oldest of them slides out."""
    oldest = events.order_by("created_at").values_list("created_at", flat=True)[count - limit]
    return max(int((oldest + window - timezone.now()).total_seconds()) + 1, 1)


def check_codes_allowed(budget: CodeBudget, now: datetime) -> None:
    """Refuse sending or checking a code for an account whose budget is spent."""
    if _wrong_codes(budget, now) >= settings.CONFIRMATION_WRONG_CODES_PER_ACCOUNT:
        raise AccountCodesBlocked(
            "Too many wrong codes were entered for this account: the bank sends and checks "
            "no codes for it for now. Its owner can lift the block on the bank's pages."
        )


def check_client_allowed(client: ApiClient, budget: CodeBudget, now: datetime) -> None:
    """Refuse checking a code of ``client`` for ``budget``'s account when the client entered
    too many wrong codes lately and this account had its few in the degraded mode.

    Call holding ``budget``'s lock: the account's count is exact. The client's own count is
    taken without a lock (one would queue every confirmation of the platform), so it may
    be overshot by the confirmations in flight at that moment; the degraded mode starts
    then a moment later, and each account's tolerance is still exact.
    """
    window = timedelta(seconds=settings.CONFIRMATION_CLIENT_WINDOW)
    wrong = CodeEvent.objects.filter(
        client=client, kind=CodeEvent.Kind.WRONG, created_at__gte=now - window
    )
    if wrong.count() < settings.CONFIRMATION_WRONG_CODES_PER_CLIENT:
        return
    tolerated = settings.CONFIRMATION_WRONG_CODES_PER_ACCOUNT_DEGRADED
    on_account = wrong.filter(account_id=budget.account_id)
    count = on_account.count()
    if count >= tolerated:
        raise ClientCodesThrottled(
            "Too many wrong codes from this client lately, and for this account too; "
            "try again later.",
            extra={"retry_after": _retry_after(on_account, count, tolerated, window)},
        )


def check_code_email_allowed(budget: CodeBudget, operation: Operation, now: datetime) -> None:
    """Refuse emailing one more link-request code to an account that got too many nobody
    used. Codes of payments and hold requests are not limited here."""
    if operation.kind != Operation.Kind.LINK:
        return
    limit = settings.CONFIRMATION_UNUSED_CODES_PER_ACCOUNT
    unused = _unused_link_codes(budget, now)
    count = unused.count()
    if count >= limit:
        raise CodeEmailLimit(
            "This account was sent too many codes that were not used; try again later.",
            extra={"retry_after": _retry_after(unused, count, limit, budget_window())},
        )


def code_sent_record(budget: CodeBudget, operation: Operation, now: datetime) -> None:
    """Count a code sent; the link-request code that reaches the limit tells the owner."""
    CodeEvent.objects.create(
        account_id=budget.account_id,
        client_id=operation.client_id,
        operation=operation,
        kind=CodeEvent.Kind.SENT,
        created_at=now,
    )
    if operation.kind != Operation.Kind.LINK:
        return
    if _unused_link_codes(budget, now).count() < settings.CONFIRMATION_UNUSED_CODES_PER_ACCOUNT:
        return
    if _told_since(budget.links_notified_at, budget, now):
        return
    budget.links_notified_at = now
    budget.save(update_fields=["links_notified_at"])
    enqueue(
        LINK_REQUESTS_LIMITED_EMAIL,
        {"account": budget.account_id},
        key=f"link-requests-limited:{budget.account_id}:{now.isoformat()}",
    )
    logger.warning("Link requests limited for account %s: too many unused", budget.account_id)


def _told_since(told_at: datetime | None, budget: CodeBudget, now: datetime) -> bool:
    """Whether the owner was told at ``told_at`` within the window counting now."""
    counting_since = max(now - budget_window(), budget.window_from)
    return told_at is not None and told_at >= counting_since


def wrong_code_record(budget: CodeBudget, operation: Operation, now: datetime) -> None:
    """Count a wrong code; the one that spends the budget tells the owner (once a window)."""
    CodeEvent.objects.create(
        account_id=budget.account_id,
        client_id=operation.client_id,
        operation=operation,
        kind=CodeEvent.Kind.WRONG,
        created_at=now,
    )
    if _wrong_codes(budget, now) < settings.CONFIRMATION_WRONG_CODES_PER_ACCOUNT:
        return
    if _told_since(budget.notified_at, budget, now):
        return  # told of this block already
    budget.notified_at = now
    budget.save(update_fields=["notified_at"])
    enqueue(
        CODES_BLOCKED_EMAIL,
        {"account": budget.account_id},
        key=f"codes-blocked:{budget.account_id}:{now.isoformat()}",
    )
    logger.warning("Codes blocked for account %s: too many wrong codes", budget.account_id)


def account_codes_unblock(*, account: Account) -> bool:
    """The owner lifts the block: wrong and unused codes are counted afresh from now on.

    The caller has checked that the signed-in customer owns ``account``. Returns False
    (and changes nothing) if the account was not blocked.
    """
    with transaction.atomic():
        budget = budget_lock(account)
        now = timezone.now()
        wrong = _wrong_codes(budget, now) >= settings.CONFIRMATION_WRONG_CODES_PER_ACCOUNT
        unused = (
            _unused_link_codes(budget, now).count()
            >= settings.CONFIRMATION_UNUSED_CODES_PER_ACCOUNT
        )
        if not (wrong or unused):
            return False
        budget.window_from = now
        budget.save(update_fields=["window_from"])
    logger.info("The owner lifted the code block of account %s", account.pk)
    return True


def code_events_purge(*, now: datetime | None = None) -> int:
    """Forget code events too old to count for any budget (kept a while for staff)."""
    now = now or timezone.now()
    keep = timedelta(days=settings.CONFIRMATION_EVENTS_KEPT_DAYS)
    deleted, _ = CodeEvent.objects.filter(created_at__lt=now - keep).delete()
    return deleted
