"""What users deliver through the outbox: the sign-up and password-reset emails."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from paylib.outbox.mail import send_templated
from paylib.outbox.models import Message
from paylib.outbox.registry import handler

from .models import User
from .services import PASSWORD_RESET_EMAIL, SIGNUP_EMAIL, signup_register
from .tokens import email_verification_token


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


@handler(SIGNUP_EMAIL, scrub=True)  # the payload holds a password hash: emptied once sent
def send_signup_email(message: Message) -> None:
    """A confirmation link for a new (or still pending) account; for an address that has
    a confirmed account, an email telling its owner someone tried to sign up with it."""
    payload = message.payload
    user, pending = signup_register(
        email=payload["email"],
        name=payload["name"],
        language=payload["language"],
        password_hash=payload["password_hash"],
    )
    context: dict[str, object] = {"user": user, "site_url": settings.SITE_URL}
    if pending:
        context.update(uid=_uid(user), token=email_verification_token.make_token(user))
        templates = "users/email/verify"
    else:
        templates = "users/email/already_registered"
    send_templated(
        message, to=[user.email], language=user.language, templates=templates, context=context
    )


@handler(PASSWORD_RESET_EMAIL)
def send_password_reset_email(message: Message) -> None:
    """A link to choose a new password, to the account of this address if there is one
    (the token is made now, so the database never holds a usable one)."""
    for user in PasswordResetForm().get_users(message.payload["email"]):
        assert isinstance(user, User)
        context = {
            "user": user,
            "site_url": settings.SITE_URL,
            "uid": _uid(user),
            "token": default_token_generator.make_token(user),
        }
        send_templated(
            message,
            to=[user.email],
            language=user.language,
            templates="users/email/password_reset",
            context=context,
        )
