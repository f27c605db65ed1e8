"""Sign-up confirms the address by email and reveals nothing: a new and a registered
address get the same answer; the emails (through the outbox) say the rest to the owner."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from conftest import db_snapshot
from paylib.outbox.models import Message
from users.models import User

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
SIGNUP = {
    "email": "New.Person@Example.com",
    "name": "New Person",
    "language": "ru",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def sign_up(capture: Capture, client: Client | None = None, **change: str) -> Any:
    with capture(execute=True):
        return (client or Client()).post(reverse("users:signup"), {**SIGNUP, **change})


def link_in(body: str) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000(/\S+/)", body)
    assert match is not None, body
    return match.group(1)


def test_a_new_and_a_registered_address_get_the_same_answer(
    user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    new = sign_up(django_capture_on_commit_callbacks)
    taken = sign_up(django_capture_on_commit_callbacks, email="OWNER@example.com")
    assert (new.status_code, new["Location"]) == (taken.status_code, taken["Location"])
    assert new["Location"] == reverse("users:signup_sent")
    page = Client().get(new["Location"]).content.decode()
    assert "We have sent you a link" in page
    # The owners learn the difference, in their mailboxes only.
    to_new, to_owner = mail.outbox
    assert to_new.to == ["new.person@example.com"]
    assert "/ru/users/verify/" in to_new.body  # in the language he chose
    assert to_owner.to == ["owner@example.com"]
    assert "already has an account" in to_owner.body
    assert "/users/password-reset/" in to_owner.body


def test_the_emails_leave_after_the_request_not_inside_it(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Client().post(reverse("users:signup"), SIGNUP)
    assert mail.outbox == []
    assert not User.objects.exists()  # made by the delivery, which also sends the link
    assert Message.objects.filter(kind="users.signup_email").count() == 1
    assert callbacks


def test_the_link_confirms_the_address_signs_in_and_works_once(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    sign_up(django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)
    client = Client()
    assert client.get(link).status_code == 200  # a page with a button: GET changes nothing
    assert not User.objects.get().email_verified
    response = client.post(link)
    assert response["Location"] == "/ru/"
    assert response.cookies["market_language"].value == "ru"
    assert User.objects.get().email_verified
    assert client.get(reverse("users:profile")).status_code == 200
    again = Client().post(link)
    assert again.status_code == 400
    assert "Ссылка недействительна" in again.content.decode()  # the link is in his language


@pytest.mark.parametrize(
    "link",
    [
        "/users/verify/MQ/bad-token/",
        "/users/verify/!!!/x/",
        "/users/verify/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/x/",
    ],
)
def test_a_forged_link_confirms_nothing(
    link: str, django_capture_on_commit_callbacks: Capture
) -> None:
    sign_up(django_capture_on_commit_callbacks)
    before = db_snapshot()
    assert Client().get(link).status_code == 400
    assert Client().post(link).status_code == 400
    assert db_snapshot() == before


def test_an_unconfirmed_account_cannot_sign_in(django_capture_on_commit_callbacks: Capture) -> None:
    sign_up(django_capture_on_commit_callbacks)
    email, password = "new.person@example.com", SIGNUP["password1"]
    response = Client().post(reverse("users:login"), {"username": email, "password": password})
    assert response.status_code == 200
    assert "Confirm your email address first" in response.content.decode()
    wrong = Client().post(reverse("users:login"), {"username": email, "password": "nope"})
    assert "Confirm your email" not in wrong.content.decode()  # only with the password


def test_signing_up_again_sends_a_new_link_and_the_old_one_dies(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    sign_up(django_capture_on_commit_callbacks)
    sign_up(
        django_capture_on_commit_callbacks,
        password1="second-long-phrase",
        password2="second-long-phrase",
    )
    first, second = (link_in(m.body) for m in mail.outbox)
    assert Client().post(first).status_code == 400
    assert Client().post(second).status_code == 302
    assert User.objects.get().check_password("second-long-phrase")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"name": "   "}, "name"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
        ({"language": "de"}, "language"),
    ],
)
def test_sign_up_with_bad_input_changes_nothing(
    user: User, change: dict[str, str], field: str
) -> None:
    before = db_snapshot()
    response = Client().post(reverse("users:signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert db_snapshot() == before
    assert not Message.objects.exists()


@override_settings(ACCOUNT_EMAIL_LIMIT_PER_ADDRESS=2)
def test_one_address_gets_at_most_the_limit_of_emails_and_the_page_says_the_same(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    answers = [sign_up(django_capture_on_commit_callbacks)["Location"] for _ in range(4)]
    assert set(answers) == {reverse("users:signup_sent")}
    assert len(mail.outbox) == 2


@override_settings(ACCOUNT_EMAIL_LIMIT_PER_IP=3)
def test_one_client_is_refused_past_the_limit_with_a_clear_message(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    for n in range(3):
        assert (
            sign_up(django_capture_on_commit_callbacks, email=f"p{n}@example.com").status_code
            == 302
        )
    before = db_snapshot()
    messages = Message.objects.count()
    response = sign_up(django_capture_on_commit_callbacks, email="p9@example.com")
    assert response.status_code == 429
    assert "Too many requests from your network" in response.content.decode()
    assert Message.objects.count() == messages
    assert db_snapshot() == before
    # Another client is not affected.
    other = sign_up(
        django_capture_on_commit_callbacks, Client(REMOTE_ADDR="10.9.9.9"), email="p9@example.com"
    )
    assert other.status_code == 302
