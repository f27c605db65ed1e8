"""The admin site both services use: Django's, with three refusals that Django answers
with a server error turned into ordinary form errors, messages and redirects.

* The autocomplete widget looks a submitted value up to redisplay it, so a form sent back
  with a value that is not a key at all ("x", a 400-digit number) failed inside the
  template instead of showing "Select a valid choice".
* An action posted with a selected row that is not a key (``_selected_action=x``) failed
  in ``queryset.filter(pk__in=...)``.
* A date-hierarchy link with a day, month or year too large for a C long
  (``created_at__day=999...``) overflowed in ``datetime()``: Django turns a ``ValueError``
  there into its "?e=1" redirect for bad lookups, not an ``OverflowError``.

``SafeAdminSite.register`` puts both mixins under every ModelAdmin registered on the site,
Django's own (groups), third parties' (axes, the outbox) and ours alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field, ForeignKey, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _


def holds_key(field: Field[Any, Any], value: Any) -> bool:
    """Whether ``value`` is something the key column ``field`` can hold."""
    try:
        key = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    if isinstance(key, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or low <= key) and (high is None or key <= high)
    return key is not None


class KeySafeAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name: str, value: Any, attr: dict[str, Any] | None = None) -> Any:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(remote.field_name)
        empty = self.choices.field.empty_values
        kept = [v for v in value if v in empty or holds_key(target, v)]
        return super().optgroups(name, kept, attr)


class KeySafeMixin:
    """For ModelAdmins: the three refusals above."""

    model: Any
    admin_site: admin.AdminSite

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        autocomplete = self.get_autocomplete_fields(request)  # type: ignore[attr-defined]
        if db_field.name in autocomplete and "widget" not in kwargs:
            db = kwargs.get("using")
            kwargs["widget"] = KeySafeAutocompleteSelect(db_field, self.admin_site, using=db)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            return super().get_changelist_instance(request)  # type: ignore[misc]
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponseBase | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(holds_key(self.model._meta.pk, value) for value in selected):
            messages.warning(
                request,
                _(
                    # Django's own words (and translation) for an empty selection.
                    "Items must be selected in order to perform actions on them. "
                    "No items have been changed."
                ),
            )
            return None
        return super().response_action(request, queryset)  # type: ignore[misc]


class SafeAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        hardened = type(base.__name__, (KeySafeMixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, hardened, **options)


class SafeAdminConfig(AdminConfig):
    """In INSTALLED_APPS in place of ``django.contrib.admin``."""

    default_site = "paylib.safe_admin.SafeAdminSite"
