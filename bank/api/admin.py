"""Staff manage API clients: create one (its secret is shown once), rotate, revoke."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .models import ApiClient
from .services import api_client_create, api_client_revoke, api_client_rotate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SECRETS_TEMPLATE = "admin/api/apiclient/secrets.html"
CONFIRM_TEMPLATE = "admin/api/apiclient/confirm_action.html"


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    verbose_name_accusative = pgettext_lazy("accusative", "API client")
    list_display = ("name", "client_id", "is_active", "secret_version", "created_at", "revoked_at")
    list_filter = ("is_active",)
    search_fields = ("name", "client_id")
    actions = ["rotate_secrets", "revoke_clients"]
    fields = ("name", "client_id", "secret_version", "is_active", "created_at", "revoked_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("name",) if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.fields[1:]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # operations refer to the client for ever: revoke it instead

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            # Only the name: a full save could undo a concurrent rotation or revocation.
            if "name" in form.changed_data:
                obj.save(update_fields=["name"])
            return
        client, secret = api_client_create(name=form.cleaned_data["name"])
        # The admin goes on with ``obj`` (log entry, response): make it the created client.
        for field in ApiClient._meta.concrete_fields:
            setattr(obj, field.attname, getattr(client, field.attname))
        obj._state.adding = False
        request._api_client_secrets = [(obj, secret)]  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: ApiClient, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Show the new secret on this one page instead of redirecting: it is never stored."""
        return self._secrets_response(request, request._api_client_secrets)  # type: ignore[attr-defined]

    @admin.action(description=_("Issue a new secret to the selected clients"))
    def rotate_secrets(
        self, request: HttpRequest, queryset: QuerySet[ApiClient]
    ) -> HttpResponse | None:
        question = _("The old secret stops working at once. Issue a new secret to:")
        return self._confirmed(request, queryset, "rotate_secrets", question, self._rotate)

    def _rotate(self, request: HttpRequest, clients: list[ApiClient]) -> HttpResponse:
        issued = []
        for client in clients:
            issued.append((client, api_client_rotate(client=client)))
            self.log_change(request, client, [{"changed": {"fields": ["secret"]}}])
        return self._secrets_response(request, issued)

    @admin.action(description=_("Revoke the selected clients"))
    def revoke_clients(
        self, request: HttpRequest, queryset: QuerySet[ApiClient]
    ) -> HttpResponse | None:
        question = _("These clients will no longer be able to call the API:")
        return self._confirmed(request, queryset, "revoke_clients", question, self._revoke)

    def _revoke(self, request: HttpRequest, clients: list[ApiClient]) -> None:
        for client in clients:
            api_client_revoke(client=client)
            self.log_change(request, client, [{"changed": {"fields": ["is_active"]}}])
        message = ngettext("%d client revoked.", "%d clients revoked.", len(clients))
        self.message_user(request, message % len(clients), messages.SUCCESS)

    def _confirmed(
        self,
        request: HttpRequest,
        queryset: QuerySet[ApiClient],
        action: str,
        question: StrOrPromise,
        perform: Callable[[HttpRequest, list[ApiClient]], HttpResponse | None],
    ) -> HttpResponse | None:
        """Ask first, like "delete selected"; act on the second POST (``post=yes``)."""
        clients = list(queryset.filter(is_active=True))
        if not clients:
            self.message_user(
                request, _("None of the selected clients is active."), messages.WARNING
            )
            return None
        if request.POST.get("post") == "yes":
            return perform(request, clients)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Are you sure?"),
            "opts": self.opts,
            "question": question,
            "clients": clients,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, CONFIRM_TEMPLATE, context)

    def _secrets_response(
        self, request: HttpRequest, issued: list[tuple[ApiClient, str]]
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("New API secrets"),
            "opts": self.opts,
            "issued": issued,
        }
        response = TemplateResponse(request, SECRETS_TEMPLATE, context)
        response["Cache-Control"] = "no-store"
        return response
