from __future__ import annotations

import pytest

from paylib.errors import ApplicationError
from users.models import User
from users.services import user_create, user_update_profile

pytestmark = pytest.mark.django_db


def test_user_create_stores_a_lowercase_email_and_a_hashed_password() -> None:
    user = user_create(email="A@B.example", name=" Ann ", password="long-secret-words")
    assert (user.email, user.name) == ("a@b.example", "Ann")
    assert user.password != "long-secret-words"
    assert user.check_password("long-secret-words")


def test_user_create_refuses_a_taken_email_in_any_case(user: User) -> None:
    with pytest.raises(ApplicationError):
        user_create(email="OWNER@example.com", name="Copy", password="long-secret-words")
    assert User.objects.count() == 1


def test_user_update_profile(user: User) -> None:
    user_update_profile(user=user, name="New", language="ru")
    user.refresh_from_db()
    assert (user.name, user.language) == ("New", "ru")
