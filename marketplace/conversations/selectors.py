"""Reads on deal messages: whoever may see the deal (``deals.selectors.deal_get_for_user``)
sees all of its messages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from deals.models import Deal

from .models import DealMessage, DealMessagePhoto


def deal_messages(*, deal: Deal) -> QuerySet[DealMessage]:
    """Oldest first, as a conversation reads."""
    return (
        DealMessage.objects.filter(deal=deal)
        .select_related("author")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )


def deal_message_photo_get(*, deal: Deal, photo_id: int) -> DealMessagePhoto:
    """A photo of a message on ``deal`` (which the caller may see); any other is a 404."""
    photo = DealMessagePhoto.objects.filter(pk=photo_id, message__deal=deal).first()
    if photo is None:
        raise Http404
    return photo
