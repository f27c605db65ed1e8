from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from conftest import client_for
from deals.models import Deal, DealTransition
from deals.services import deal_create
from offers.models import Offer
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(user: User, other_user: User, make_offer: Callable[..., Offer]) -> Deal:
    return deal_create(buyer=other_user, offer=make_offer(user, title="=HYPERLINK()"), quantity=2)


def run_action(staff: User, model: str, action: str, pks: list[int]) -> bytes:
    client = client_for(staff)
    response = client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]},
        follow=True,
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_export_writes_the_selected_rows_and_defuses_formulas(
    staff_user: User, deal: Deal
) -> None:
    body = run_action(staff_user, "deals_deal", "export_csv", [deal.pk]).decode()
    assert body.startswith("\ufeff")  # spreadsheets then read it as UTF-8
    header, row = body[1:].strip().splitlines()
    assert header.startswith("id,offer_title,buyer__email")
    assert row.startswith(f"{deal.pk},'=HYPERLINK(),other@example.com")


def test_csv_export_writes_amounts_in_roubles_under_a_meaningful_name(
    staff_user: User, deal: Deal
) -> None:
    client = client_for(staff_user)
    response = client.post(
        reverse("admin:deals_deal_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(deal.pk)]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="deals-20')
    lines = b"".join(response.streaming_content).decode()[1:].splitlines()
    columns = dict(zip(lines[0].split(","), lines[1].split(","), strict=True))
    assert columns["amount_rub"] == "3000.00"
    assert columns["unit_price_rub"] == "1500.00"
    assert int(columns["quantity"]) == 2
    russian = client.post(
        "/ru" + reverse("admin:deals_deal_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(deal.pk)]},
    )
    ru_lines = b"".join(russian.streaming_content).decode()[1:].splitlines()
    ru_columns = dict(zip(ru_lines[0].split(";"), ru_lines[1].split(";"), strict=True))
    assert ru_columns["amount_rub"] == "3000,00"


def test_admin_pages_show_amounts_in_roubles(staff_user: User, deal: Deal) -> None:
    client = client_for(staff_user)
    listing = client.get(reverse("admin:deals_deal_changelist")).content.decode()
    assert "3,000.00\u00a0₽" in listing
    detail = client.get(reverse("admin:deals_deal_change", args=[deal.pk])).content.decode()
    assert "1,500.00\u00a0₽" in detail
    assert "300000" not in detail
    offer = client.get(reverse("admin:offers_offer_change", args=[deal.offer_id])).content.decode()
    assert 'value="1500.00"' in offer


def test_the_admin_is_titled_by_the_service_in_both_languages(staff_user: User) -> None:
    client = client_for(staff_user)
    assert "Marketplace — administration" in client.get(reverse("admin:index")).content.decode()
    russian = client.get("/ru" + reverse("admin:index")).content.decode()
    assert "Площадка — администрирование" in russian
    assert "Django" not in russian


def test_russian_admin_titles_name_the_model_in_the_accusative(
    staff_user: User, deal: Deal
) -> None:
    from commission.models import CommissionSetting

    setting = CommissionSetting.objects.first() or CommissionSetting.objects.create()
    urls = {
        "setting": reverse("admin:commission_commissionsetting_change", args=[setting.pk]),
        "deals": reverse("admin:deals_deal_changelist"),
        "users": reverse("admin:users_user_changelist"),
        "deal": reverse("admin:deals_deal_change", args=[deal.pk]),
    }
    client = client_for(staff_user)
    english = client.get(urls["deal"]).content.decode()
    assert "Change deal" in english
    page = client.get("/ru" + urls["setting"]).content.decode()
    assert "Изменить настройку комиссии" in page
    listing = client.get("/ru" + urls["deals"]).content.decode()
    assert "Выберите сделку для изменения" in listing
    users = client.get("/ru" + urls["users"]).content.decode()
    assert "Добавить пользователя" in users


def test_staff_type_an_offers_price_in_roubles(staff_user: User, deal: Deal) -> None:
    from offers.models import Offer

    offer = Offer.objects.get(pk=deal.offer_id)
    client = client_for(staff_user)
    url = reverse("admin:offers_offer_change", args=[offer.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["price"] = "1 234,50"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    offer.refresh_from_db()
    assert offer.price == 1_234_50


def test_staff_cancel_deals_through_the_state_machine(staff_user: User, deal: Deal) -> None:
    run_action(staff_user, "deals_deal", "cancel_deals", [deal.pk])
    deal.refresh_from_db()
    assert deal.status == "cancelled"
    step = DealTransition.objects.get(deal=deal, to_status="cancelled")
    assert (step.actor, step.role) == (staff_user, "staff")
    assert Offer.objects.get().quantity_available == 5


def test_an_illegal_admin_move_is_refused_and_changes_nothing(staff_user: User, deal: Deal) -> None:
    Deal.objects.filter(pk=deal.pk).update(status="shipped")
    content = run_action(staff_user, "deals_deal", "cancel_deals", [deal.pk]).decode()
    assert "cannot go from" in content
    deal.refresh_from_db()
    assert deal.status == "shipped"


def test_the_deal_admin_cannot_change_money(staff_user: User, deal: Deal) -> None:
    client = client_for(staff_user)
    url = reverse("admin:deals_deal_change", args=[deal.pk])
    client.post(
        url,
        {
            "amount": "1",
            "status": "held",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
        },
    )
    deal.refresh_from_db()
    assert (deal.amount, deal.status) == (300_000, "created")


@pytest.mark.parametrize(
    "model",
    [
        "offers_offer",
        "users_user",
        "accounts_settlementaccount",
        "commission_commissionchange",
    ],
)
def test_every_changelist_exports_csv(staff_user: User, deal: Deal, model: str) -> None:
    from django.apps import apps

    label = model.replace("_", ".", 1)
    pks = list(apps.get_model(label).objects.values_list("pk", flat=True))
    if model == "commission_commissionchange":
        from decimal import Decimal

        from commission.services import commission_setting_update

        change = commission_setting_update(percent=Decimal(1), minimum=0, actor=staff_user)
        assert change
        pks = list(apps.get_model(label).objects.values_list("pk", flat=True))
    body = run_action(staff_user, model, "export_csv", pks).decode()
    assert body.startswith("\ufeff")
    assert len(body.strip().splitlines()) == len(pks) + 1
