"""The shared middleware answers 400 to a control character in an address on this site too."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/?q=%00", "/?q=a%0Ab", "/?after=%00", "/offers/%00/", "/users/%00/", "/ru/?q=%7F"],
)
def test_a_control_character_in_an_address_is_a_bad_request(client: Client, path: str) -> None:
    assert client.get(path).status_code == 400


def test_an_ordinary_search_is_unaffected(client: Client) -> None:
    assert client.get("/?q=%D0%B2%D0%B5%D0%BB%D0%BE%20bike").status_code == 200
