"""The link that confirms a sign-up's email address: Django's token machinery, bound to
what the link confirms so that it works once and dies with any change of the account."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Valid for ``PASSWORD_RESET_TIMEOUT``; spent once the address is confirmed (the hash
    covers ``email_verified_at``), and when a new sign-up with the same address changes
    the pending account's password (so only the newest link works)."""

    key_salt = "users.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        verified = getattr(user, "email_verified_at", None)
        stamp = "" if verified is None else verified.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{stamp}{timestamp}{getattr(user, 'email', '')}"


email_verification_token = EmailVerificationTokenGenerator()
