"""The unread count in the site's navigation: one COUNT on the partial index, if signed in."""

from __future__ import annotations

from django.http import HttpRequest

from core.views import current_user

from .selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    user = current_user(request)
    return {"unread_notifications": unread_count(user=user) if user is not None else 0}
