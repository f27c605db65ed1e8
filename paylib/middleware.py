"""Middleware that both sites run first."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

# C0 controls and DEL. NUL reaches PostgreSQL as a 500 (it refuses NUL in text); the rest
# have no business in an address either, and a view should never have to think about them.
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


class RejectControlCharactersMiddleware:
    """Answer 400 to a request whose path or query string holds a control character.

    Checked once, before any view, URL pattern or lookup sees the value: the decoded path
    (``%00`` is a NUL to Django) and the query string decoded as ``QueryDict`` will decode
    it. The site's ``handler400`` words the answer (JSON under ``/api/``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if _CONTROL.search(request.path.encode()) or _CONTROL.search(unquote_to_bytes(query)):
            raise BadRequest("Control characters in the request path or query string.")
        return self.get_response(request)
