from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import signed_in_user

from .selectors import notification_get_for_user, notification_lines, notifications_of_user
from .services import notification_open, notifications_mark_all_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(notifications_of_user(user=user), 25).get_page(request.GET.get("page"))
    lines = notification_lines(notifications=list(page.object_list), user=user)
    return render(request, "notifications/list.html", {"page": page, "lines": lines})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if notifications_mark_all_read(user=user):
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_POST
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification from the list: it is read, and its deal opens."""
    user = signed_in_user(request)
    notification = notification_get_for_user(notification_id=pk, user=user)
    notification_open(notification=notification)
    if notification.deal_id is None:
        return redirect("notifications:list")
    return redirect("deals:detail", pk=notification.deal_id)
