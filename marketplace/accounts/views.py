from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import add_application_error, signed_in_user
from paylib.errors import ApplicationError

from . import services
from .forms import AccountAddForm, CodeForm
from .selectors import settlement_account_get_own, settlement_accounts_of


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    """The user's accounts; each linked one with its available balance, asked of the bank
    (one call per account; one it cannot answer shows as unavailable)."""
    from payments.selectors import payable_accounts  # payments builds on accounts

    user = signed_in_user(request)
    accounts = settlement_accounts_of(user=user)
    balances = {choice.account.pk: choice.available for choice in payable_accounts(user=user)}
    rows = [(account, balances.get(account.pk)) for account in accounts]
    return render(request, "accounts/account_list.html", {"accounts": accounts, "rows": rows})


@login_required
def account_add(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = AccountAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.settlement_account_add(
                user=user,
                number=form.cleaned_data["number"],
                form_key=form.cleaned_data["idempotency_key"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The bank has emailed the account's owner a code."))
            return redirect("accounts:confirm", pk=account.pk)
    return render(request, "accounts/account_add.html", {"form": form})


@login_required
def account_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    account = settlement_account_get_own(account_id=pk, user=user)
    if account.status == account.Status.LINKED:
        return redirect("accounts:list")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.settlement_account_confirm(account=account, code=form.cleaned_data["code"])
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The account is linked."))
            return redirect("accounts:list")
    return render(request, "accounts/account_confirm.html", {"form": form, "account": account})


@login_required
@require_POST
def account_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    account = settlement_account_get_own(account_id=pk, user=user)
    try:
        services.settlement_account_resend(account=account)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new code is on its way."))
    return redirect("accounts:confirm", pk=account.pk)


@login_required
@require_POST
def account_set_default(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    account = settlement_account_get_own(account_id=pk, user=user)
    try:
        services.settlement_account_set_default(account=account)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Payouts will go to this account."))
    return redirect("accounts:list")


@login_required
def account_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    account = settlement_account_get_own(account_id=pk, user=user)
    if request.method == "POST":
        try:
            services.settlement_account_remove(account=account)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The account is removed."))
            return redirect("accounts:list")
    return render(request, "accounts/account_remove.html", {"account": account})
