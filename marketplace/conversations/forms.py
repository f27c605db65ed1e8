from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.idempotency import IdempotencyKeyField
from core.images import ImagesField
from paylib.text import normalize_newlines, validate_multiline

from .models import MAX_LENGTH, MAX_PHOTOS


class MessageTextField(forms.CharField):
    """A browser's CRLF counted as one line break, before the length and the rules."""

    def to_python(self, value: Any) -> str:
        return normalize_newlines(super().to_python(value) or "")


class DealMessageForm(forms.Form):
    text = MessageTextField(
        label=_("Message"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_multiline],
        error_messages={
            "required": _("Write a message first."),
            "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    photos = ImagesField(
        label=_("Photos"),
        max_count=MAX_PHOTOS,
        help_text=_("Up to 4 photos (JPEG, PNG or WebP, 5 MB each)."),
    )
    idempotency_key = IdempotencyKeyField()
