"""Admin pieces both services share.

Django's autocomplete widget looks the submitted value up to redisplay it, so a form sent
back with a value that is not a key at all ("x", a 400-digit number) fails inside the
template with a server error instead of showing "Select a valid choice". This widget looks
up only values the related key field can hold.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ForeignKey
from django.http import HttpRequest


class KeySafeAutocompleteSelect(AutocompleteSelect):
    def _holds(self, value: Any) -> bool:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(remote.field_name)
        try:
            key = target.to_python(value)
        except (ValidationError, TypeError, ValueError):
            return False
        if isinstance(key, int):
            low, high = connection.ops.integer_field_range(target.get_internal_type())
            return (low is None or low <= key) and (high is None or key <= high)
        return True

    def optgroups(self, name: str, value: Any, attr: dict[str, Any] | None = None) -> Any:
        kept = [v for v in value if v in self.choices.field.empty_values or self._holds(v)]
        return super().optgroups(name, kept, attr)


class KeySafeAutocompleteAdmin(admin.ModelAdmin):
    """A ModelAdmin whose ``autocomplete_fields`` use ``KeySafeAutocompleteSelect``."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            db = kwargs.get("using")
            kwargs["widget"] = KeySafeAutocompleteSelect(db_field, self.admin_site, using=db)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
