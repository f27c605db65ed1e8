from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import client_for, db_snapshot
from users.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "New.Person@Example.com",
    "name": "New Person",
    "language": "ru",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def test_sign_up_creates_the_user_signs_him_in_and_switches_to_his_language() -> None:
    client = Client()
    response = client.post(reverse("users:signup"), SIGNUP)
    user = User.objects.get()
    assert user.email == "new.person@example.com"
    assert user.language == "ru"
    assert user.check_password("a-long-unusual-passphrase")
    assert response.status_code == 302
    assert response["Location"] == "/ru/"
    assert response.cookies["market_language"].value == "ru"
    assert client.get(reverse("users:profile")).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "owner@example.com"}, "email"),
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


def test_sign_in_redirects_in_the_users_language(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("ru@example.com", language="ru")
    response = Client().post(
        reverse("users:login"), {"username": "ru@example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ru/"
    assert response.cookies["market_sessionid"].value


def test_sign_in_with_a_wrong_password_is_refused(user: User) -> None:
    response = Client().post(reverse("users:login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_login(user: User) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("users:login"), {"username": user.email, "password": "wrong"})
    response = client.post(
        reverse("users:login"), {"username": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429


def test_sign_out_ends_the_session(user: User) -> None:
    client = client_for(user)
    response = client.post(reverse("users:logout"))
    assert response.status_code == 302
    assert client.get(reverse("users:profile")).status_code == 302


def test_profile_saves_name_and_language(user: User) -> None:
    client = client_for(user)
    response = client.post(reverse("users:profile"), {"name": "Olga O.", "language": "ru"})
    user.refresh_from_db()
    assert (user.name, user.language) == ("Olga O.", "ru")
    assert response["Location"] == "/ru/users/profile/"


def test_profile_with_an_empty_name_changes_nothing(user: User) -> None:
    client = client_for(user)
    before = db_snapshot()
    response = client.post(reverse("users:profile"), {"name": " ", "language": "ru"})
    assert response.status_code == 200
    assert db_snapshot() == before


def test_password_reset_by_email_sets_a_new_password(user: User) -> None:
    client = Client()
    response = client.post(reverse("users:password_reset"), {"email": user.email})
    assert response["Location"] == reverse("users:password_reset_done")
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/\S+/)", mail.outbox[0].body)
    assert match is not None
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


def test_password_reset_for_an_unknown_email_sends_nothing(db: None) -> None:
    response = Client().post(reverse("users:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
