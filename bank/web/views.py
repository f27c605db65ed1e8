"""The customer pages: parse the request, call one selector, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.models import Customer
from operations import budget, lifecycle
from operations.errors import OperationNotFound
from operations.selectors import accounts_codes_blocked
from paylib.i18n import remember_language, switch_language
from paylib.lifecycle import IllegalMove

from . import selectors
from .forms import SignInForm


class SignInView(auth_views.LoginView):
    """Signing in brings the customer's own language back, on this device too."""

    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        return remember_language(response, form.get_user().language)

    def get_success_url(self) -> str:
        user = self.request.user
        url = super().get_success_url()
        return translate_url(url, user.language) if isinstance(user, Customer) else url


class SignOutView(auth_views.LogoutView):
    """Sign out; POST only, so that no link or image can sign a customer out."""


def _customer(request: HttpRequest) -> Customer:
    assert isinstance(request.user, Customer)  # guaranteed by @login_required
    return request.user


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = list(selectors.account_list_for_customer(_customer(request)))
    context = {
        "accounts": accounts,
        "codes_blocked": accounts_codes_blocked(accounts),
        "nav": "accounts",
    }
    return render(request, "web/accounts.html", context)


@login_required
@require_POST
def account_codes_unblock(request: HttpRequest, number: str) -> HttpResponse:
    """The owner lifts the block that wrong codes put on his account."""
    account = selectors.account_get_for_customer(_customer(request), number)
    if budget.account_codes_unblock(account=account):
        messages.success(request, _("Codes for this account work again."))
    else:
        messages.info(request, _("Codes for this account were not blocked."))
    return redirect("web:accounts")


@login_required
def statement(request: HttpRequest, number: str) -> HttpResponse:
    account = selectors.account_get_for_customer(_customer(request), number)
    context = {
        "account": account,
        "page": selectors.statement_page(account, request.GET.get("page")),
        "holds": selectors.holds_page(account, request.GET.get("holds")),
        "nav": "accounts",
    }
    return render(request, "web/statement.html", context)


@login_required
def operation_list(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    context = {
        "pending": selectors.operations_pending(customer),
        "page": selectors.operations_finished_page(customer, request.GET.get("page")),
        "nav": "operations",
    }
    return render(request, "web/operations.html", context)


@login_required
@require_POST
def operation_decline(request: HttpRequest, operation_id: uuid.UUID) -> HttpResponse:
    """The customer declines his pending operation: it ends for good."""
    try:
        lifecycle.operation_decline(customer=_customer(request), operation_id=str(operation_id))
    except OperationNotFound:
        raise Http404("No such operation.") from None
    except IllegalMove:
        messages.error(request, _("This operation has already finished; nothing was changed."))
    else:
        messages.success(request, _("The operation was declined. Its code no longer works."))
    return redirect("web:operations")


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language; a signed-in customer's emails follow it from now on."""
    return switch_language(request)
