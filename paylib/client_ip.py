"""The client's address, the one that sign-in throttling (django-axes) and every rate limit
key on.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies each one appends the address it was reached
from to ``X-Forwarded-For``, so the client is the ``TRUSTED_PROXY_COUNT``-th entry from the
right: entries further left were written by the client and prove nothing. With 0 (the
default: the site faces the clients itself) the header is ignored altogether, so a
client cannot choose the address it is counted under.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address to count ``request`` under (``AXES_CLIENT_IP_CALLABLE`` too)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote  # not sent through all the proxies: nothing to trust in it
    return _address(hops[-proxies]) or remote


def _address(text: str) -> str | None:
    """``text`` as an IP address, or None; a port or brackets some proxies add are dropped."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
