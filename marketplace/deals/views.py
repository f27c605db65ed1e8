from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.deal_page import conversation_context
from core.views import add_application_error, signed_in_user
from offers.selectors import offer_get_visible, offers_of_seller
from paylib.csvfile import csv_format, csv_response
from paylib.errors import ApplicationError
from users.models import User

from .actions import deal_cancel, deal_confirm_receipt, deal_ship
from .disputes import dispute_answer, dispute_open
from .forms import (
    DealCreateForm,
    DealFilterForm,
    DisputeAnswerForm,
    DisputeForm,
    SalesMonthForm,
    ShipForm,
)
from .models import Deal
from .sales import Month, sales_deals, sales_figures, sales_filename, sales_months, sales_rows
from .selectors import (
    deal_actions,
    deal_get_for_user,
    deal_timeline,
    deals_of_user,
    dispute_of,
)
from .services import deal_create
from .state import Role


@login_required
@require_POST
def deal_open(request: HttpRequest, offer_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    offer = offer_get_visible(offer_id=offer_pk, user=user)
    form = DealCreateForm(request.POST, offer=offer)
    if form.is_valid():
        try:
            deal = deal_create(
                buyer=user,
                offer=offer,
                quantity=form.cleaned_data["quantity"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The deal is open. Pay for it to complete the purchase."))
            return redirect("deals:detail", pk=deal.pk)
    context = {
        "offer": offer,
        "other_offers": offers_of_seller(seller=offer.seller, exclude=offer),
        "deal_form": form,
        "is_owner": user.pk == offer.seller_id,
    }
    return render(request, "offers/offer_detail.html", context, status=400)


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = DealFilterForm(request.GET or None)
    role = status = ""
    if form.is_bound and form.is_valid():
        role, status = form.cleaned_data["role"], form.cleaned_data["status"]
    deals = deals_of_user(user=user, role=role, status=status)
    page = Paginator(deals, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    extra_query = f"{query.urlencode()}&" if query else ""
    context = {"form": form, "page": page, "extra_query": extra_query}
    return render(request, "deals/deal_list.html", context)


def _sales_month(request: HttpRequest, user: User) -> tuple[SalesMonthForm, Month]:
    """The page's month form and the month it chose: the current one unless a valid one
    was asked for (a bad one is a form error, and the current month is shown)."""
    months = sales_months(seller=user)
    form = SalesMonthForm(request.GET or None, months=months)
    month = Month.current()
    if form.is_bound and form.is_valid():
        month = form.cleaned_data["month"]
    if month not in months:  # a valid month before his first sale: list it too
        months = sorted({*months, month}, reverse=True)
        form.fields["month"].widget.choices = [(str(m), m.label()) for m in months]
    form.initial["month"] = str(month)
    return form, month


@login_required
def deal_sales(request: HttpRequest) -> HttpResponse:
    """My sales: the signed-in user's money from his deals as the seller, by month."""
    user = signed_in_user(request)
    form, month = _sales_month(request, user)
    deals = sales_deals(seller=user, month=month)
    page = Paginator(deals, 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "month": month,
        "figures": sales_figures(seller=user, month=month),
        "page": page,
        "extra_query": f"month={month}&",
    }
    return render(request, "deals/sales.html", context, status=400 if form.errors else 200)


@login_required
def deal_sales_csv(request: HttpRequest) -> HttpResponseBase:
    """The month of the sales page as a CSV file (``paylib.csvfile``)."""
    user = signed_in_user(request)
    form, month = _sales_month(request, user)
    if form.errors:
        return deal_sales(request)
    fmt = csv_format(get_language())
    return csv_response(
        sales_rows(sales_deals(seller=user, month=month), fmt),
        fmt=fmt,
        filename=sales_filename(month),
    )


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    return _detail(request, deal, role)


def _detail(
    request: HttpRequest, deal: Deal, role: Role, status: int = 200, **forms: Form
) -> HttpResponse:
    context = {
        "deal": deal,
        "role": role,
        "actions": deal_actions(deal=deal, role=role),
        "timeline": deal_timeline(deal=deal),
        "dispute": dispute_of(deal=deal),
        "ship_form": forms.get("ship_form") or ShipForm(),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "answer_form": forms.get("answer_form") or DisputeAnswerForm(),
        "now": timezone.now(),
        **conversation_context(request=request, deal=deal),
    }
    return render(request, "deals/deal_detail.html", context, status=status)


_ACTIONS = {
    "cancel": gettext_lazy("The deal is cancelled."),
    "complete": gettext_lazy("Thank you! The deal is completed: the seller is being paid."),
}


@login_required
@require_POST
def deal_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    try:
        if action == "complete":
            deal_confirm_receipt(deal=deal, buyer=user)
        else:
            deal_cancel(deal=deal, actor=user, role=role)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _ACTIONS[action])
    return redirect("deals:detail", pk=deal.pk)


@login_required
@require_POST
def deal_ship_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    form = ShipForm(request.POST)
    if form.is_valid():
        try:
            deal_ship(deal=deal, seller=user, **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Marked as shipped. The buyer has been told."))
            return redirect("deals:detail", pk=deal.pk)
    return _detail(request, deal, role, 400, ship_form=form)


@login_required
@require_POST
def deal_dispute_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    form = DisputeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            dispute_open(deal=deal, buyer=user, **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The dispute is open. The money stays held meanwhile."))
            return redirect("deals:detail", pk=deal.pk)
    return _detail(request, deal, role, 400, dispute_form=form)


@login_required
@require_POST
def deal_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    form = DisputeAnswerForm(request.POST)
    dispute = dispute_of(deal=deal)
    if dispute is None:
        messages.error(request, _("This deal has no dispute."))
        return redirect("deals:detail", pk=deal.pk)
    if form.is_valid():
        try:
            dispute_answer(dispute=dispute, seller=user, answer=form.cleaned_data["answer"])
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Your answer is recorded."))
            return redirect("deals:detail", pk=deal.pk)
    return _detail(request, deal, role, 400, answer_form=form)
