"""Emails sent as outbox deliveries: one stable Message-ID per outbox message."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from .models import Message
from .services import mark_done


def message_id_for(message: Message) -> str:
    """The same Message-ID on every attempt, so that a repeat is recognisable as one."""
    sender = str(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "outbox@localhost")
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<outbox.{message.pk}.{int(message.created_at.timestamp())}@{domain}>"


def send_templated(
    message: Message,
    *,
    to: Sequence[str],
    language: str,
    templates: str,
    context: dict[str, object],
) -> None:
    """Render ``<templates>_subject.txt``, ``.txt`` and ``.html`` in ``language`` and send.

    ``templates`` is a path prefix such as ``"payments/email/paid"``.
    """
    with translation.override(language):
        subject = render_to_string(f"{templates}_subject.txt", context).strip()
        text = render_to_string(f"{templates}.txt", context)
        html = render_to_string(f"{templates}.html", context)
    connection = get_connection()
    email = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        to=list(to),
        headers={"Message-ID": message_id_for(message)},
        connection=connection,
    )
    email.attach_alternative(html, "text/html")
    # Opened here, the connection stays open after the send: the message is marked done as
    # soon as the server has accepted it, before the goodbye to the server, so that a worker
    # killed now sends it again only if it dies within those few milliseconds.
    connection.open()
    try:
        email.send()
        mark_done(message)
    finally:
        connection.close()
