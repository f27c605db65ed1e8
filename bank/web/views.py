"""The customer pages: parse the request, call one selector, render."""

from __future__ import annotations

import uuid
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy, translate_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from customers.models import Customer
from customers.services import TooManyRequests, password_reset_request
from operations import budget, lifecycle
from operations.errors import LinkNotFound, OperationNotFound
from operations.selectors import accounts_codes_blocked, accounts_link_requests_limited
from operations.services import link_revoke_by_owner
from paylib.csvfile import csv_response
from paylib.i18n import remember_language, sign_in_language, switch_language
from paylib.lifecycle import IllegalMove

from . import exports, selectors
from .formatting import account_number
from .forms import SignInForm, StatementFilterForm


class SignInView(auth_views.LoginView):
    """Signing in keeps the language chosen on this device, else brings the customer's own."""

    template_name = "web/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    language = ""  # set once signed in: the pages' language from then on

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        self.language = sign_in_language(self.request, form.get_user().language)
        return remember_language(super().form_valid(form), self.language)

    def get_success_url(self) -> str:
        url = super().get_success_url()
        return translate_url(url, self.language) if self.language else url


class PasswordResetView(auth_views.PasswordResetView):
    """Django's form and pages; the email leaves through the outbox, after the request, so
    that the answer is the same, and as quick, whether or not the address is a customer's."""

    template_name = "web/password_reset_form.html"
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            password_reset_request(
                email=form.cleaned_data["email"], ip=get_client_ip_address(self.request)
            )
        except TooManyRequests as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=error.status)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"


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
        "links_limited": accounts_link_requests_limited(accounts),
        "nav": "accounts",
    }
    return render(request, "web/accounts.html", context)


@login_required
@require_POST
def account_codes_unblock(request: HttpRequest, number: str) -> HttpResponse:
    """The owner lifts the block that wrong codes, or unused link requests, put on his
    account."""
    account = selectors.account_get_for_customer(_customer(request), number)
    if budget.account_codes_unblock(account=account):
        messages.success(request, _("Codes for this account work again."))
    else:
        messages.info(request, _("Codes for this account were not blocked."))
    return redirect("web:accounts")


def _statement_filters(request: HttpRequest) -> tuple[StatementFilterForm, dict[str, Any]]:
    form = StatementFilterForm(request.GET if request.GET else None)
    return form, form.filters()


@login_required
def statement(request: HttpRequest, number: str) -> HttpResponse:
    account = selectors.account_get_for_customer(_customer(request), number)
    form, filters = _statement_filters(request)
    context = {
        "account": account,
        "form": form,
        "filtered": any(filters.values()),
        "page": selectors.statement_page(
            selectors.statement_entries(account, **filters), request.GET.get("page")
        ),
        "holds": selectors.holds_page(account, request.GET.get("holds")),
        "nav": "accounts",
    }
    return render(request, "web/statement.html", context)


@login_required
def statement_csv(request: HttpRequest, number: str) -> HttpResponseBase:
    """The statement's movements under the page's filters, as a CSV download."""
    account = selectors.account_get_for_customer(_customer(request), number)
    _form, filters = _statement_filters(request)
    period = exports.Period.of(account, filters["date_from"], filters["date_to"])
    fmt = exports.statement_csv_format()
    return csv_response(
        exports.statement_rows(selectors.statement_entries(account, **filters), fmt),
        fmt=fmt,
        filename=exports.statement_filename(account, period, "csv"),
    )


@login_required
def statement_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The statement under the page's filters, as a PDF document."""
    account = selectors.account_get_for_customer(_customer(request), number)
    _form, filters = _statement_filters(request)
    period = exports.Period.of(account, filters["date_from"], filters["date_to"])
    document = exports.statement_pdf(
        account,
        selectors.statement_entries(account, **filters),
        period=period,
        search=filters["search"],
    )
    response = HttpResponse(document, content_type="application/pdf")
    filename = exports.statement_filename(account, period, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_details(request: HttpRequest, number: str) -> HttpResponse:
    """What a customer gives someone who pays him: number, BIK, bank, owner."""
    account = selectors.account_get_for_customer(_customer(request), number)
    context = {
        "account": account,
        "bank_name": _(settings.BANK_NAME),
        "bik": settings.BANK_BIK,
        "nav": "accounts",
    }
    return render(request, "web/account_details.html", context)


@login_required
def platform_list(request: HttpRequest) -> HttpResponse:
    """The platforms that may use each of the customer's accounts, and their requests."""
    customer = _customer(request)
    context = {
        "links": selectors.links_of_customer(customer),
        "requests": selectors.link_requests_pending(customer),
        "nav": "platforms",
    }
    return render(request, "web/platforms.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    """GET asks the owner to confirm; POST stops the platform using the account."""
    customer = _customer(request)
    link = selectors.link_get_for_customer(customer, link_id)
    if request.method != "POST":
        return render(request, "web/link_revoke.html", {"link": link, "nav": "platforms"})
    try:
        revoked = link_revoke_by_owner(customer=customer, link_id=link.pk)
    except LinkNotFound:
        raise Http404("No such link.") from None
    if revoked:
        messages.success(
            request,
            _("%(platform)s can no longer use your account %(number)s.")
            % {"platform": link.client.name, "number": account_number(link.account.number)},
        )
    else:
        messages.info(request, _("This platform could no longer use the account already."))
    return redirect("web:platforms")


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
    back = "web:platforms" if request.POST.get("back") == "platforms" else "web:operations"
    return redirect(back)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language; a signed-in customer's emails follow it from now on."""
    return switch_language(request)
