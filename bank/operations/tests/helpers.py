from __future__ import annotations

from django.core import mail

from paylib.smtp_catcher import extract_code


def last_code(to: str | None = None) -> str:
    """The code in the newest email (to ``to``, if given) in Django's test outbox."""
    messages = [m for m in mail.outbox if to is None or to in m.to]
    assert messages, "no code email was sent"
    return extract_code(str(messages[-1].body))
