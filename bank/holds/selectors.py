"""Reads of holds, including the invariant checks that ``manage.py reconcile`` adds."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from api.models import ApiClient
from ledger.models import Account
from ledger.selectors import Violation

from .errors import HoldNotFound
from .models import Hold, HoldLeg, Refund
from .state import HoldStatus


def hold_get_for_client(*, client: ApiClient, hold_id: uuid.UUID | str) -> Hold:
    """The client's own hold; another client's is as good as missing (404)."""
    try:
        return Hold.objects.select_related("account").get(public_id=hold_id, client=client)
    except (Hold.DoesNotExist, ValueError, ValidationError):
        raise HoldNotFound("No such hold.") from None


def holds_of_payer(account: Account) -> QuerySet[Hold]:
    """The holds on ``account`` as payer, newest first, each with its payees and refunds."""
    legs = HoldLeg.objects.select_related("account__customer").order_by("position")
    return (
        Hold.objects.filter(account=account)
        .prefetch_related(Prefetch("legs", queryset=legs), "refunds")
        .order_by("-id")
    )


def _sum(rows: QuerySet[Any], *, by: str, field: str = "amount") -> Coalesce:
    """The sum of ``field`` over ``rows`` (a queryset filtered on an OuterRef), or 0."""
    totals = rows.order_by().values(by).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(totals), Value(0))


def hold_violations() -> list[Violation]:
    """Every broken invariant of holds; an empty list means they are sound."""
    violations: list[Violation] = []
    pending = Hold.objects.filter(account=OuterRef("pk"), status=HoldStatus.PENDING)
    wrong_held = (
        Account.objects.annotate(pending=_sum(pending, by="account"))
        .exclude(held=F("pending"))
        .values_list("number", "held", "pending")
    )
    violations += [
        Violation("held_matches_pending_holds", f"account {n}: holds {h}, pending holds sum {p}")
        for n, h, p in wrong_held
    ]
    overspent = Account.objects.filter(kind=Account.Kind.CUSTOMER, balance__lt=F("held"))
    violations += [
        Violation("available_not_negative", f"account {a.number}: {a.balance} < held {a.held}")
        for a in overspent
    ]
    legs = HoldLeg.objects.filter(hold=OuterRef("pk"))
    refunds = Refund.objects.filter(hold=OuterRef("pk"))
    unsound = (
        Hold.objects.exclude(status=HoldStatus.PENDING)
        .annotate(
            legs_captured=_sum(legs, by="hold", field="captured"),
            legs_refunded=_sum(legs, by="hold", field="refunded"),
            refund_total=_sum(refunds, by="hold"),
        )
        .filter(
            ~Q(legs_captured=F("captured"))
            | ~Q(legs_refunded=F("refunded"))
            | ~Q(refund_total=F("refunded"))
            | Q(refunded__gt=F("captured"))
            | Q(captured__gt=F("amount"))
        )
        .values_list("public_id", "amount", "captured", "refunded")
    )
    violations += [
        Violation(
            "hold_resolved_exactly",
            f"hold {pk}: held {a}, captured {c}, refunded {r} (legs or refunds disagree)",
        )
        for pk, a, c, r in unsound
    ]
    return violations
