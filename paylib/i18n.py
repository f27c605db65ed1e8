"""The visitor's language, kept the same way on both sites.

Every page has an English address (``/deals/``) and a Russian one (``/ru/deals/``). The
Russian one is always in Russian; the other is in the visitor's language
(``paylib.middleware.VisitorLanguageMiddleware``: his language cookie, else his browser's
``Accept-Language``, else English), so that a Russian browser opening ``/`` or a link from
an email reads Russian, and a language once chosen holds on every address. The links on a
page carry the prefix of the language it is in. Signing in on a device where no language
was chosen (no cookie, no address in a language other than the browser's) sets the cookie
to the person's profile language, and switching the language on any page saves it to the
profile, so that his emails follow it too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import LocalePrefixPattern, URLPattern, URLResolver
from django.utils import translation
from django.views.i18n import set_language


class VisitorLanguagePrefixPattern(LocalePrefixPattern):
    """The ``/ru/`` prefix of ``i18n_patterns(prefix_default_language=False)``, except that
    an address without a prefix resolves whatever the active language: Django's resolves
    it only while English is active, so a page served in the visitor's Russian at ``/``
    would be a 404."""

    def __init__(self) -> None:
        super().__init__(prefix_default_language=False)

    def match(self, path: str) -> tuple[str, tuple[()], dict[str, Any]] | None:
        matched = super().match(path)
        if matched is None and not _has_language_prefix(path):
            return path, (), {}
        return matched


def _has_language_prefix(path: str) -> bool:
    return any(path.startswith(f"{code}/") for code, _name in settings.LANGUAGES)


def visitor_language_patterns(*urls: URLPattern | URLResolver) -> list[URLPattern | URLResolver]:
    """Use in the root URLconf as ``i18n_patterns``: English and the visitor's language
    without a prefix, ``/ru/`` for Russian."""
    if not settings.USE_I18N:
        return list(urls)
    return [URLResolver(VisitorLanguagePrefixPattern(), list(urls))]


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Set the language cookie on ``response`` (as Django's ``set_language`` does)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def sign_in_language(request: HttpRequest, profile_language: str) -> str:
    """The language the pages go on in once a person signs in: the one he chose on this
    device, else his profile's, so that a new device speaks his language without asking.

    Chosen means his language cookie (the switch), or a sign-in address in a language
    other than the one the device reads anyway: ``/ru/`` in an English browser. A ``/ru/``
    address in a Russian browser without the cookie is no choice: every link of a page
    read in Russian has the prefix, and a person whose profile says English gets English.
    """
    languages = dict(settings.LANGUAGES)
    device = translation.get_language_from_request(request)  # the cookie, else the browser's
    addressed = translation.get_language_from_path(request.path_info)
    if addressed and addressed != device:
        return addressed
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in languages else profile_language


def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, and a signed-in person's profile language with it.

    The user model must have a ``language`` field with ``settings.LANGUAGES`` as choices.
    """
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    known = language in dict(settings.LANGUAGES)
    if known and user.is_authenticated and getattr(user, "language", language) != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
