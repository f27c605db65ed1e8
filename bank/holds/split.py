"""How a part of a hold is shared among its payees: one rule, exact to the kopeck.

A hold of 1000.00 for a seller (950.00) and the platform (50.00) captured for 600.00 must
pay the seller and the platform in the confirmed proportion, and the two must add up to
600.00 exactly. The rule (the largest-remainder method): each payee gets its proportional
share rounded down to the kopeck; the kopecks left over go one each to the payees with the
largest remainders, the earlier payee (the seller, who is listed first) first on a tie. So
every share is its exact quota rounded down or up, never more than the payee's own part,
and the shares always sum to the amount.

Refunds use the same rule over what each payee still holds of the capture, so a refund
never takes from a payee more than he received, and a full refund returns every kopeck.
"""

from __future__ import annotations

from collections.abc import Sequence


def split_proportionally(amount: int, parts: Sequence[int]) -> list[int]:
    """Share ``amount`` kopecks in proportion to ``parts`` (kopecks, ``0 <= amount <= sum``)."""
    total = sum(parts)
    if any(part < 0 for part in parts) or total <= 0:
        raise ValueError(f"parts must be non-negative with a positive sum, got {parts!r}")
    if not 0 <= amount <= total:
        raise ValueError(f"cannot share {amount} over parts summing to {total}")
    floors = [part * amount // total for part in parts]
    remainders = [part * amount % total for part in parts]
    left = amount - sum(floors)
    # Largest remainder first; on a tie the earlier position (stable sort on the index).
    order = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors
