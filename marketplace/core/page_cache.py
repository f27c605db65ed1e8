"""Whole pages kept a few seconds for visitors who are not signed in.

The catalogue's first page and its popular searches are what most visitors open, and for
everyone who is not signed in they are the same page: the same offers, the same count, the
same filters, in his language. ``shared_page`` keeps such a page rendered in the process's
``pages`` cache for ``SHARED_PAGE_SECONDS`` (a few seconds: an offer that sells out or
changes price shows in its old state for at most that long to visitors who are not signed
in; a signed-in user, a seller among them, always gets the page rendered for him).

One thing on the page is the visitor's own: his CSRF token, in the footer's language form.
The view renders the page with a placeholder in its place (the view's context outranks the
``csrf`` context processor) and every answer, cached or fresh, gets the visitor's own token
put in, so a cached page never carries another visitor's token.

A page is shared only for a GET by a visitor who is not signed in and has no pending
messages (a notice is his alone), whose query string names only the view's own parameters
(an address with ``?utm_source=...`` or random junk is rendered for its visitor, not
stored: nobody could fill the cache with addresses of his own making), and only when it
rendered with 200. The key is the language and the full path with its query string, so
every page of results is its own entry (docs/benchmarks.md, the catalogue).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils.translation import get_language

CACHE = "pages"
#: Bumped when a template changes in a way the key does not show (a deployment restarts
#: the processes, whose memory holds the pages, so this is for caches shared between them).
VERSION = 1
View = Callable[..., HttpResponse]


def placeholder() -> str:
    """What stands for the visitor's CSRF token in a stored page: letters and digits only,
    so that escaping leaves it as it is, and random, so that no offer's text contains it.
    Stored with the page, so that a cache shared between processes works too."""
    return "csrfplaceholder" + secrets.token_hex(16)


def shareable(request: HttpRequest, params: frozenset[str]) -> bool:
    """Whether ``request`` gets the page every visitor who is not signed in gets."""
    if request.method != "GET" or settings.SHARED_PAGE_SECONDS <= 0:
        return False
    if not params.issuperset(request.GET):
        return False
    if request.user.is_authenticated:
        return False
    # len() reads the pending messages without marking them shown.
    return len(get_messages(request)) == 0


def page_key(request: HttpRequest) -> str:
    parts = f"{VERSION}|{get_language()}|{request.get_full_path()}"
    return "page:" + hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()


def _answer(request: HttpRequest, html: str, content_type: str, mark: str) -> HttpResponse:
    # Vary, Content-Language and the CSRF cookie come from the middleware, as for any page.
    return HttpResponse(html.replace(mark, get_token(request)), content_type=content_type)


def shared_page(*, params: Iterable[str]) -> Callable[[View], View]:
    """Serve the view's page from the cache to visitors who are not signed in, for
    addresses whose query string has no names but ``params``.

    The view must answer with a ``TemplateResponse`` (not yet rendered), so that the
    placeholder can take the CSRF token's place in its context.
    """
    known = frozenset(params)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not shareable(request, known):
                return view(request, *args, **kwargs)
            cache = caches[CACHE]
            key = page_key(request)
            stored = cache.get(key)
            if stored is not None:
                return _answer(request, *stored)
            response = view(request, *args, **kwargs)
            if not isinstance(response, TemplateResponse) or response.status_code != 200:
                return response
            mark = placeholder()
            response.context_data = {**(response.context_data or {}), "csrf_token": mark}
            response.render()
            entry = (response.content.decode(response.charset), response["Content-Type"], mark)
            cache.set(key, entry, settings.SHARED_PAGE_SECONDS)
            return _answer(request, *entry)

        return wrapper

    return decorator
