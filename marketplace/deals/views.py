from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from conversations.deal_page import conversation_context
from core.views import add_application_error, signed_in_user
from offers.selectors import offer_get_visible, offers_of_seller
from paylib.errors import ApplicationError

from .forms import DealCreateForm, DealFilterForm
from .selectors import deal_actions, deal_get_for_user, deal_timeline, deals_of_user
from .services import deal_create, deal_transition
from .state import Status


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


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    context = {
        "deal": deal,
        "role": role,
        "actions": deal_actions(deal=deal, role=role),
        "timeline": deal_timeline(deal=deal),
        **conversation_context(request=request, deal=deal),
    }
    return render(request, "deals/deal_detail.html", context)


_ACTIONS = {
    "cancel": (Status.CANCELLED, gettext_lazy("The deal is cancelled.")),
    "complete": (Status.COMPLETED, gettext_lazy("Thank you! The deal is completed.")),
}


@login_required
@require_POST
def deal_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = signed_in_user(request)
    deal, role = deal_get_for_user(deal_id=pk, user=user)
    to, done = _ACTIONS[action]
    try:
        deal_transition(deal=deal, to=to, actor=user, role=role, reason=f"{action} from deal page")
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("deals:detail", pk=deal.pk)
