from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import include, path
from django.utils import translation
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from paylib.i18n import visitor_language_patterns

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger"),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += visitor_language_patterns(
    path("admin/", admin.site.urls),
    path("", include("web.urls")),
)


def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """JSON for API paths, so that a client never has to parse an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "not_found", "message": "No such API path."}}, status=404
        )
    return page_not_found(request, exception)


def _bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refuses before any view (a control character in the address, ...)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "bad_request", "message": "The request is malformed."}},
            status=400,
        )
    # Refused before LocaleMiddleware ran: take the language from the path, cookie or headers.
    with translation.override(translation.get_language_from_request(request, check_path=True)):
        return render(request, "400.html", status=400)


handler400 = _bad_request
handler404 = _not_found
