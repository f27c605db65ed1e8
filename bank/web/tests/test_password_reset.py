"""Self-service password reset: a link by email through the outbox, the same answer for
an unknown address, limits per address (silent) and per client IP (said)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from customers.models import Customer, PasswordResetRequest
from paylib.outbox.models import Message

pytestmark = pytest.mark.django_db

RESET = reverse("web:password_reset")


def ask(client: Client, email: str, capture: Callable[..., object], **extra: str) -> object:
    with capture(execute=True):  # type: ignore[attr-defined]
        return client.post(RESET, {"email": email}, **extra)


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"http://[^\s]+/password-reset/[^\s]+/", str(message.body))
    assert found is not None
    return found.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_the_sign_in_page_offers_the_reset(client: Client) -> None:
    assert RESET in client.get(reverse("web:login")).content.decode()


def test_a_customer_resets_his_password_by_the_emailed_link(
    client: Client,
    make_customer: Callable[..., Customer],
    django_capture_on_commit_callbacks: object,
) -> None:
    customer = make_customer(email="ivan@bank.example")
    response = ask(client, "Ivan@Bank.example", django_capture_on_commit_callbacks)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("web:password_reset_done")  # type: ignore[index]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ivan@bank.example"]
    link = link_in(mail.outbox[0])
    form = client.get(link, follow=True)
    assert "new_password1" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-pass-2026!", "new_password2": "a-new-pass-2026!"},
    )
    assert done["Location"] == reverse("web:password_reset_complete")
    customer.refresh_from_db()
    assert customer.check_password("a-new-pass-2026!")
    # The link is good once.
    again = client.get(link, follow=True).content.decode()
    assert "invalid, expired or was already used" in again


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client: Client, django_capture_on_commit_callbacks: object
) -> None:
    response = ask(client, "nobody@bank.example", django_capture_on_commit_callbacks)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("web:password_reset_done")  # type: ignore[index]
    assert mail.outbox == []


def test_the_email_is_in_the_customers_language(
    client: Client,
    make_customer: Callable[..., Customer],
    django_capture_on_commit_callbacks: object,
) -> None:
    make_customer(email="olga@bank.example", language="ru")
    ask(client, "olga@bank.example", django_capture_on_commit_callbacks)
    assert "Сброс пароля" in mail.outbox[0].subject
    assert "Здравствуйте" in str(mail.outbox[0].body)


def test_a_bad_address_is_a_form_error(client: Client) -> None:
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Message.objects.exists()


def test_one_address_gets_at_most_the_limit_of_emails_silently(
    client: Client,
    make_customer: Callable[..., Customer],
    settings: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2  # type: ignore[attr-defined]
    make_customer(email="ivan@bank.example")
    answers = [
        ask(client, "ivan@bank.example", django_capture_on_commit_callbacks) for _ in range(4)
    ]
    assert {a.status_code for a in answers} == {302}  # type: ignore[attr-defined]
    assert len(mail.outbox) == 2


def test_one_network_is_told_when_it_asked_too_often(
    client: Client,
    make_customer: Callable[..., Customer],
    settings: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2  # type: ignore[attr-defined]
    for n in range(2):
        ask(client, f"someone{n}@bank.example", django_capture_on_commit_callbacks)
    make_customer(email="ivan@bank.example")
    refused = ask(client, "ivan@bank.example", django_capture_on_commit_callbacks)
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "Too many requests from your network" in refused.content.decode()  # type: ignore[attr-defined]
    assert mail.outbox == []
    assert Message.objects.count() == 2
    # Another network is not held back.
    other = ask(
        client, "ivan@bank.example", django_capture_on_commit_callbacks, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302  # type: ignore[attr-defined]
    assert len(mail.outbox) == 1


def test_the_counts_name_no_address() -> None:
    from customers.services import password_reset_request

    password_reset_request(email="ivan@bank.example", ip="10.1.1.1")
    sources = list(PasswordResetRequest.objects.values_list("source", flat=True))
    assert len(sources) == 2
    assert all("ivan" not in source and "10.1" not in source for source in sources)


def test_the_reset_pages_in_russian(client: Client) -> None:
    html = client.get("/ru" + RESET).content.decode()
    assert "Сброс пароля" in html
