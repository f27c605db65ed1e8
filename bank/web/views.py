"""The customer pages: parse the request, call one selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from customers.models import Customer

from . import selectors
from .forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out; POST only, so that no link or image can sign a customer out."""


def _customer(request: HttpRequest) -> Customer:
    assert isinstance(request.user, Customer)  # guaranteed by @login_required
    return request.user


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = selectors.account_list_for_customer(_customer(request))
    return render(request, "web/accounts.html", {"accounts": accounts, "nav": "accounts"})


@login_required
def statement(request: HttpRequest, number: str) -> HttpResponse:
    account = selectors.account_get_for_customer(_customer(request), number)
    page = selectors.statement_page(account, request.GET.get("page"))
    return render(
        request, "web/statement.html", {"account": account, "page": page, "nav": "accounts"}
    )


@login_required
def operation_list(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    context = {
        "pending": selectors.operations_pending(customer),
        "page": selectors.operations_finished_page(customer, request.GET.get("page")),
        "nav": "operations",
    }
    return render(request, "web/operations.html", context)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language; a signed-in customer's emails follow it from now on."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if isinstance(user, Customer) and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
    return response
