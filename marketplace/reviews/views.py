from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.views import add_application_error, signed_in_user
from paylib.errors import ApplicationError

from . import services
from .forms import ReplyForm, ReviewForm
from .selectors import deal_to_review, review_get_about, review_get_own


@login_required
def review_create(request: HttpRequest, deal_id: int) -> HttpResponse:
    user = signed_in_user(request)
    deal = deal_to_review(deal_id=deal_id, user=user)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_create(
                buyer=user,
                deal=deal,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Thank you: your review is published."))
            return redirect("sellers:detail", pk=deal.seller_id)
    context = {"form": form, "deal": deal, "seller": deal.seller}
    return render(request, "reviews/review_form.html", context)


@login_required
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    review = review_get_own(review_id=pk, user=user)
    if not review.is_editable:
        messages.error(request, _("A review can be changed for 14 days after it is written."))
        return redirect("sellers:detail", pk=review.seller_id)
    initial = {"rating": review.rating, "text": review.text}
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(
                review=review,
                actor=user,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Your review is saved."))
            return redirect("sellers:detail", pk=review.seller_id)
    context = {"form": form, "review": review, "seller": review.seller}
    return render(request, "reviews/review_form.html", context)


@login_required
def review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    review = review_get_about(review_id=pk, user=user)
    if review.replied_at is not None:
        messages.error(request, _("You have already answered this review."))
        return redirect("sellers:detail", pk=review.seller_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_reply(review=review, actor=user, text=form.cleaned_data["reply"])
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Your answer is published."))
            return redirect("sellers:detail", pk=review.seller_id)
    return render(request, "reviews/reply_form.html", {"form": form, "review": review})
