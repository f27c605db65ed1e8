"""``{{ amount|rub }}``: kopecks as roubles in the active language."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from paylib.money import format_rub

register = template.Library()


@register.filter
def rub(kopecks: int | None) -> str:
    if kopecks is None:
        return ""
    return format_rub(int(kopecks), language=get_language() or "en")


@register.filter
def percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}"
    if (get_language() or "en").startswith("ru"):
        text = text.replace(".", ",")
    return f"{text}\u00a0%"
