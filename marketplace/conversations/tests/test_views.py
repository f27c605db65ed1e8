"""Messages on the deal page: its buyer, seller and staff write; nobody else; nothing is lost,
doubled, edited or deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import client_for, db_snapshot, form_key
from conversations.models import DealMessage
from deals.models import Deal
from notifications.models import Notification
from users.models import User

pytestmark = pytest.mark.django_db


def post_url(deal: Deal) -> str:
    return reverse("conversations:post", args=[deal.pk])


def send(user: User | None, deal: Deal, text: str, key: str | None = None) -> Any:
    return client_for(user).post(
        post_url(deal), {"text": text, "idempotency_key": key or form_key()}
    )


def told(user: User) -> list[dict[str, Any]]:
    return [n.params for n in Notification.objects.filter(user=user, kind="message")]


def test_anonymous_is_sent_to_sign_in_and_nothing_is_written(deal: Deal) -> None:
    response = send(None, deal, "Hello")
    assert response.status_code == 302
    assert reverse("users:login") in response["Location"]
    assert not DealMessage.objects.exists()


def test_another_user_gets_404_on_the_page_and_the_form(deal: Deal, other_user: User) -> None:
    assert client_for(other_user).get(reverse("deals:detail", args=[deal.pk])).status_code == 404
    assert send(other_user, deal, "Hello").status_code == 404
    assert not DealMessage.objects.exists()
    assert not Notification.objects.filter(kind="message").exists()


def test_the_buyer_writes_and_the_seller_is_told(deal: Deal, buyer: User, seller: User) -> None:
    response = send(buyer, deal, "Is it still\r\nfor sale?")
    assert response.status_code == 302
    assert response["Location"] == reverse("deals:detail", args=[deal.pk]) + "#messages"
    message = DealMessage.objects.get()
    assert (message.author, message.role, message.text) == (
        buyer,
        "buyer",
        "Is it still\nfor sale?",
    )
    assert told(seller) == [{"author": buyer.name, "excerpt": "Is it still for sale?"}]
    assert told(buyer) == []


def test_the_seller_writes_and_the_buyer_is_told(deal: Deal, buyer: User, seller: User) -> None:
    assert send(seller, deal, "Yes, it is.").status_code == 302
    assert DealMessage.objects.get().role == "seller"
    assert told(buyer) == [{"author": seller.name, "excerpt": "Yes, it is."}]
    assert told(seller) == []


def test_staff_write_and_both_parties_are_told(
    deal: Deal, buyer: User, seller: User, staff_user: User
) -> None:
    assert send(staff_user, deal, "Please send a photo of the box.").status_code == 302
    assert DealMessage.objects.get().role == "staff"
    assert len(told(buyer)) == len(told(seller)) == 1
    assert told(staff_user) == []


def test_every_party_sees_the_conversation_in_order(
    deal: Deal, buyer: User, seller: User, staff_user: User
) -> None:
    send(buyer, deal, "First <b>bold</b>\nsecond line")
    send(seller, deal, "Reply")
    for reader in (buyer, seller, staff_user):
        response = client_for(reader).get(reverse("deals:detail", args=[deal.pk]))
        assert [m.text for m in response.context["deal_messages"]] == [
            "First <b>bold</b>\nsecond line",
            "Reply",
        ]
        page = response.content.decode()
        assert "First &lt;b&gt;bold&lt;/b&gt;<br>second line" in page
        assert f'action="{post_url(deal)}"' in page


def test_a_double_submit_writes_once_and_tells_once(deal: Deal, buyer: User, seller: User) -> None:
    key = form_key()
    first = send(buyer, deal, "Hello", key)
    second = send(buyer, deal, "Hello", key)
    assert first.status_code == second.status_code == 302
    assert DealMessage.objects.count() == 1
    assert len(told(seller)) == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write a message first."),
        ("   ", "Write a message first."),
        ("x" * 2001, "Keep it to 2000 characters (it has 2001)."),
        ("null\x00byte", "no tabs or other control characters"),
        ("a\ttab", "no tabs or other control characters"),
        ("bidi \u202e override", "no tabs or other control characters"),
    ],
)
def test_a_bad_message_is_a_form_error_and_writes_nothing(
    deal: Deal, buyer: User, text: str, error: str
) -> None:
    client = client_for(buyer)
    before = db_snapshot()
    response = client.post(post_url(deal), {"text": text, "idempotency_key": form_key()})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert response.context["message_form"].errors["text"]
    assert db_snapshot() == before
    assert not DealMessage.objects.exists()
    assert not Notification.objects.exists()


def test_a_message_of_2000_characters_with_crlf_breaks_is_taken(deal: Deal, buyer: User) -> None:
    text = "x" * 1000 + "\r\n" + "x" * 999  # 2,000 characters once the CRLF is one line break
    assert send(buyer, deal, text).status_code == 302
    assert len(DealMessage.objects.get().text) == 2000


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Сначала напишите сообщение."),
        ("a\x1bb", "Только обычный текст: переносы строк можно"),
        ("x" * 2001, "Не больше 2000 символов (сейчас 2001)."),
    ],
)
def test_a_bad_message_in_russian_reads_in_russian(
    deal: Deal, buyer: User, text: str, error: str
) -> None:
    response = client_for(buyer).post(
        f"/ru{post_url(deal)}", {"text": text, "idempotency_key": form_key()}
    )
    assert response.status_code == 400
    assert error in response.content.decode()


def test_a_missing_form_key_is_a_form_error(deal: Deal, buyer: User) -> None:
    response = client_for(buyer).post(post_url(deal), {"text": "Hello"})
    assert response.status_code == 400
    assert not DealMessage.objects.exists()


def test_the_form_is_a_post(deal: Deal, buyer: User) -> None:
    assert client_for(buyer).get(post_url(deal)).status_code == 405


def test_staff_see_the_messages_read_only_in_the_deal_admin(
    deal: Deal, buyer: User, staff_user: User
) -> None:
    send(buyer, deal, "Evidence")
    client = client_for(staff_user)
    page = client.get(reverse("admin:deals_deal_change", args=[deal.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Evidence" in html
    assert 'name="messages-0-text"' not in html  # shown, not editable
    message = DealMessage.objects.get()
    assert client.get(f"/admin/conversations/dealmessage/{message.pk}/change/").status_code == 404
