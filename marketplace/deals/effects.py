"""What deals deliver through the outbox: the bank calls that capture, release or refund.

Each is recorded in the transaction of the move that makes it due (``deal_transition``,
``deal_refund``), under a key of the deal or the refund, so it is made once however often
the move is tried; the outbox delivers it until it is done. The bank call itself carries a
key derived from the deal (``deal-<pk>-<hold>-capture``...), so a delivery repeated after
a lost answer changes nothing at the bank. What the bank did is written by
``deals.money``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paylib.outbox.models import Message
from paylib.outbox.registry import handler

if TYPE_CHECKING:
    from .models import Deal

MONEY_EFFECT = "deals.money"
REFUND_EFFECT = "deals.refund"


def money_key(deal: Deal) -> str:
    """The outbox key of a deal's one capture or release (a deal has at most one)."""
    return f"deal-{deal.pk}-{deal.money_due}"


@handler(MONEY_EFFECT)
def carry_out_money(message: Message) -> None:
    """Capture or release the deal's hold; a bank that does not answer is tried again."""
    from .money import deal_money_settle  # deals.money moves deals: imported when needed

    deal_money_settle(deal_id=int(message.payload["deal"]))


@handler(REFUND_EFFECT)
def carry_out_refund(message: Message) -> None:
    """Give money of a paid deal back to the buyer at the bank."""
    from .money import refund_settle

    refund_settle(refund_id=int(message.payload["refund"]))
