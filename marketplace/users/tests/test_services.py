from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from conftest import client_for
from paylib.outbox.models import Message
from users.models import User
from users.services import signup_register, signup_request, user_update_profile, user_verify_email
from users.tokens import email_verification_token

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


PASSWORD = "long-secret-words"


def _sign_up(capture: Capture, email: str, password: str = PASSWORD) -> None:
    with capture(execute=True):
        signup_request(email=email, name=" Ann ", language="ru", password=password, ip="10.0.0.1")


def test_a_sign_up_makes_a_pending_account_with_a_hashed_password(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _sign_up(django_capture_on_commit_callbacks, "A@B.example")
    user = User.objects.get()
    assert (user.email, user.name, user.language) == ("a@b.example", "Ann", "ru")
    assert user.check_password("long-secret-words")
    assert not user.email_verified
    assert len(mail.outbox) == 1
    # The delivered message no longer holds the password hash.
    assert Message.objects.get().payload == {}


def test_a_sign_up_with_a_confirmed_address_changes_nothing(
    user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    before = User.objects.values_list().get()
    _sign_up(django_capture_on_commit_callbacks, "OWNER@example.com", password="another-one-here")
    assert User.objects.values_list().get() == before
    assert "already has an account" in mail.outbox[0].body


def test_the_newest_sign_up_takes_over_a_pending_account_and_the_old_link_dies() -> None:
    user, pending = signup_register(
        email="p@example.com", name="First", language="en", password_hash="md5$a$first"
    )
    assert pending
    old_token = email_verification_token.make_token(user)
    user, pending = signup_register(
        email="p@example.com", name="Second", language="ru", password_hash="md5$a$second"
    )
    assert pending
    assert (User.objects.count(), user.name, user.language) == (1, "Second", "ru")
    assert not email_verification_token.check_token(user, old_token)
    assert email_verification_token.check_token(user, email_verification_token.make_token(user))


def test_a_confirmation_works_once_and_spends_the_link() -> None:
    user, _ = signup_register(
        email="p@example.com", name="P", language="en", password_hash="md5$a$hash"
    )
    token = email_verification_token.make_token(user)
    assert user_verify_email(user=user)
    assert not user_verify_email(user=user)
    user.refresh_from_db()
    assert user.email_verified
    assert not email_verification_token.check_token(user, token)


def test_users_made_by_staff_or_commands_are_confirmed(make_user: Callable[..., User]) -> None:
    assert make_user().email_verified


def test_the_migration_confirms_everyone_who_joined_before(make_user: Callable[..., User]) -> None:
    old = make_user(email_verified_at=None)
    importlib.import_module("users.migrations.0002_email_verified_at").everyone_so_far_is_verified(
        apps, None
    )
    old.refresh_from_db()
    assert old.email_verified_at == old.date_joined


def test_user_update_profile(user: User) -> None:
    user_update_profile(user=user, name="New", language="ru")
    user.refresh_from_db()
    assert (user.name, user.language) == ("New", "ru")


def test_a_user_staff_add_in_the_admin_can_sign_in(staff_user: User) -> None:
    response = client_for(staff_user).post(
        "/admin/users/user/add/",
        {
            "email": "added@example.com",
            "name": "Added",
            "language": "en",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(email="added@example.com").email_verified
    signed_in = Client().post(
        "/users/login/",
        {"username": "added@example.com", "password": "a-long-unusual-passphrase"},
    )
    assert signed_in.status_code == 302
