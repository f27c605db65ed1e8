"""One-time form tokens: a form that moves money is carried out once per time it is shown.

A double click or a resent POST carries a token that is already used. The token is
consumed inside the caller's transaction while the session row is locked, so two
submissions of one form queue up and the second finds the token gone; if the caller's
transaction rolls back, the token comes back with it.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest

_KEEP = 10  # tokens per purpose: a few forms may be open in several tabs


def _key(purpose: str) -> str:
    return f"form_tokens.{purpose}"


def token_issue(request: HttpRequest, purpose: str) -> str:
    token = secrets.token_urlsafe(16)
    tokens = request.session.get(_key(purpose), [])[-(_KEEP - 1) :]
    request.session[_key(purpose)] = [*tokens, token]
    return token


def _stored_tokens(request: HttpRequest, purpose: str) -> list[str]:
    """The tokens as committed, read under a row lock (database sessions), else in memory."""
    key = request.session.session_key
    row = Session.objects.select_for_update().filter(session_key=key).first() if key else None
    if row is None:
        return list(request.session.get(_key(purpose), []))
    return list(request.session.decode(row.session_data).get(_key(purpose), []))


def token_consume(request: HttpRequest, purpose: str, token: str) -> bool:
    """Use ``token`` up; False if it was never issued or is already used.

    Call inside ``transaction.atomic`` together with the work it guards.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("token_consume() must run inside transaction.atomic().")
    tokens = _stored_tokens(request, purpose)
    if token not in tokens:
        request.session[_key(purpose)] = tokens
        return False
    request.session[_key(purpose)] = [t for t in tokens if t != token]
    request.session.save()
    return True


def token_restore(request: HttpRequest, purpose: str, token: str) -> None:
    """Give a token back after the guarded work was refused and rolled back."""
    tokens = request.session.get(_key(purpose), [])
    if token not in tokens:
        request.session[_key(purpose)] = [*tokens, token]
