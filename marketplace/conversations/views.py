from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.core.files.storage import storages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import signed_in_user
from deals.selectors import deal_get_for_user
from deals.views import deal_detail

from .deal_page import FORM_ATTRIBUTE
from .forms import DealMessageForm
from .selectors import deal_message_photo_get
from .services import deal_message_create


@login_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Write on a deal (its buyer, seller or staff; anyone else 404), then back to the deal
    page; a refused message shows the deal page again with the form's errors."""
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    form = DealMessageForm(request.POST, request.FILES)
    if not form.is_valid():
        setattr(request, FORM_ATTRIBUTE, form)
        response = deal_detail(request, pk)
        response.status_code = 400
        return response
    deal_message_create(
        deal=deal,
        author=user,
        role=role,
        text=form.cleaned_data["text"],
        idempotency_key=form.cleaned_data["idempotency_key"],
        photos=form.cleaned_data["photos"],
    )
    messages.success(request, _("Your message is sent."))
    return redirect(reverse("deals:detail", args=[deal.pk]) + "#messages")


_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@login_required
def photo_view(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A message's photo, to those who may see its deal (anyone else 404)."""
    user = signed_in_user(request)
    deal, _role = deal_get_for_user(deal_id=pk, user=user)
    photo = deal_message_photo_get(deal=deal, photo_id=photo_pk)
    file: File[Any]
    try:
        file = photo.image.open("rb")
    except FileNotFoundError:
        # Stored before photos were private and not moved yet (``move_photos_private``).
        file = storages["default"].open(str(photo.image.name), "rb")
    response = FileResponse(file, content_type=_CONTENT_TYPES.get(photo.format, "image/jpeg"))
    response["Cache-Control"] = "private, max-age=3600"
    return response
