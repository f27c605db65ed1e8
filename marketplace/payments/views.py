"""The buyer's payment pages: choose the account, type the code, watch it go through."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import SettlementAccount
from banking.texts import code_not_right, failure_text
from core.views import signed_in_user
from deals.selectors import deal_get_for_user
from deals.state import Role, Status
from paylib.errors import ApplicationError

from . import confirmation, services
from .forms import ChooseAccountForm, CodeForm
from .models import Payment
from .selectors import live_payment_of, payable_accounts, payment_get_for_buyer, resend_wait
from .services import PAYABLE
from .state import FINAL

logger = logging.getLogger(__name__)
WAITING_FOR_CODE = (Payment.Status.REQUESTING, Payment.Status.AWAITING_CODE)
DEAL_ENDED = (Status.CANCELLED, Status.EXPIRED)


@login_required
def payment_start(request: HttpRequest, deal_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=deal_pk, user=user)
    if role != Role.BUYER:
        raise Http404
    live = live_payment_of(deal=deal)
    if live is not None:
        return _redirect_to(live)
    # The balances are asked for only to show them; the service checks the chosen one.
    accounts = payable_accounts(user=user, with_balances=request.method != "POST")
    form = ChooseAccountForm(request.POST or None, accounts=accounts)
    status = 200
    if request.method == "POST" and form.is_valid():
        account = SettlementAccount.objects.get(pk=form.cleaned_data["account"], user=user)
        try:
            payment = services.payment_start(deal=deal, buyer=user, account=account)
        except ApplicationError as error:
            live = live_payment_of(deal=deal)
            if live is not None:  # e.g. the bank went silent after the payment was opened
                messages.error(request, error.message)
                return _redirect_to(live)
            form.add_error("account" if error.field == "account" else None, error.message)
            status = 400
        else:
            return _redirect_to(payment)
    elif request.method == "POST":
        status = 400
    if request.method == "POST":
        deal.refresh_from_db()
        accounts = payable_accounts(user=user)
    context = {"deal": deal, "accounts": accounts, "form": form, "payable": deal.status in PAYABLE}
    return render(request, "payments/choose_account.html", context, status=status)


def _redirect_to(payment: Payment) -> HttpResponse:
    if payment.status in WAITING_FOR_CODE:
        return redirect("payments:code", pk=payment.pk)
    return redirect("payments:status", pk=payment.pk)


def _refusal_note(payment: Payment) -> str:
    """What the bank said about the last code, when the page did not hear it first hand."""
    if payment.code_refusal == "invalid_code":
        return code_not_right(payment.attempts_left)
    if payment.code_refusal == "code_expired":
        return _("The code has expired. Ask for a new one.")
    return ""


@login_required
def payment_code(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_get_for_buyer(payment_id=pk, user=signed_in_user(request))
    if payment.status not in WAITING_FOR_CODE:
        return redirect("payments:status", pk=payment.pk)
    if payment.deal.status in DEAL_ENDED:  # the periodic check ends its payment
        messages.info(request, failure_text(f"deal_{payment.deal.status}"))
        return redirect("deals:detail", pk=payment.deal_id)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _submit_code(request, payment, form)
        if done is not None:
            return done
        payment.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    wait = resend_wait(payment=payment)
    context = {
        "payment": payment,
        "deal": payment.deal,
        "form": form,
        "note": _refusal_note(payment) if request.method == "GET" else "",
        "resend_wait": wait,
        "resend_at": timezone.now() + timedelta(seconds=wait),
    }
    return render(request, "payments/code.html", context, status=status)


def _submit_code(request: HttpRequest, payment: Payment, form: CodeForm) -> HttpResponse | None:
    """Where to go after the code; None to show the form again with its error."""
    try:
        payment = confirmation.payment_confirm(payment=payment, code=form.cleaned_data["code"])
    except ApplicationError as error:
        form.add_error("code" if error.field == "code" else None, error.message)
        payment.refresh_from_db()
        if payment.status not in FINAL:
            return None
        messages.error(request, error.message)
        return redirect("deals:detail", pk=payment.deal_id)
    return redirect("payments:status", pk=payment.pk)


@login_required
@require_POST
def payment_resend(request: HttpRequest, pk: int) -> HttpResponse:
    payment = payment_get_for_buyer(payment_id=pk, user=signed_in_user(request))
    try:
        if payment.status == Payment.Status.REQUESTING:
            services.payment_request_code(payment=payment)
        else:
            services.payment_resend(payment=payment)
    except ApplicationError as error:
        messages.error(request, error.message)
        payment.refresh_from_db()
        if payment.status in FINAL:
            return redirect("deals:detail", pk=payment.deal_id)
    else:
        messages.success(request, _("A new code is on its way. The previous one no longer works."))
    return redirect("payments:code", pk=payment.pk)


def _in_progress_text() -> str:
    return _("Your payment is being processed. This page updates by itself.")


@login_required
def payment_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    try:
        payment = payment_get_for_buyer(payment_id=pk, user=user)
    except DatabaseError:
        # The database is back in moments and the payment goes on meanwhile: say so.
        logger.warning("Payment %s: status page without the database", pk, exc_info=True)
        context = {"pk": pk, "text": _in_progress_text()}
        return render(request, "payments/status_unknown.html", context, status=503)
    if payment.status in WAITING_FOR_CODE:
        return redirect("payments:code", pk=payment.pk)
    context = {
        "payment": payment,
        "deal": payment.deal,
        "final": payment.status in FINAL,
        "failure": failure_text(payment.failure_reason),
    }
    return render(request, "payments/status.html", context)


@login_required
def payment_status_json(request: HttpRequest, pk: int) -> JsonResponse:
    user = signed_in_user(request)
    try:
        payment = payment_get_for_buyer(payment_id=pk, user=user)
    except DatabaseError:
        logger.warning("Payment %s: status poll without the database", pk, exc_info=True)
        unknown = {"status": "unknown", "status_label": _in_progress_text(), "final": False}
        response = JsonResponse(unknown, status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse(
        {
            "status": payment.status,
            "status_label": str(payment.get_status_display()),
            "deal_status": payment.deal.status,
            "final": payment.status in FINAL,
            "failure_reason": payment.failure_reason,
            "failure": failure_text(payment.failure_reason),
        }
    )
