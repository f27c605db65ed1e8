from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from paylib.i18n import switch_language, visitor_language_patterns

urlpatterns: list[URLPattern | URLResolver] = [
    # Django's, and a signed-in user's profile language with it (his emails follow).
    path("i18n/setlang/", switch_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += visitor_language_patterns(
    path("admin/", admin.site.urls),
    path("users/", include("users.urls")),
    path("accounts/", include("accounts.urls")),
    path("deals/<int:pk>/messages/", include("conversations.urls")),
    path("deals/", include("deals.urls")),
    path("payments/", include("payments.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("offers.urls")),
)
