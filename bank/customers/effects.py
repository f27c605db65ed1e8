"""What customers deliver through the outbox: the password-reset email."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from paylib.outbox.mail import send_templated
from paylib.outbox.models import Message
from paylib.outbox.registry import handler

from .models import Customer
from .services import PASSWORD_RESET_EMAIL


@handler(PASSWORD_RESET_EMAIL)
def send_password_reset_email(message: Message) -> None:
    """A link to choose a new password, to the customer with this address if there is an
    active one (the token is made now, so the database never holds a usable one)."""
    for customer in PasswordResetForm().get_users(message.payload["email"]):
        assert isinstance(customer, Customer)
        context = {
            "customer": customer,
            "site_url": settings.BANK_SITE_URL,
            "uid": urlsafe_base64_encode(force_bytes(customer.pk)),
            "token": default_token_generator.make_token(customer),
        }
        send_templated(
            message,
            to=[customer.email],
            language=customer.language,
            templates="customers/email/password_reset",
            context=context,
        )
