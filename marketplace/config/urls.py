from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("users/", include("users.urls")),
    path("accounts/", include("accounts.urls")),
    path("deals/<int:pk>/messages/", include("conversations.urls")),
    path("deals/", include("deals.urls")),
    path("payments/", include("payments.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("offers.urls")),
    prefix_default_language=False,
)
