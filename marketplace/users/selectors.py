"""Reads on users."""

from __future__ import annotations

from .models import User


def user_email_taken(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()
