from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from conversations.admin import DealMessageInline, photo_links
from core.views import add_application_error
from paylib.admin_tools import csv_export_action, money_display
from paylib.errors import ApplicationError
from users.models import User

from .actions import deal_refund
from .disputes import dispute_resolve
from .forms import DisputeResolveForm, RefundForm
from .models import Deal, DealTransition, Dispute, Refund
from .services import deal_transition
from .state import Role, Status


class DealTransitionInline(admin.TabularInline):
    model = DealTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "role", "actor", "reason")
    readonly_fields = ("at", "from_status", "to_status", "role", "actor", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("created_at", "amount", "reason", "requested_by", "status", "failure_code", "done_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _move(request: HttpRequest, queryset: QuerySet[Deal], to: Status) -> None:
    """Staff move deals only through the state machine; refusals are reported per deal."""
    assert isinstance(request.user, User)
    moved = 0
    for deal in queryset.order_by("pk"):
        try:
            deal_transition(
                deal=deal, to=to, actor=request.user, role=Role.STAFF, reason="admin action"
            )
        except ApplicationError as error:
            messages.error(request, f"#{deal.pk}: {error.message}")
        else:
            moved += 1
    if moved:
        messages.success(
            request,
            _("%(count)d deals moved to “%(status)s”.") % {"count": moved, "status": to.label},
        )


@admin.action(description=_("Cancel selected deals"))
def cancel_deals(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Deal]) -> None:
    _move(request, queryset, Status.CANCELLED)


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    """Money and parties are frozen; the status changes only through the actions above."""

    verbose_name_accusative = pgettext_lazy("accusative", "deal")

    list_display = [
        "id",
        "offer_title",
        "buyer",
        "seller",
        "quantity",
        "amount_rub",
        "status",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status", "bank_problem", "created_at"]
    search_fields = ["=id", "offer_title", "buyer__email", "seller__email"]
    list_select_related = ["buyer", "seller"]
    date_hierarchy = "created_at"
    exclude = [  # shown in roubles
        "unit_price",
        "amount",
        "commission_amount",
        "seller_net",
        "capture_amount",
        "released_amount",
        "returned_amount",
    ]
    readonly_fields = [
        "buyer",
        "seller",
        "offer",
        "offer_title",
        "quantity",
        "unit_price_rub",
        "amount_rub",
        "commission_percent",
        "commission_amount_rub",
        "seller_net_rub",
        "status",
        "created_at",
        "updated_at",
        "expires_at",
        "held_at",
        "ship_by",
        "shipped_at",
        "ship_method",
        "carrier",
        "tracking_number",
        "confirm_by",
        "money_due",
        "capture_amount_rub",
        "released_at",
        "released_amount_rub",
        "returned_at",
        "returned_amount_rub",
        "bank_problem",
        "bank_problem_at",
    ]
    inlines = [DealTransitionInline, RefundInline, DealMessageInline]
    actions = [
        cancel_deals,
        csv_export_action(
            [
                "id",
                "offer_title",
                "buyer__email",
                "seller__email",
                "quantity",
                "unit_price",
                "amount",
                "commission_percent",
                "commission_amount",
                "seller_net",
                "status",
                "created_at",
            ],
            name="deals",
            money=["unit_price", "amount", "commission_amount", "seller_net"],
        ),
    ]

    unit_price_rub = money_display("unit_price", _("price per item"))
    amount_rub = money_display("amount", _("total"))
    commission_amount_rub = money_display("commission_amount", _("commission"))
    seller_net_rub = money_display("seller_net", _("seller receives"))
    capture_amount_rub = money_display("capture_amount", _("to capture"))
    released_amount_rub = money_display("released_amount", _("paid out"))
    returned_amount_rub = money_display("returned_amount", _("returned"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        refund = path(
            "<int:pk>/refund/",
            self.admin_site.admin_view(self.refund_view),
            name="deals_deal_refund",
        )
        return [refund, *super().get_urls()]

    def refund_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Staff refund a paid deal in full or in part; the bank's answer shows on the deal."""
        deal = Deal.objects.filter(pk=pk).first()
        if deal is None or not self.has_change_permission(request, deal):
            raise Http404
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            assert isinstance(request.user, User)
            try:
                deal_refund(
                    deal=deal,
                    staff=request.user,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, _("The refund is asked of the bank."))
                return redirect("admin:deals_deal_change", deal.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refund deal #%(number)s") % {"number": deal.pk},
            "deal": deal,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/deals/action_form.html", context)


class DisputeOpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("open", _("Open")),
            ("unanswered", _("Seller has not answered")),
            ("overdue", _("Answer window passed")),
            ("resolved", _("Resolved")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        now = timezone.now()
        value = self.value()
        if value == "open":
            return queryset.filter(outcome="")
        if value == "unanswered":
            return queryset.filter(outcome="", answered_at__isnull=True)
        if value == "overdue":
            return queryset.filter(outcome="", answered_at__isnull=True, answer_by__lte=now)
        if value == "resolved":
            return queryset.exclude(outcome="")
        return queryset


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """The disputes queue: soonest deadline first; rulings only through the resolve form."""

    list_display = [
        "deal",
        "reason",
        "opened_at",
        "answer_by",
        "answered_at",
        "answer_window_passed",
        "resolve_by",
        "outcome",
        "resolve_link",
    ]
    list_filter = [DisputeOpenFilter, "reason", "outcome"]
    search_fields = ["=deal__id", "deal__buyer__email", "deal__seller__email", "message"]
    list_select_related = ["deal"]
    ordering = ["resolve_by", "id"]
    readonly_fields = [
        "deal",
        "reason",
        "message",
        "evidence_photos",
        "opened_at",
        "answer_by",
        "answer",
        "answered_at",
        "answer_reminded_at",
        "answer_missed_at",
        "resolve_by",
        "outcome",
        "refund_amount",
        "resolution",
        "resolved_by",
        "resolved_at",
    ]

    @admin.display(description=_("buyer's photos"))
    def evidence_photos(self, obj: Dispute) -> SafeString:
        return photo_links(obj.evidence)

    @admin.display(description=_("answer window passed"), boolean=True, ordering="answer_by")
    def answer_window_passed(self, obj: Dispute) -> bool | None:
        """Flagged for staff: open, not answered, its answer window over."""
        if not obj.awaits_answer:
            return None
        return obj.answer_by <= timezone.now()

    @admin.display(description=_("decision"))
    def resolve_link(self, obj: Dispute) -> str:
        if not obj.is_open:
            return ""
        url = reverse("admin:deals_dispute_resolve", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Resolve"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        resolve = path(
            "<int:pk>/resolve/",
            self.admin_site.admin_view(self.resolve_view),
            name="deals_dispute_resolve",
        )
        return [resolve, *super().get_urls()]

    def resolve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Staff's ruling: the outcome, a partial amount, and the reason both parties see."""
        dispute = Dispute.objects.select_related("deal").filter(pk=pk).first()
        if dispute is None or not self.has_change_permission(request, dispute):
            raise Http404
        form = DisputeResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            assert isinstance(request.user, User)
            try:
                dispute_resolve(
                    dispute=dispute,
                    staff=request.user,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    refund_amount=form.cleaned_data["refund_amount"] or 0,
                )
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, _("The dispute is resolved."))
                return redirect("admin:deals_dispute_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Resolve the dispute on deal #%(number)s") % {"number": dispute.deal_id},
            "deal": dispute.deal,
            "dispute": dispute,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/deals/action_form.html", context)
