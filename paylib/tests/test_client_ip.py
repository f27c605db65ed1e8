"""The client's address: X-Forwarded-For trusted only as far as TRUSTED_PROXY_COUNT says."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from paylib.client_ip import client_ip


def request(forwarded: str | None = None, remote: str = "192.0.2.10") -> object:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_with_no_proxy_the_forwarded_header_is_ignored(settings: Settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("203.0.113.7")) == "192.0.2.10"  # type: ignore[arg-type]
    assert client_ip(request()) == "192.0.2.10"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        # What the client wrote itself stands left of what our proxy appended.
        (1, "10.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "10.6.6.6, 203.0.113.7, 198.51.100.2", "203.0.113.7"),
        (1, " 2001:db8::5 ", "2001:db8::5"),
        (1, "[2001:db8::5]:4711", "2001:db8::5"),
        (1, "203.0.113.7:4711", "203.0.113.7"),
        # Not through every proxy, or not an address: the connection's own address.
        (2, "203.0.113.7", "192.0.2.10"),
        (1, "", "192.0.2.10"),
        (1, "unknown", "192.0.2.10"),
        (1, "10.0.0.1, <script>", "192.0.2.10"),
    ],
)
def test_behind_proxies_the_client_is_the_entry_the_first_of_them_wrote(
    settings: Settings, count: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded)) == expected  # type: ignore[arg-type]
