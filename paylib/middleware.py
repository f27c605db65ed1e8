"""Middleware both sites run: a bad address never reaches a view, a database fault is a 503.

``RejectControlCharactersMiddleware`` (first in the stack): a NUL or another control
character in the path or query string is a 400 before any view, URL pattern or lookup.

``VisitorLanguageMiddleware`` (in place of Django's ``LocaleMiddleware``): an address
under a language prefix (``/ru/...``) is in that language; any other address is in the
visitor's language: the one he chose (the language cookie, which signing in sets to his
profile's), else his browser's (``Accept-Language``), else English.

``DatabaseUnavailableMiddleware``: a database that fails for a moment is answered 503 with
``Retry-After``, never 500. A connection that PostgreSQL terminated (a restart, a failover,
``pg_terminate_backend``), a server that is briefly unreachable, SQLite's "database is
locked": Django raises ``OperationalError`` or ``InterfaceError``. Every write in these
services runs in one transaction, so such a fault left nothing half-done, and the request
may simply be sent again. The page says so in the visitor's language; API and ``.json``
paths get the API's JSON error shape. The broken connection is closed at once, so that the
next request opens a fresh one (``CONN_HEALTH_CHECKS`` checks the persistent ones before
they are reused).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


class VisitorLanguageMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware``, except that an address without a language prefix is
    not always in the default language.

    With ``i18n_patterns(prefix_default_language=False)`` Django serves every unprefixed
    address in ``LANGUAGE_CODE``: a Russian browser opening ``/`` got English, and a
    language chosen on one page was lost on the next address that has no prefix (a
    redirect, an emailed link, ``/i18n/``). Here the path's prefix still wins; without one,
    the cookie, then ``Accept-Language``, decide. Such a page differs by those two, so
    caches are told (``Vary``).
    """

    def process_request(self, request: HttpRequest) -> None:
        language = translation.get_language_from_request(request, check_path=True)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
_FAILED = "_paylib_database_failed"


def is_database_fault(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """Put it right after the security and static-file middleware: it answers for a view's
    database fault (``process_exception``) and for one raised by a middleware inside it,
    such as the session's save, which Django has already turned into a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _FAILED, False):
            return database_unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_fault(exception):
            return None
        logger.warning(
            "Database fault, answered 503: %s %s", request.method, request.path, exc_info=exception
        )
        return database_unavailable(request)


def _remember_database_fault(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Django's signal for an exception it turns into a 500, outside any view."""
    if request is not None and is_database_fault(sys.exc_info()[1]):
        setattr(request, _FAILED, True)


got_request_exception.connect(_remember_database_fault, dispatch_uid="paylib-database-fault")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    _close_broken_connections()
    message = _("The service is busy for a moment. Nothing was lost. Please try again.")
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(
            {"error": {"code": "temporarily_unavailable", "message": message}}, status=503
        )
    else:
        response = HttpResponse(_page(request, message), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _page(request: HttpRequest, message: str) -> str:
    """A page that needs nothing from the database, not even the signed-in user."""
    return format_html(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{}</title></head><body><main><h1>{}</h1><p>{}</p>"
        '<p><a href="{}">{}</a></p></main></body></html>',
        get_language() or "en",
        _("Busy for a moment"),
        _("Busy for a moment"),
        message,
        request.get_full_path(),
        _("Try again"),
    )


def _close_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
