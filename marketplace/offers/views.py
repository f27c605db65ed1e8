from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.selectors import user_has_linked_account
from commission.selectors import commission_current
from core.page_cache import shared_page
from core.views import add_application_error, current_user, signed_in_user
from paylib.errors import ApplicationError

from . import services
from .forms import (
    CatalogueForm,
    OfferCreateForm,
    OfferEditForm,
    PhotoOrderForm,
    check_photo_total,
)
from .models import Offer
from .selectors import (
    categories_signature,
    offer_all_reserved,
    offer_catalogue,
    offer_catalogue_count,
    offer_get_own,
    offer_get_visible,
    offer_photos,
    offers_of_seller,
    offers_own,
    seller_in_catalogue,
)


@shared_page(params=(*CatalogueForm.base_fields, "after", "before"))
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    seller = seller_in_catalogue(seller_id=filters.seller_id) if filters.seller_id else None
    if seller is None:
        filters = replace(filters, seller_id=None)  # not a seller: the ordinary catalogue
    page = offer_catalogue(
        filters=filters,
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        size=settings.CATALOGUE_PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    context = {
        "form": form,
        "page": page,
        "matches": offer_catalogue_count(filters=filters),
        "query": query.urlencode(),
        "seller": seller,
        # The filters as nobody has filled them in yet are the same for every visitor.
        "filters_key": "" if form.is_bound else categories_signature(),
    }
    return TemplateResponse(request, "offers/catalogue.html", context)


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from deals.forms import DealCreateForm
    from reviews.selectors import deals_to_review, reviews_of_offer, seller_rating

    user = current_user(request)
    offer = offer_get_visible(offer_id=pk, user=user)
    can_buy = offer.in_catalogue and (user is None or user.pk != offer.seller_id)
    context = {
        "offer": offer,
        "photos": offer_photos(offer=offer),
        "all_reserved": offer_all_reserved(offer=offer),
        "other_offers": offers_of_seller(seller=offer.seller, exclude=offer),
        "deal_form": DealCreateForm(offer=offer) if can_buy else None,
        "is_owner": user is not None and user.pk == offer.seller_id,
        "reviews": reviews_of_offer(offer=offer),
        "rating": seller_rating(seller=offer.seller),
        "deals_to_review": deals_to_review(user=user, offer=offer),
    }
    return render(request, "offers/offer_detail.html", context)


@login_required
def offer_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = OfferCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = services.offer_create(
                seller=user,
                title=data["title"],
                description=data["description"],
                price=data["price"],
                quantity=data["quantity"],
                category=data["category"],
                photos=data["photos"],
                idempotency_key=data["idempotency_key"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Your offer is published."))
            return redirect("offers:detail", pk=offer.pk)
    context = {
        "form": form,
        "has_account": user_has_linked_account(user=user),
        "commission": commission_current(),
    }
    return render(request, "offers/offer_form.html", context)


@login_required
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    offer = offer_get_own(offer_id=pk, user=user)
    if offer.status == Offer.Status.CLOSED:
        messages.error(request, _("A closed offer cannot be changed."))
        return redirect("offers:detail", pk=offer.pk)
    initial = {
        "title": offer.title,
        "description": offer.description,
        "price": offer.price,
        "quantity": offer.quantity_available,
        "category": offer.category,
    }
    posted = request.method == "POST"
    form = OfferEditForm(
        request.POST if posted else None, request.FILES if posted else None, initial=initial
    )
    photo_form = PhotoOrderForm(request.POST if posted else None, photos=offer_photos(offer=offer))
    if (
        posted
        and form.is_valid()
        and photo_form.is_valid()
        and check_photo_total(form, kept=len(photo_form.photo_order()))
    ):
        data = form.cleaned_data
        try:
            services.offer_update(
                offer=offer,
                actor=user,
                title=data["title"],
                description=data["description"],
                price=data["price"],
                quantity=data["quantity"],
                category=data["category"],
                photo_order=photo_form.photo_order(),
                new_photos=data["photos"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Your offer is saved."))
            return redirect("offers:detail", pk=offer.pk)
    context = {
        "form": form,
        "photo_form": photo_form,
        "offer": offer,
        "has_account": True,
        "commission": commission_current(),
    }
    return render(request, "offers/offer_form.html", context)


_STATUS_ACTIONS = {
    "pause": (services.offer_pause, gettext_lazy("The offer is paused.")),
    "resume": (services.offer_resume, gettext_lazy("The offer is back in the catalogue.")),
}


@login_required
@require_POST
def offer_set_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = signed_in_user(request)
    offer = offer_get_own(offer_id=pk, user=user)
    service, done = _STATUS_ACTIONS[action]
    try:
        service(offer=offer, actor=user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("offers:mine")


@login_required
def offer_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing is for good: the page asks first, and only its POST closes."""
    user = signed_in_user(request)
    offer = offer_get_own(offer_id=pk, user=user)
    if request.method == "POST":
        try:
            services.offer_close(offer=offer, actor=user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The offer is closed."))
        return redirect("offers:mine")
    if offer.status == Offer.Status.CLOSED:
        return redirect("offers:detail", pk=offer.pk)
    return render(request, "offers/offer_close.html", {"offer": offer})


@login_required
def my_offers(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(offers_own(user=user), 25).get_page(request.GET.get("page"))
    return render(request, "offers/my_offers.html", {"page": page, "Status": Offer.Status})
