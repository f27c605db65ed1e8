"""The statement's filters and its CSV and PDF files: only the owner's, only what the
filters let through, amounts in roubles, readable in English and Russian."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from customers.models import Customer
from ledger.models import Account
from ledger.services import deposit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(make_account: Callable[..., Account]) -> Account:
    """Three movements on three days (Moscow time), the first one as the account opens."""
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        account = make_account(balance=1000_00)
    with time_machine.travel(datetime(2026, 3, 15, 12, 0, tzinfo=UTC), tick=False):
        deposit_create(
            account=account, amount=1250_50, created_by=None, description="Самовар; «Тула»"
        )
    with time_machine.travel(datetime(2026, 4, 2, 20, 30, tzinfo=UTC), tick=False):
        deposit_create(account=account, amount=7_05, created_by=None, description="=SUM(A1)")
    account.refresh_from_db()
    return account


def owner(account: Account) -> Customer:
    assert account.customer is not None
    return account.customer


def url(name: str, account: Account, query: str = "") -> str:
    return reverse(f"web:{name}", args=[account.number]) + query


def csv_text(response: object) -> str:
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith("\ufeff".encode())
    return body.decode("utf-8")[1:]


def pdf_text(response: object) -> str:
    content = response.content  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_statement_filters_by_dates_and_description(
    signed_in: Callable[[Customer], Client], account: Account
) -> None:
    client = signed_in(owner(account))
    html = client.get(url("statement", account, "?date_from=2026-03-10")).content.decode()
    assert movements(html) == 2
    assert "Самовар" in html
    assert "=SUM(A1)" in html
    html = client.get(url("statement", account, "?date_to=2026-03-15&q=самовар")).content.decode()
    assert movements(html) == 1  # any case (PostgreSQL's upper() knows Cyrillic)
    assert "Самовар" in html
    html = client.get(url("statement", account, "?date_to=2026-03-14")).content.decode()
    assert movements(html) == 1
    assert "Самовар" not in html


def movements(html: str) -> int:
    return html.count('<td class="amount credit"') + html.count('<td class="amount debit"')


def test_a_date_the_bank_counts_in_moscow_time(
    signed_in: Callable[[Customer], Client], account: Account
) -> None:
    # 2026-04-02 20:30 UTC is 23:30 in Moscow: still the 2nd of April.
    client = signed_in(owner(account))
    html = client.get(url("statement", account, "?date_from=2026-04-02")).content.decode()
    assert "=SUM(A1)" in html
    html = client.get(url("statement", account, "?date_from=2026-04-03")).content.decode()
    assert "No movements match these filters." in html


def test_an_end_before_the_start_is_explained_and_filters_nothing(
    signed_in: Callable[[Customer], Client], account: Account
) -> None:
    response = signed_in(owner(account)).get(
        url("statement", account, "?date_from=2026-04-01&date_to=2026-03-01")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end date is before the start date." in html
    assert movements(html) == 3


@pytest.mark.parametrize(
    "query", ["?date_from=yesterday", "?date_to=2026-13-45", "?q=" + "x" * 500]
)
def test_bad_filters_get_a_form_error_not_a_server_error(
    signed_in: Callable[[Customer], Client], account: Account, query: str
) -> None:
    client = signed_in(owner(account))
    for name in ("statement", "statement-csv", "statement-pdf"):
        assert client.get(url(name, account, query)).status_code == 200
    assert 'class="field-error"' in client.get(url("statement", account, query)).content.decode()


def test_the_csv_has_the_filtered_movements_in_roubles_with_a_bom(
    signed_in: Callable[[Customer], Client], account: Account
) -> None:
    response = signed_in(owner(account)).get(
        url("statement-csv", account, "?date_from=2026-03-10&date_to=2026-04-30")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-{account.number}-20260310-20260430.csv"'
    )
    lines = csv_text(response).splitlines()
    assert lines == [
        'Date,Description,Kind,"Amount, RUB","Balance after, RUB"',
        "2026-04-02 23:30,'=SUM(A1),Deposit,7.05,2257.55",
        "2026-03-15 15:00,Самовар; «Тула»,Deposit,1250.50,2250.50",
    ]


def test_the_russian_csv_is_for_russian_spreadsheets(
    signed_in: Callable[[Customer], Client], account: Account
) -> None:
    response = signed_in(owner(account)).get("/ru" + url("statement-csv", account))
    opened = f"statement-{account.number}-20260301-"
    assert opened in response["Content-Disposition"]
    lines = csv_text(response).splitlines()
    assert lines[0].startswith("Дата;Назначение;")
    assert lines[2] == '2026-03-15 15:00;"Самовар; «Тула»";Пополнение;1250,50;2250,50'
    assert lines[3].endswith(";1000,00;1000,00")
    assert "Первоначальный взнос" in lines[3] or "Opening deposit" not in lines[3]


def test_the_pdf_lists_the_filtered_movements_in_the_readers_language(
    signed_in: Callable[[Customer], Client], account: Account
) -> None:
    client = signed_in(owner(account))
    response = client.get(url("statement-pdf", account, "?q=Самовар"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    text = pdf_text(response)
    assert "40817 810" in text
    assert owner(account).full_name in text
    assert "Самовар; «Тула»" in text
    assert "+1,250.50" in text
    assert "SUM(A1)" not in text
    russian = pdf_text(client.get("/ru" + url("statement-pdf", account)))
    assert "Выписка" in russian
    assert "+1\u00a0250,50" in russian or "+1 250,50" in russian
    assert "SUM(A1)" in russian


@pytest.mark.parametrize("name", ["statement-csv", "statement-pdf", "account-details"])
def test_another_customer_and_staff_get_a_404(
    signed_in: Callable[[Customer], Client],
    account: Account,
    make_customer: Callable[..., Customer],
    staff: Customer,
    name: str,
) -> None:
    assert signed_in(make_customer()).get(url(name, account)).status_code == 404
    assert signed_in(staff).get(url(name, account)).status_code == 404


@pytest.mark.parametrize("name", ["statement-csv", "statement-pdf", "account-details"])
def test_an_anonymous_visitor_is_sent_to_sign_in(
    client: Client, account: Account, name: str
) -> None:
    response = client.get(url(name, account))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_details_page_has_what_a_payer_needs(
    signed_in: Callable[[Customer], Client], account: Account, settings: object
) -> None:
    client = signed_in(owner(account))
    html = client.get(url("account-details", account)).content.decode()
    assert f'data-testid="number">{account.number[:5]} {account.number[5:8]}' in html
    assert 'data-testid="bik">044525974<' in html
    assert owner(account).full_name in html
    assert url("account-details", account) in client.get(url("statement", account)).content.decode()
    russian = client.get("/ru" + url("account-details", account)).content.decode()
    assert "Реквизиты счёта" in russian
    assert "БИК" in russian


@pytest.mark.smoke
@pytest.mark.parametrize("typed", ["самовар", "САМОВАР", "Самовар", "тула", "ТУЛА"])
def test_the_search_ignores_the_case_of_cyrillic_letters(
    account: Account, client: Client, typed: str
) -> None:
    client.force_login(owner(account))
    page = client.get(url("statement", account, f"?q={typed}")).content.decode()
    assert movements(page) == 1
    assert "Самовар" in page


@pytest.mark.smoke
def test_the_search_takes_yo_for_ye_and_ye_for_yo(
    make_account: Callable[..., Account], client: Client
) -> None:
    account = make_account(balance=0)
    deposit_create(account=account, amount=1_00, created_by=None, description="Матрёшка")
    deposit_create(account=account, amount=2_00, created_by=None, description="Ёлка")
    client.force_login(owner(account))
    for typed, found in [("матрешка", "Матрёшка"), ("елка", "Ёлка"), ("ЁЛКА", "Ёлка")]:
        page = client.get(url("statement", account, f"?q={typed}")).content.decode()
        assert movements(page) == 1, typed
        assert found in page
