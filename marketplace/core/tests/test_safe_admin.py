"""An admin action on a row that is no key is refused with a message, not a 500 (the
fuzzer found it on the bank); every ModelAdmin of the site is hardened so."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.test import Client

from conftest import client_for
from offers.models import Offer
from paylib.safe_admin import KeySafeMixin, SafeAdminSite
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("selected", ["x", "9" * 400])
def test_an_action_on_a_row_that_is_no_key_changes_nothing(
    staff_user: User, user: User, make_offer: Callable[..., Offer], selected: str
) -> None:
    make_offer(user)
    client: Client = client_for(staff_user)
    response = client.post(
        "/admin/users/user/",
        {"_selected_action": selected, "action": "delete_selected", "index": "0"},
    )
    assert response.status_code == 302
    assert User.objects.filter(pk=user.pk).exists()


def test_every_registered_admin_is_hardened() -> None:
    assert isinstance(admin.site, SafeAdminSite)
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, KeySafeMixin), model_admin
