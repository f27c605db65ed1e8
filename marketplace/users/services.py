"""Writes on users: sign-up with a confirmed address, password-reset requests, profiles.

Sign-up and password reset answer the same whether or not the address has an account;
what differs is only the email, which goes to the address's owner. Both emails leave
through the outbox after the request, never inside it, so that no answer takes longer for
a registered address; both are rate-limited per address (silently: a message would tell
that the address was asked for) and per client IP (with a message: that reveals nothing).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.ratelimit import Limit, ratelimit_purge, ratelimit_take
from paylib.errors import ApplicationError
from paylib.outbox.services import enqueue

from .models import User

SIGNUP_EMAIL = "users.signup_email"
PASSWORD_RESET_EMAIL = "users.password_reset_email"  # noqa: S105 - a kind, not a secret


class TooManyRequests(ApplicationError):
    status = 429
    code = "too_many_requests"


def _limits() -> tuple[Limit, Limit]:
    window = timedelta(seconds=settings.ACCOUNT_EMAIL_WINDOW)
    return (
        Limit("account-email-ip", settings.ACCOUNT_EMAIL_LIMIT_PER_IP, window),
        Limit("account-email-address", settings.ACCOUNT_EMAIL_LIMIT_PER_ADDRESS, window),
    )


def _email_throttled(kind: str, payload: dict[str, str], *, email: str, ip: str | None) -> None:
    """Enqueue ``kind`` for ``email`` unless a limit says no. Call inside a transaction.

    The client's bucket is locked before the address's, in every caller.
    """
    by_ip, by_address = _limits()
    if ip and not ratelimit_take(by_ip, ip):
        raise TooManyRequests(_("Too many requests from your network. Please try again later."))
    if ratelimit_take(by_address, email):
        enqueue(kind, payload)
    ratelimit_purge()


def normalize_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def signup_request(*, email: str, name: str, language: str, password: str, ip: str | None) -> None:
    """Ask for an account; the address's owner gets a confirmation link, or, if it has an
    account already, an email saying so. The answer to the request is the same either way."""
    email = normalize_email(email)
    payload = {
        "email": email,
        "name": name.strip(),
        "language": language,
        "password_hash": make_password(password),  # hashed here: the payload holds no password
    }
    with transaction.atomic():
        _email_throttled(SIGNUP_EMAIL, payload, email=email, ip=ip)


def signup_register(
    *, email: str, name: str, language: str, password_hash: str
) -> tuple[User, bool]:
    """The account a sign-up asks for (the outbox delivery calls this): new, or a pending
    one taken over by the newest sign-up. True with it if it awaits confirmation; False if
    the address belongs to a confirmed account, which is left unchanged."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, name=name, language=language, password=password_hash)
            user.full_clean(exclude=["password"])
            user.email_verified_at = None
            user.save()
            return user, True
        if user.email_verified_at is not None:
            return user, False
        # Not confirmed yet: whoever confirms owns the address. The new password hash
        # also makes every earlier link invalid (the token covers it).
        user.name, user.language, user.password = name, language, password_hash
        user.save(update_fields=["name", "language", "password"])
        return user, True


def user_verify_email(*, user: User) -> bool:
    """Mark the address confirmed; False if it already was (a link is good once)."""
    with transaction.atomic():
        now = timezone.now()
        done = User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
            email_verified_at=now
        )
    if done:
        user.email_verified_at = now
    return bool(done)


def password_reset_request(*, email: str, ip: str | None) -> None:
    """Email a reset link if ``email`` has an account; the answer is the same if not (the
    delivery looks the account up, after the request)."""
    email = normalize_email(email)
    with transaction.atomic():
        _email_throttled(PASSWORD_RESET_EMAIL, {"email": email}, email=email, ip=ip)


def user_update_profile(*, user: User, name: str, language: str) -> User:
    with transaction.atomic():
        user.name = name.strip()
        user.language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["name", "language"])
    return user
