"""Writes on users: sign-up and profile changes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from paylib.errors import ApplicationError

from .models import User


def user_create(*, email: str, name: str, password: str, language: str = "en") -> User:
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ApplicationError(_("A user with this email already exists."), field="email")
        return User.objects.create_user(email, password, name=name.strip(), language=language)


def user_update_profile(*, user: User, name: str, language: str) -> User:
    with transaction.atomic():
        user.name = name.strip()
        user.language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["name", "language"])
    return user
