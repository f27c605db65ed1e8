"""Reads on deal messages: whoever may see the deal (``deals.selectors.deal_get_for_user``)
sees all of its messages."""

from __future__ import annotations

from django.db.models import QuerySet

from deals.models import Deal

from .models import DealMessage


def deal_messages(*, deal: Deal) -> QuerySet[DealMessage]:
    """Oldest first, as a conversation reads."""
    return (
        DealMessage.objects.filter(deal=deal).select_related("author").order_by("created_at", "id")
    )
