"""What each kind of notification says: its parameters, its line, its email.

A notification stores its kind and parameters, not its text; :func:`render` words it in the
active language when it is read. Amounts are integer kopecks (shown in ₽), deadlines ISO
times (shown in the site's time zone), codes (``by``, ``outcome``, ``reason``, ``method``)
are translated here; any other value is the person's own text, shown as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from paylib.money import format_rub

from .models import Kind

#: Parameters holding kopecks, and holding an ISO time.
AMOUNTS = frozenset({"amount", "net", "commission"})
TIMES = frozenset({"deadline"})

#: Codes a caller passes, and how each reads.
CODES: dict[str, dict[str, Promise]] = {
    "by": {
        "buyer": _("the buyer"),
        "seller": _("the seller"),
        "staff": _("the marketplace's staff"),
        "system": _("the marketplace, automatically"),
    },
    "outcome": {
        "release": _("the money is released to the seller"),
        "refund": _("the buyer gets a full refund"),
        "partial_refund": _("the buyer gets a partial refund"),
    },
    "reason": {
        "not_received": _("not received"),
        "not_as_described": _("not as described"),
        "damaged": _("damaged"),
        "other": _("other"),
    },
    "method": {"in_person": _("handed over in person")},
}
#: Kinds whose ``reason`` is staff's own words, not a code.
FREE_REASON = frozenset({Kind.DISPUTE_RESOLVED})


@dataclass(frozen=True)
class Text:
    """``line`` for the buyer (and anyone else), ``seller_line`` for the seller if it differs.

    Each is a ``%``-format with ``number`` and ``title`` of the deal and the parameters.
    ``detail`` is the email's second paragraph; ``deadline_note`` (``seller_deadline_note``
    for the seller) follows the line when the caller gives the optional ``deadline``.
    """

    subject: Promise
    line: Promise
    seller_line: Promise | None = None
    detail: Promise | None = None
    deadline_note: Promise | None = None
    seller_deadline_note: Promise | None = None
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = field(default_factory=frozenset)


TEXTS: dict[str, Text] = {
    Kind.DEAL_OPENED: Text(
        subject=_("New deal #%(number)s"),
        line=_("New deal #%(number)s: %(title)s for %(amount)s."),
        detail=_(
            "You will be told when the buyer has paid and the money is held at the bank. "
            "Do not ship before then."
        ),
        optional=frozenset({"amount"}),
    ),
    Kind.PAID_HELD: Text(
        subject=_("Deal #%(number)s is paid: the money is held"),
        line=_(
            "Deal #%(number)s is paid: %(amount)s is held at the bank until you confirm "
            "receipt of the goods."
        ),
        seller_line=_(
            "Deal #%(number)s is paid: the money is held at the bank until the buyer confirms "
            "receipt. Ship the goods and mark the deal shipped."
        ),
        detail=_("Nobody is paid until the buyer confirms receipt or a deadline passes."),
        deadline_note=_("The seller ships by %(deadline)s."),
        seller_deadline_note=_("Ship by %(deadline)s."),
        optional=frozenset({"amount", "deadline"}),
    ),
    Kind.SHIPPED: Text(
        subject=_("Deal #%(number)s is shipped"),
        line=_("Deal #%(number)s (%(title)s) is shipped: %(method)s%(tracking)s."),
        detail=_(
            "Confirm receipt on the deal's page once you have the goods, or open a dispute "
            "if something is wrong."
        ),
        required=frozenset({"method"}),
        deadline_note=_("Confirm receipt or open a dispute by %(deadline)s."),
        optional=frozenset({"tracking", "deadline"}),
    ),
    Kind.SHIP_REMINDER: Text(
        subject=_("Deal #%(number)s: ship by %(deadline)s"),
        line=_(
            "Ship deal #%(number)s (%(title)s) by %(deadline)s, or the deal is cancelled and "
            "the buyer's money released."
        ),
        required=frozenset({"deadline"}),
    ),
    Kind.SHIP_MISSED: Text(
        subject=_("Deal #%(number)s is cancelled: not shipped in time"),
        line=_(
            "Deal #%(number)s was not shipped in time and is cancelled; the money held at the "
            "bank is released to you."
        ),
        seller_line=_(
            "Deal #%(number)s was not shipped in time and is cancelled; the buyer's money held "
            "at the bank is released to him."
        ),
    ),
    Kind.CONFIRM_REMINDER: Text(
        subject=_("Deal #%(number)s: confirm receipt by %(deadline)s"),
        line=_(
            "Confirm receipt of deal #%(number)s (%(title)s) or open a dispute by %(deadline)s; "
            "after that the money is paid to the seller automatically."
        ),
        required=frozenset({"deadline"}),
    ),
    Kind.COMPLETED: Text(
        subject=_("Deal #%(number)s is completed"),
        line=_("Deal #%(number)s is completed: the bank pays the seller %(net)s."),
        seller_line=_(
            "Deal #%(number)s is completed: the bank pays you %(net)s, the platform's commission "
            "is %(commission)s."
        ),
        optional=frozenset({"net", "commission"}),
    ),
    Kind.AUTO_COMPLETED: Text(
        subject=_("Deal #%(number)s is completed automatically"),
        line=_(
            "Deal #%(number)s is completed automatically, as receipt was neither confirmed "
            "nor disputed in time: the bank pays the seller %(net)s."
        ),
        seller_line=_(
            "Deal #%(number)s is completed automatically, as the buyer neither confirmed nor "
            "disputed in time: the bank pays you %(net)s, the platform's commission is "
            "%(commission)s."
        ),
        optional=frozenset({"net", "commission"}),
    ),
    Kind.CANCELLED: Text(
        subject=_("Deal #%(number)s is cancelled"),
        line=_("Deal #%(number)s (%(title)s) was cancelled by %(by)s."),
        detail=_("Money held at the bank for it, if any, is released to the buyer."),
        required=frozenset({"by"}),
    ),
    Kind.DISPUTE_OPENED: Text(
        subject=_("Deal #%(number)s: the buyer opened a dispute"),
        line=_("The buyer opened a dispute on deal #%(number)s: %(reason)s."),
        detail=_("Answer it on the deal's page; the money stays held until it is resolved."),
        deadline_note=_("The seller answers by %(deadline)s."),
        seller_deadline_note=_("Answer by %(deadline)s."),
        optional=frozenset({"reason", "deadline"}),
    ),
    Kind.DISPUTE_ANSWERED: Text(
        subject=_("Deal #%(number)s: the seller answered your dispute"),
        line=_("The seller answered your dispute on deal #%(number)s."),
        detail=_("The marketplace's staff will now resolve the dispute."),
    ),
    Kind.ANSWER_REMINDER: Text(
        subject=_("Deal #%(number)s: answer the dispute by %(deadline)s"),
        line=_(
            "Answer the buyer's dispute on deal #%(number)s (%(title)s) by %(deadline)s; "
            "after that our staff decide without your side."
        ),
        required=frozenset({"deadline"}),
    ),
    Kind.ANSWER_MISSED: Text(
        subject=_("Deal #%(number)s: the seller did not answer your dispute"),
        line=_(
            "The seller did not answer your dispute on deal #%(number)s in time. Our staff "
            "will decide on what you sent; the money stays held meanwhile."
        ),
        deadline_note=_("A dispute not resolved by %(deadline)s is refunded to you."),
        optional=frozenset({"deadline"}),
    ),
    Kind.DISPUTE_RESOLVED: Text(
        subject=_("Deal #%(number)s: the dispute is resolved"),
        line=_(
            "The dispute on deal #%(number)s is resolved: %(outcome)s (%(amount)s). "
            "Reason: %(reason)s"
        ),
        required=frozenset({"outcome", "reason"}),
        optional=frozenset({"amount"}),
    ),
    Kind.DISPUTE_AUTO_REFUNDED: Text(
        subject=_("Deal #%(number)s: the dispute ended in a refund"),
        line=_(
            "The dispute on deal #%(number)s was not resolved in time: the money held at the "
            "bank is released to you."
        ),
        seller_line=_(
            "The dispute on deal #%(number)s was not resolved in time: the money held at the "
            "bank is released to the buyer."
        ),
    ),
    Kind.REFUNDED: Text(
        subject=_("Deal #%(number)s: %(amount)s refunded"),
        line=_("%(amount)s of deal #%(number)s is refunded to you."),
        seller_line=_("%(amount)s of deal #%(number)s is refunded to the buyer."),
        required=frozenset({"amount"}),
    ),
    Kind.REFUND_FAILED: Text(
        subject=_("Deal #%(number)s: the refund did not go through"),
        line=_(
            "The refund of %(amount)s for deal #%(number)s did not go through at the bank. "
            "The marketplace's staff are on it."
        ),
        required=frozenset({"amount"}),
    ),
    Kind.MESSAGE: Text(
        subject=_("Deal #%(number)s: a message from %(author)s"),
        line=_("%(author)s wrote on deal #%(number)s: %(excerpt)s"),
        required=frozenset({"author", "excerpt"}),
    ),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    line: str
    detail: str


def check_params(kind: str, params: dict[str, Any]) -> None:
    """Refuse an unknown kind, a missing or unknown parameter, or a value of the wrong type:
    in the caller's transaction, so that a mistake fails its test, not a delivery."""
    text = TEXTS.get(kind)
    if text is None:
        raise ValueError(f"Unknown notification kind {kind!r}")
    missing = text.required - params.keys()
    unknown = params.keys() - text.required - text.optional
    if missing or unknown:
        raise ValueError(f"{kind}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    for name, value in params.items():
        if name in AMOUNTS and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f"{kind}: {name} must be kopecks (int), not {value!r}")
        if name in TIMES:
            datetime.fromisoformat(str(value))
        if name in CODES and value not in CODES[name] and not _free(kind, name):
            raise ValueError(f"{kind}: {name}={value!r} is not one of {sorted(CODES[name])}")


