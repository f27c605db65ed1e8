"""Reads for a seller's sales page: his money from sales in one month, summed by the database.

Where each amount lives (``deals.money`` writes them as the bank reports them):

* **held now**: deals paid (``held_at``) whose hold has neither been captured (``released_at``)
  nor released (``returned_at``), and that the bank has not refused for good (``bank_problem``);
  their whole amount is at the bank, on the buyer's account, whatever the month;
* **paid out** in a month: deals captured then (``released_at``). ``released_amount`` is the
  capture, which the bank shares between the seller and the platform in the deal's confirmed
  proportion (all of it, or what a partial refund of a dispute left); the seller's share is
  computed here by the bank's own rule (``seller_share``), the platform's is the rest;
* **returned to buyers** in a month: a released hold (``returned_at`` of a deal whose due
  move was a release: cancelled after payment, refunded in full), the uncaptured rest of a
  partial capture (at ``released_at``, the moment of that capture) and staff's refunds after
  the capture (``Refund.done_at``). No timestamp is missing, so nothing is read from the
  transition log and no column was added.

Months are calendar months in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from paylib.csvfile import CsvFormat
from users.models import User

from .models import Deal, Refund
from .state import Money

#: The earliest month the page accepts.
FIRST_MONTH = date(2000, 1, 1)
#: Splits a capture at its 18th bit, so that no product in ``seller_share`` passes 2**63.
_HALF = 2**18


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def current(cls) -> Month:
        today = timezone.localdate()
        return cls(today.year, today.month)

    @classmethod
    def parse(cls, text: str) -> Month | None:
        """``"2026-12"``, or None for anything else (a month before 2000 included)."""
        year, dash, month = text.partition("-")
        if not (dash and len(year) == 4 and len(month) == 2):
            return None
        if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()):
            return None
        if not 1 <= int(month) <= 12 or int(year) < FIRST_MONTH.year:
            return None
        return cls(int(year), int(month))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """Its first moment and the next month's, in the site's time zone."""
        zone = timezone.get_current_timezone()
        start, end = self.first_day, self.next().first_day
        return (
            datetime(start.year, start.month, 1, tzinfo=zone),
            datetime(end.year, end.month, 1, tzinfo=zone),
        )

    def label(self) -> str:
        return formats.date_format(self.first_day, "YEAR_MONTH_FORMAT")


def sales_months(*, seller: User) -> list[Month]:
    """The months the chooser offers, newest first: from his first paid deal to now."""
    first = Deal.objects.filter(seller=seller, held_at__isnull=False).aggregate(
        first=Min("held_at")
    )["first"]
    now = Month.current()
    month = now
    if first is not None:
        local = timezone.localtime(first)
        month = min(now, Month(local.year, local.month))
    months = []
    while month <= now:
        months.append(month)
        month = month.next()
    return months[::-1]


def _big(value: int) -> Value:
    return Value(value, output_field=BigIntegerField())


def seller_share(
    captured: Combinable | str, part: Combinable | str, total: Combinable | str
) -> ExpressionWrapper:
    """The seller's share of a capture, exactly as the bank shares it, in SQL.

    The bank gives each payee ``part * captured // total`` kopecks and the kopeck left over
    to the larger remainder, the seller (listed first) on a tie (``holds.split``). With two
    payees that is: the quotient, plus one when twice the remainder reaches ``total``. The
    product ``part * captured`` can pass 2**63 (1e11 * 1e11), so it is taken in two parts of
    ``captured`` (its low 18 bits and the rest): every intermediate stays below 2**57, in
    integers, on PostgreSQL and SQLite.
    """
    c, n, a = (F(x) if isinstance(x, str) else x for x in (captured, part, total))
    half, two = _big(_HALF), _big(2)
    high, low = c / half, c % half
    upper = n * high
    rest = (upper % a) * half + n * low
    quotient = (upper / a) * half + rest / a
    extra = Case(When(GreaterThanOrEqual((rest % a) * two, a), then=_big(1)), default=_big(0))
    return ExpressionWrapper(quotient + extra, output_field=BigIntegerField())


#: The seller's share of a deal's capture (0 before it).
_PAID_NET = seller_share("released_amount", "seller_net", "amount")


def _or_zero(total: Sum) -> Coalesce:
    return Coalesce(total, _big(0), output_field=BigIntegerField())


def _in(month: Month, name: str) -> Q:
    start, end = month.bounds()
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _held_now() -> Q:
    return Q(
        held_at__isnull=False, released_at__isnull=True, returned_at__isnull=True, bank_problem=""
    )


@dataclass(frozen=True)
class SalesFigures:
    """Kopecks. ``held``/``held_deals``: now; the others: in the month."""

    held: int
    held_deals: int
    paid_out: int
    commission: int
    returned: int


def sales_figures(*, seller: User, month: Month) -> SalesFigures:
    """His money from sales, each figure one aggregate (two queries in all)."""
    paid_out = _in(month, "released_at")
    sums = Deal.objects.filter(seller=seller).aggregate(
        held=_or_zero(Sum("amount", filter=_held_now())),
        held_deals=Count("pk", filter=_held_now()),
        paid_out=_or_zero(Sum(_PAID_NET, filter=paid_out)),
        captured=_or_zero(Sum("released_amount", filter=paid_out)),
        released=_or_zero(
            Sum("returned_amount", filter=Q(money_due=Money.VOID) & _in(month, "returned_at"))
        ),
        uncaptured=_or_zero(
            Sum(F("amount") - F("released_amount"), filter=Q(money_due=Money.CAPTURE) & paid_out)
        ),
    )
    refunded = Refund.objects.filter(
        _in(month, "done_at"), deal__seller=seller, status=Refund.Status.DONE
    ).aggregate(total=_or_zero(Sum("amount")))["total"]
    return SalesFigures(
        held=sums["held"],
        held_deals=sums["held_deals"],
        paid_out=sums["paid_out"],
        commission=sums["captured"] - sums["paid_out"],
        returned=sums["released"] + sums["uncaptured"] + refunded,
    )


def sales_deals(*, seller: User, month: Month) -> QuerySet[Deal]:
    """His deals whose money moved in the month (paid, paid out, returned), newest first,
    each with ``paid_net`` and ``paid_commission``: the shares of its capture so far."""
    refunded = Refund.objects.filter(
        _in(month, "done_at"), deal=OuterRef("pk"), status=Refund.Status.DONE
    )
    moved = (
        _in(month, "held_at")
        | _in(month, "released_at")
        | _in(month, "returned_at")
        | Q(Exists(refunded))
    )
    return (
        Deal.objects.filter(moved, seller=seller)
        .annotate(paid_net=_PAID_NET)
        .annotate(paid_commission=F("released_amount") - F("paid_net"))
        .order_by("-created_at", "-id")
    )


def sales_filename(month: Month) -> str:
    return f"sales-{month}.csv"


def sales_rows(deals: QuerySet[Deal], fmt: CsvFormat) -> Iterator[Sequence[object]]:
    """The month's deals as CSV rows (``paylib.csvfile``), the header first."""
    yield [
        _("Deal"),
        _("Offer"),
        _("Quantity"),
        _("Paid"),
        _("Status"),
        _("Amount, RUB"),
        _("Commission, RUB"),
        _("Paid to you, RUB"),
        _("Returned to the buyer, RUB"),
        _("Paid out"),
    ]
    for deal in deals.iterator(chunk_size=2000):
        captured = deal.released_at is not None
        yield [
            deal.pk,
            deal.offer_title,
            deal.quantity,
            deal.held_at,
            deal.get_status_display(),
            fmt.money(deal.amount),
            fmt.money(deal.paid_commission if captured else None),  # type: ignore[attr-defined]
            fmt.money(deal.paid_net if captured else None),  # type: ignore[attr-defined]
            fmt.money(deal.returned_amount),
            deal.released_at,
        ]
