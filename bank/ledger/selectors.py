"""Reads of the ledger, including the invariant checks behind ``manage.py reconcile``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from .models import Account, Entry, Posting


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: str


def ledger_violations() -> list[Violation]:
    """Every broken invariant of the ledger; an empty list means the books are sound."""
    violations: list[Violation] = []
    unbalanced = (
        Posting.objects.annotate(total=Coalesce(Sum("entries__amount"), 0), n=Count("entries"))
        .filter(~Q(total=0) | Q(n__lt=2))
        .values_list("pk", "total", "n")
    )
    violations += [
        Violation("posting_balanced", f"posting {pk}: {n} entries summing to {total}")
        for pk, total, n in unbalanced
    ]
    drifted = (
        Account.objects.annotate(entries_total=Coalesce(Sum("entries__amount"), 0))
        .exclude(balance=F("entries_total"))
        .values_list("number", "balance", "entries_total")
    )
    violations += [
        Violation("balance_matches_entries", f"account {n}: stored {b}, entries sum to {t}")
        for n, b, t in drifted
    ]
    negative = Account.objects.filter(kind=Account.Kind.CUSTOMER, balance__lt=0)
    violations += [
        Violation("customer_not_negative", f"account {a.number}: balance {a.balance}")
        for a in negative
    ]
    total = Entry.objects.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    if total != 0:
        violations.append(Violation("ledger_sums_to_zero", f"all entries sum to {total}"))
    return violations
