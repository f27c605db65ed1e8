"""The one place where an amount is split between the seller and the platform.

Rounding rule: the commission is ``percent`` of the amount rounded half-up to the kopeck
(``paylib.money.percent_of``), raised to ``minimum`` when it falls below it, and capped at
the amount itself. The seller's net is what is left, so ``net + commission == amount``
holds by construction and no kopeck is ever created or lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paylib.money import percent_of

MAX_PERCENT = Decimal(100)


@dataclass(frozen=True)
class Split:
    net: int
    commission: int


def commission_split(amount: int, *, percent: Decimal, minimum: int) -> Split:
    if amount < 0:
        raise ValueError("The amount cannot be negative.")
    if minimum < 0:
        raise ValueError("The minimum commission cannot be negative.")
    if not Decimal(0) <= percent <= MAX_PERCENT:
        raise ValueError("The commission percent must be between 0 and 100.")
    commission = min(max(percent_of(amount, percent), minimum), amount)
    return Split(net=amount - commission, commission=commission)
