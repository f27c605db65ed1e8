from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RATING_MAX, RATING_MIN, TEXT_MAX_LENGTH

RATING_CHOICES = [(n, "★" * n + "☆" * (RATING_MAX - n)) for n in range(RATING_MAX, 0, -1)]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose from 1 to 5 stars."),
            "invalid_choice": _("Choose from 1 to 5 stars."),
        },
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a few words.")},
    )

    def clean_rating(self) -> int:
        rating: int = self.cleaned_data["rating"]
        if not RATING_MIN <= rating <= RATING_MAX:
            raise forms.ValidationError(_("Choose from 1 to 5 stars."), code="invalid_choice")
        return rating


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your answer"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("You can answer a review once; the answer cannot be changed."),
        error_messages={"required": _("Write a few words.")},
    )
