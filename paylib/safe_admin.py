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

It also names models in the right grammatical case in the admin's titles
(``GrammaticalTitlesMixin``).

``SafeAdminSite.register`` puts the mixins under every ModelAdmin registered on the site,
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
from django.utils.translation import gettext_noop, pgettext, pgettext_lazy


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


#: Django's sentences of its delete pages, which Russian must say with the model's name in
#: the accusative or genitive ("удалить категорию", "удаление категории") while Django
#: gives its nominative: paylib's catalogue (before Django's) words them so that the
#: nominative stands as a name ("удалить объект «...» (категория)").
DELETE_PAGE_WORDS = (
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the '
        "following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but "
        "your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following "
        "protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following "
        "objects and their related items will be deleted:"
    ),
)

#: The accusative ("Change a group") of models that are not ours, for the admin's titles.
ACCUSATIVE = {
    "auth.group": pgettext_lazy("accusative", "group"),
    "axes.accessattempt": pgettext_lazy("accusative", "access attempt"),
    "axes.accesslog": pgettext_lazy("accusative", "access log"),
    "axes.accessfailurelog": pgettext_lazy("accusative", "access failure"),
    "outbox.message": pgettext_lazy("accusative", "outbox message"),
}


class GrammaticalTitlesMixin:
    """For ModelAdmins: "Add %s", "Change %s", "View %s" and "Select %s to change" name the
    model in the accusative, which in Russian often differs from the nominative of
    ``verbose_name`` ("Изменить настройку комиссии", not "настройка"). A ModelAdmin gives
    its model's as ``verbose_name_accusative`` (``pgettext_lazy("accusative", ...)``);
    models of other apps have theirs in ``ACCUSATIVE``; otherwise the nominative stays."""

    model: Any

    def _accusative(self) -> str:
        opts = self.model._meta
        # No default on this class: it stands before the ModelAdmin that sets it.
        name = getattr(self, "verbose_name_accusative", None) or ACCUSATIVE.get(opts.label_lower)
        return str(name) if name is not None else str(opts.verbose_name)

    def get_actions(self, request: HttpRequest) -> Any:
        """Django's "Delete selected %(verbose_name_plural)s" with the plural's accusative,
        where a ModelAdmin gives it (``verbose_name_plural_accusative``: "клиентов")."""
        actions = super().get_actions(request)  # type: ignore[misc]
        plural = getattr(self, "verbose_name_plural_accusative", None)
        if plural is not None and "delete_selected" in actions:
            function, name, _description = actions["delete_selected"]
            # A context of its own: paylib's catalog comes first and must not change Django's
            # words for the other models ("Удалить выбранные счета").
            text = pgettext("animate", "Delete selected %(verbose_name_plural)s") % {
                "verbose_name_plural": plural
            }
            actions["delete_selected"] = (function, name, text.replace("%", "%%"))
        return actions

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        if object_id is None or "_saveasnew" in request.POST:
            title = _("Add %s")
        elif self.has_change_permission(request):  # type: ignore[attr-defined]
            title = _("Change %s")
        else:
            title = _("View %s")
        context = {"title": title % self._accusative(), **(extra_context or {})}
        return super().changeform_view(  # type: ignore[misc]
            request, object_id, form_url, context
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> Any:
        if self.has_change_permission(request):  # type: ignore[attr-defined]
            title = _("Select %s to change")
        else:
            title = _("Select %s to view")
        context = {
            "title": title % self._accusative(),
            "name_accusative": self._accusative(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)  # type: ignore[misc]


class SafeAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        hardened = type(
            base.__name__,
            (KeySafeMixin, GrammaticalTitlesMixin, base),
            {"__module__": base.__module__},
        )
        super().register(model_or_iterable, hardened, **options)


class SafeAdminConfig(AdminConfig):
    """In INSTALLED_APPS in place of ``django.contrib.admin``."""

    default_site = "paylib.safe_admin.SafeAdminSite"
