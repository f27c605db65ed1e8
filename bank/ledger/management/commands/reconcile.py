from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from holds.selectors import hold_violations
from ledger.models import Account, Entry, Posting
from ledger.selectors import ledger_violations


class Command(BaseCommand):
    help = (
        "Check every ledger invariant: postings sum to zero, stored balances equal the sum "
        "of entries, no customer balance below zero, held amounts equal pending holds, no "
        "available balance below zero, captures and refunds add up. Exits 1 on any violation."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        violations = ledger_violations() + hold_violations()
        counts = (
            f"{Account.objects.count()} accounts, {Posting.objects.count()} postings, "
            f"{Entry.objects.count()} entries"
        )
        if not violations:
            self.stdout.write(self.style.SUCCESS(f"Ledger is consistent: {counts}."))
            return
        for violation in violations:
            self.stderr.write(f"{violation.rule}: {violation.detail}")
        self.stderr.write(self.style.ERROR(f"{len(violations)} violation(s) in {counts}."))
        raise SystemExit(1)
