"""The notification list: each person sees his own, newest first, and reads them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import client_for
from deals.models import Deal
from notifications.models import Notification
from notifications.services import notify
from users.models import User

pytestmark = pytest.mark.django_db


def unread(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@pytest.fixture
def told(deal: Deal, buyer: User, seller: User) -> list[Notification]:
    notify(users=[seller], kind="deal_opened", deal=deal)
    notify(users=[buyer, seller], kind="paid_held", deal=deal)
    return list(Notification.objects.order_by("id"))


def test_anonymous_is_sent_to_sign_in(client: Any) -> None:
    for name, method in (("list", "get"), ("read_all", "post")):
        response = getattr(client, method)(reverse(f"notifications:{name}"))
        assert response.status_code == 302
        assert reverse("users:login") in response["Location"]


def test_anonymous_cannot_open_one(told: list[Notification], client: Any) -> None:
    response = client.post(reverse("notifications:open", args=[told[0].pk]))
    assert response.status_code == 302
    assert told[0].__class__.objects.get(pk=told[0].pk).read_at is None


def test_the_list_shows_his_own_newest_first_unread_marked(
    told: list[Notification], seller: User, deal: Deal
) -> None:
    response = client_for(seller).get(reverse("notifications:list"))
    assert response.status_code == 200
    lines = [line.text for line in response.context["lines"]]
    assert len(lines) == 2
    assert lines[0].startswith(f"Deal #{deal.pk} is paid")
    assert lines[1].startswith(f"New deal #{deal.pk}")
    assert response.content.decode().count('class="notification unread"') == 2
    assert response.context["unread_notifications"] == 2


def test_the_list_is_in_the_pages_language(told: list[Notification], seller: User) -> None:
    response = client_for(seller).get("/ru/notifications/")
    assert "Новая сделка" in response.content.decode()


def test_another_user_sees_none_of_them_and_cannot_open_them(
    told: list[Notification], other_user: User
) -> None:
    client = client_for(other_user)
    response = client.get(reverse("notifications:list"))
    assert response.context["lines"] == []
    assert response.context["unread_notifications"] == 0
    for notification in told:
        response = client.post(reverse("notifications:open", args=[notification.pk]))
        assert response.status_code == 404
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_staff_see_only_their_own_on_the_page(told: list[Notification], staff_user: User) -> None:
    client = client_for(staff_user)
    assert client.get(reverse("notifications:list")).context["lines"] == []
    response = client.post(reverse("notifications:open", args=[told[0].pk]))
    assert response.status_code == 404


def test_staff_see_every_one_read_only_in_the_admin(
    told: list[Notification], staff_user: User
) -> None:
    client = client_for(staff_user)
    listing = client.get(reverse("admin:notifications_notification_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 3
    change = reverse("admin:notifications_notification_change", args=[told[0].pk])
    assert client.post(change, {"kind": "message"}).status_code == 403
    delete = reverse("admin:notifications_notification_delete", args=[told[0].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Notification.objects.count() == 3


def test_opening_one_marks_it_read_and_shows_its_deal(
    told: list[Notification], seller: User, deal: Deal
) -> None:
    client = client_for(seller)
    first = told[0]
    response = client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("deals:detail", args=[deal.pk])
    first.refresh_from_db()
    assert first.read_at is not None
    assert unread(seller) == 1
    assert client.get(reverse("deals:detail", args=[deal.pk])).context["unread_notifications"] == 1


def test_opening_one_is_a_post(told: list[Notification], seller: User) -> None:
    response = client_for(seller).get(reverse("notifications:open", args=[told[0].pk]))
    assert response.status_code == 405
    assert unread(seller) == 2


def test_mark_all_as_read_reads_only_his(
    told: list[Notification], seller: User, buyer: User
) -> None:
    response = client_for(seller).post(reverse("notifications:read_all"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    assert unread(seller) == 0
    assert unread(buyer) == 1
    assert response.context["unread_notifications"] == 0
    assert "Mark all as read" not in response.content.decode()


def test_the_navigation_shows_the_unread_count(told: list[Notification], seller: User) -> None:
    page = client_for(seller).get(reverse("offers:catalogue")).content.decode()
    assert '<span class="badge" aria-label="2 unread">2</span>' in page


def test_the_count_is_one_query(
    told: list[Notification], seller: User, django_assert_num_queries: Any
) -> None:
    from django.test import RequestFactory

    from notifications.context_processors import unread_notifications

    request = RequestFactory().get("/")
    request.user = seller
    with django_assert_num_queries(1):
        assert unread_notifications(request) == {"unread_notifications": 2}


def test_no_query_for_anonymous(django_assert_num_queries: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from notifications.context_processors import unread_notifications

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {"unread_notifications": 0}
