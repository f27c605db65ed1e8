"""The marketplace's URLs plus ``/bench/bare/``, a view that does nothing: the floor under
every page that the same server, middleware and load generator can reach."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as marketplace_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# config.urls uses i18n_patterns, which only work in the root URLconf: extend, not include.
urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", bare, name="bench-bare"),
    *marketplace_urlpatterns,
]
