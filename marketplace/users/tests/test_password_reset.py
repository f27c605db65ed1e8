"""Password reset: the same answer for any address, the email through the outbox after the
request, rate-limited like sign-up; completing it confirms the address."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from paylib.outbox.models import Message
from users.models import User

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def ask(capture: Capture, email: str, client: Client | None = None) -> Any:
    with capture(execute=True):
        return (client or Client()).post(reverse("users:password_reset"), {"email": email})


def test_reset_by_email_sets_a_new_password(
    user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    response = ask(django_capture_on_commit_callbacks, user.email)
    assert response["Location"] == reverse("users:password_reset_done")
    assert len(mail.outbox) == 1
    match = re.search(r"http://127\.0\.0\.1:8000(/\S+/)", mail.outbox[0].body)
    assert match is not None
    client = Client()
    response = client.get(match.group(1), follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    assert response["Location"] == reverse("users:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")


def test_a_known_and_an_unknown_address_cost_the_request_the_same(
    user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        known = Client().post(reverse("users:password_reset"), {"email": user.email})
        unknown = Client().post(reverse("users:password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert mail.outbox == []  # nothing is sent inside either request
    assert Message.objects.filter(kind="users.password_reset_email").count() == 2


def test_an_unknown_address_gets_no_email(
    db: None, django_capture_on_commit_callbacks: Capture
) -> None:
    response = ask(django_capture_on_commit_callbacks, "nobody@example.com")
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_email_is_in_the_users_language(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: Capture
) -> None:
    make_user("ru@example.com", language="ru")
    ask(django_capture_on_commit_callbacks, "ru@example.com")
    assert "/ru/users/password-reset/" in mail.outbox[0].body


@override_settings(ACCOUNT_EMAIL_LIMIT_PER_ADDRESS=2)
def test_one_address_gets_at_most_the_limit_of_reset_emails(
    user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    for _ in range(4):
        assert ask(django_capture_on_commit_callbacks, user.email).status_code == 302
    assert len(mail.outbox) == 2


@override_settings(ACCOUNT_EMAIL_LIMIT_PER_IP=2)
def test_one_client_is_refused_past_the_limit(
    user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    for n in range(2):
        ask(django_capture_on_commit_callbacks, f"x{n}@example.com")
    response = ask(django_capture_on_commit_callbacks, user.email)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert mail.outbox == []


def test_a_completed_reset_confirms_a_pending_address(
    make_user: Callable[..., User], django_capture_on_commit_callbacks: Capture
) -> None:
    pending = make_user("p@example.com", email_verified_at=None)
    ask(django_capture_on_commit_callbacks, pending.email)
    match = re.search(r"http://127\.0\.0\.1:8000(/\S+/)", mail.outbox[0].body)
    assert match is not None
    client = Client()
    form_url = client.get(match.group(1), follow=True).redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    pending.refresh_from_db()
    assert pending.email_verified
