"""Every kind reads as a whole sentence in English and in Russian, for each party."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import translation

from deals.models import Deal
from notifications.models import Kind
from notifications.texts import CODES, TEXTS, check_params, render
from paylib.money import format_rub

DEADLINE = datetime(2026, 12, 7, 9, 30, tzinfo=UTC).isoformat()
#: Parameters for each kind, as a caller passes them.
PARAMS: dict[str, dict[str, Any]] = {
    Kind.SHIPPED: {"method": "CDEK", "tracking": "TRACK-42", "deadline": DEADLINE},
    Kind.SHIP_REMINDER: {"deadline": DEADLINE},
    Kind.CONFIRM_REMINDER: {"deadline": DEADLINE},
    Kind.ANSWER_REMINDER: {"deadline": DEADLINE},
    Kind.ANSWER_MISSED: {"deadline": DEADLINE},
    Kind.CANCELLED: {"by": "seller"},
    Kind.DISPUTE_OPENED: {"reason": "damaged", "deadline": DEADLINE},
    Kind.DISPUTE_RESOLVED: {
        "outcome": "partial_refund",
        "amount": 30_050,
        "reason": "The box was dented",
    },
    Kind.REFUNDED: {"amount": 30_050},
    Kind.REFUND_FAILED: {"amount": 30_050},
    Kind.MESSAGE: {"author": "Boris", "excerpt": "Is it still there?"},
}
#: What a kind's line must show, per language.
SHOWN: dict[str, dict[str, list[str]]] = {
    Kind.SHIPPED: {
        "en": ["CDEK", "TRACK-42", "by 7 December 2026, 12:30"],
        "ru": ["CDEK", "TRACK-42", "до 7 декабря 2026, 12:30"],
    },
    Kind.SHIP_REMINDER: {"en": ["7 December 2026, 12:30"], "ru": ["7 декабря 2026, 12:30"]},
    Kind.CANCELLED: {"en": ["by the seller"], "ru": ["продавец"]},
    Kind.DISPUTE_OPENED: {"en": ["damaged", "by 7 December"], "ru": ["повреждён", "до 7 декабря"]},
    Kind.DISPUTE_RESOLVED: {
        "en": ["partial refund", "300.50\u00a0₽", "The box was dented"],
        "ru": ["часть суммы", "300,50\u00a0₽", "The box was dented"],
    },
    Kind.REFUNDED: {"en": ["300.50\u00a0₽"], "ru": ["300,50\u00a0₽"]},
    Kind.MESSAGE: {"en": ["Boris", "Is it still there?"], "ru": ["Boris", "Is it still there?"]},
}


def test_every_kind_has_a_text() -> None:
    assert set(TEXTS) == set(Kind.values)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("is_seller", [False, True])
def test_each_kind_renders_in_both_languages(deal: Deal, kind: str, is_seller: bool) -> None:
    params = PARAMS.get(kind, {})
    check_params(kind, params)
    texts = {}
    for language in ("en", "ru"):
        with translation.override(language):
            texts[language] = render(kind=kind, params=params, deal=deal, is_seller=is_seller)
        for part in (texts[language].subject, texts[language].line, texts[language].detail):
            assert "%(" not in part
        assert str(deal.pk) in texts[language].line
        assert str(deal.pk) in texts[language].subject
        for shown in SHOWN.get(kind, {}).get(language, []):
            assert shown in texts[language].line


def _strings() -> list[Any]:
    strings: list[Any] = [*Kind.labels]
    for text in TEXTS.values():
        strings += [
            s
            for s in (
                text.subject,
                text.line,
                text.seller_line,
                text.detail,
                text.deadline_note,
                text.seller_deadline_note,
            )
            if s
        ]
    for codes in CODES.values():
        strings += list(codes.values())
    return strings


@pytest.mark.parametrize("text", _strings(), ids=str)
def test_every_string_has_its_russian(text: Any) -> None:
    with translation.override("en"):
        english = str(text)
    with translation.override("ru"):
        assert str(text) != english


@pytest.mark.django_db
def test_the_seller_reads_his_net_and_the_commission(deal: Deal) -> None:
    with translation.override("en"):
        line = render(kind="completed", params={}, deal=deal, is_seller=True).line
    assert format_rub(deal.seller_net) in line
    assert format_rub(deal.commission_amount) in line


@pytest.mark.django_db
def test_an_amount_passed_overrides_the_deals(deal: Deal) -> None:
    with translation.override("en"):
        line = render(kind="completed", params={"net": 100}, deal=deal, is_seller=False).line
    assert "1.00\u00a0₽" in line


@pytest.mark.django_db
def test_in_person_is_worded_and_no_tracking_is_left_out(deal: Deal) -> None:
    with translation.override("ru"):
        line = render(kind="shipped", params={"method": "in_person"}, deal=deal, is_seller=False)
    assert line.line == f"Сделка №{deal.pk} (Bicycle) отправлена: передан лично."


@pytest.mark.django_db
def test_the_seller_is_told_his_own_deadline(deal: Deal) -> None:
    params = {"deadline": DEADLINE}
    with translation.override("en"):
        seller = render(kind="paid_held", params=params, deal=deal, is_seller=True).line
        buyer = render(kind="paid_held", params=params, deal=deal, is_seller=False).line
    assert seller.endswith("Ship by 7 December 2026, 12:30.")
    assert buyer.endswith("The seller ships by 7 December 2026, 12:30.")