def _free(kind: str, name: str) -> bool:
    return (name == "reason" and kind in FREE_REASON) or name == "method"


def _value(kind: str, name: str, value: Any, language: str) -> str:
    if name in AMOUNTS:
        return format_rub(int(value), language=language)
    if name in TIMES:
        moment = timezone.localtime(datetime.fromisoformat(str(value)))
        return str(formats.date_format(moment, "DATETIME_FORMAT"))
    if name in CODES and not (name == "reason" and kind in FREE_REASON):
        code = CODES[name].get(str(value))
        if code is not None:
            return str(code)
    return str(value)


def _values(kind: str, params: dict[str, Any], deal: Any, language: str) -> dict[str, str]:
    raw: dict[str, Any] = {"excerpt": "", "tracking": ""}
    if deal is not None:
        raw.update(amount=deal.amount, net=deal.seller_net, commission=deal.commission_amount)
    raw.update(params)
    values = {name: _value(kind, name, value, language) for name, value in raw.items()}
    values["number"] = str(deal.pk) if deal is not None else ""
    values["title"] = deal.offer_title if deal is not None else ""
    if raw["tracking"]:
        tracking = {"tracking": raw["tracking"]}
        values["tracking"] = str(_(", tracking number %(tracking)s")) % tracking
    if kind == Kind.DISPUTE_RESOLVED and "amount" not in params:
        values["amount"] = str(_("no refund"))
    return values


def render(*, kind: str, params: dict[str, Any], deal: Any, is_seller: bool) -> Rendered:
    """The notification's subject, line and email detail in the active language."""
    text = TEXTS[kind]
    values = _values(kind, params, deal, get_language() or "en")
    line = text.seller_line if is_seller and text.seller_line is not None else text.line
    words = str(line) % values
    note = (is_seller and text.seller_deadline_note) or text.deadline_note
    if note is not None and "deadline" in params:
        words = f"{words} {str(note) % values}"
    return Rendered(
        subject=str(text.subject) % values,
        line=words.strip(),
        detail=str(text.detail) if text.detail is not None else "",
    )
