from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import AmountField

from .models import CommissionSetting


class CommissionSettingForm(forms.ModelForm):
    """The admin's form: the percent with two places, the minimum in roubles."""

    percent = forms.DecimalField(
        label=_("Commission, %"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
    )
    minimum = AmountField(label=_("Minimum commission, roubles"), allow_zero=True, required=False)

    class Meta:
        model = CommissionSetting
        fields = ["percent", "minimum"]

    def clean_minimum(self) -> int:
        return self.cleaned_data.get("minimum") or 0
