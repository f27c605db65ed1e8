"""Reads on users."""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from .models import User
from .tokens import email_verification_token


def user_from_verification_link(*, uidb64: str, token: str) -> User | None:
    """The pending account a confirmation link names, if the link is genuine and unused."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not -(2**63) < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, email_verified_at__isnull=True).first()
    if user is None or not email_verification_token.check_token(user, token):
        return None
    return user
