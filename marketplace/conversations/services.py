"""Writing on a deal: the only writes to ``DealMessage``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction

from core.idempotency import create_once
from core.images import CleanImage
from core.storage import removed_if_rolled_back, written
from deals.models import Deal
from notifications.services import notify
from paylib.text import to_one_line
from users.models import User

from .models import MAX_PHOTOS, Author, DealMessage, DealMessagePhoto

EXCERPT_LENGTH = 140


def deal_message_create(
    *,
    deal: Deal,
    author: User,
    role: str,
    text: str,
    idempotency_key: uuid.UUID,
    photos: Sequence[CleanImage] = (),
    tell: bool = True,
) -> DealMessage:
    """Record what ``author`` (the deal's buyer, seller, or staff: ``role``) wrote, with its
    ``photos``, and tell the other party (both parties when staff write) unless the caller
    tells them itself (``tell=False``: a dispute's notice says more). A repeat of the same
    form (``idempotency_key``) finds the first message and stores and tells nothing.

    The caller has checked that ``author`` may see the deal and validated ``text`` and the
    photos (``core.images.image_clean``).
    """
    if len(photos) > MAX_PHOTOS:
        raise ValueError(f"At most {MAX_PHOTOS} photos in a message")
    if role not in Author.values:
        raise ValueError(f"{role!r} does not write on deals")

    def create() -> DealMessage:
        message = DealMessage.objects.create(
            deal=deal, author=author, role=role, text=text, idempotency_key=idempotency_key
        )
        for position, photo in enumerate(photos):
            stored = DealMessagePhoto.objects.create(
                message=message,
                image=photo.as_file(),
                format=photo.format,
                width=photo.width,
                height=photo.height,
                position=position,
            )
            written(stored.image.storage, str(stored.image.name))
        if not tell:
            return message
        readers = {Author.BUYER: [deal.seller], Author.SELLER: [deal.buyer]}
        notify(
            users=readers.get(Author(role), [deal.buyer, deal.seller]),
            kind="message",
            deal=deal,
            key=f"deal-message-{message.pk}",
            author=author.name,
            excerpt=_excerpt(text),
        )
        return message

    with removed_if_rolled_back(), transaction.atomic():
        return create_once(
            DealMessage, key={"author": author, "idempotency_key": idempotency_key}, create=create
        )


def _excerpt(text: str) -> str:
    line = to_one_line(text)
    return line if len(line) <= EXCERPT_LENGTH else f"{line[: EXCERPT_LENGTH - 1]}…"
