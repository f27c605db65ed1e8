"""What both admins share: amounts in roubles instead of raw kopecks, and CSV exports.

``money_display("amount", _("amount"))`` makes a ModelAdmin method for ``list_display`` and
``readonly_fields`` that shows ``1,234.50 ₽`` (``1 234,50 ₽`` in Russian) and sorts by the
column. ``csv_export_action(fields, name=..., money=...)`` exports the selected rows in
``paylib.csvfile``'s format: amounts in roubles, a byte order mark, a file named
``<name>-<date>-<time>.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from paylib.csvfile import csv_format, csv_response
from paylib.money import format_rub

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def rub(kopecks: int | None) -> str:
    """``123450`` → ``1,234.50 ₽`` in the active language; ``None`` → ``"—"``."""
    if kopecks is None:
        return "—"
    return format_rub(int(kopecks), language=get_language() or "en")


def money_display(
    field: str, description: str | StrPromise
) -> Callable[[admin.ModelAdmin[Any], Model], str]:
    """A ModelAdmin method showing the kopecks of ``field`` in roubles."""

    @admin.display(description=description, ordering=field)
    def show(modeladmin: admin.ModelAdmin[Any], obj: Model) -> str:
        return rub(getattr(obj, field))

    show.__name__ = f"{field}_rub"
    return show


def _value(obj: Model, path: str) -> Any:
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part, None) if value is not None else None
    return value() if callable(value) else value


def csv_export_action(
    fields: Sequence[str], *, name: str, money: Sequence[str] = ()
) -> Callable[[admin.ModelAdmin[Any], HttpRequest, QuerySet[Any]], StreamingHttpResponse]:
    """An action writing ``fields`` (attribute paths, ``__`` follows relations) of each
    selected row; those in ``money`` are kopecks, written in roubles under ``<field>_rub``."""
    unknown = set(money) - set(fields)
    if unknown:
        raise ValueError(f"Money fields not exported: {sorted(unknown)}")

    @admin.action(description=_("Export selected to CSV"))
    def export_csv(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> StreamingHttpResponse:
        fmt = csv_format(get_language())

        def rows() -> Iterator[list[object]]:
            yield [f"{field}_rub" if field in money else field for field in fields]
            for obj in queryset.iterator(chunk_size=2000):
                yield [
                    fmt.money(_value(obj, field)) if field in money else _value(obj, field)
                    for field in fields
                ]

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        return csv_response(rows(), fmt=fmt, filename=f"{name}-{stamp}.csv")

    return export_csv
