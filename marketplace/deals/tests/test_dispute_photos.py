"""Photos with a dispute: the buyer's evidence, checked by their content, kept in the private
storage, shown to the deal's parties and staff only; a bad file opens no dispute and saves
nothing."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import Media, client_for, db_snapshot
from conversations.models import DealMessage, DealMessagePhoto
from conversations.services import deal_message_create
from core.images import image_clean
from core.storage import private_storage
from core.tests.images import picture, png_claiming, upload
from deals.actions import deal_ship
from deals.disputes import dispute_open
from deals.models import Deal, Dispute
from deals.state import Status
from notifications.models import Notification
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(held: Deal) -> Deal:
    deal_ship(deal=held, seller=held.seller, method="in_person")
    held.refresh_from_db()
    return held


def dispute(deal: Deal, client: Client | None = None, **data: Any) -> Any:
    data.setdefault("reason", "damaged")
    data.setdefault("message", "The screen is cracked.")
    client = client or client_for(deal.buyer)
    return client.post(reverse("deals:dispute", args=[deal.pk]), data)


def test_the_buyer_disputes_with_photos_kept_private_and_shown_to_the_deal(
    shipped: Deal, media_dirs: Media, staff_user: User, make_user: Any
) -> None:
    response = dispute(
        shipped,
        photos=[upload(picture(exif=True), "IMG_0001.jpg"), upload(picture("PNG"), "b.png")],
    )
    assert response.status_code == 302
    opened = Dispute.objects.select_related("evidence").get()
    assert opened.evidence is not None
    photos = list(opened.evidence.photos.order_by("position"))
    assert [p.format for p in photos] == ["JPEG", "PNG"]
    assert len(Media.files(media_dirs.private)) == 2
    assert Media.files(media_dirs.public) == []
    assert all("IMG_0001" not in p.image.name for p in photos)

    urls = [reverse("conversations:photo", args=[shipped.pk, p.pk]) for p in photos]
    for reader in (shipped.buyer, shipped.seller, staff_user):
        for url in urls:
            assert client_for(reader).get(url).status_code == 200
    stranger = make_user()
    assert {client_for(stranger).get(url).status_code for url in urls} == {404}
    assert client_for(None).get(urls[0]).status_code == 302

    seller_page = client_for(shipped.seller).get(reverse("deals:detail", args=[shipped.pk]))
    text = seller_page.content.decode()
    assert all(f'src="{url}"' in text for url in urls)
    assert 'data-testid="dispute-evidence"' in text  # the message in the conversation
    resolve = client_for(staff_user).get(reverse("admin:deals_dispute_resolve", args=[opened.pk]))
    assert all(url in resolve.content.decode() for url in urls)
    change = client_for(staff_user).get(reverse("admin:deals_dispute_change", args=[opened.pk]))
    assert all(url in change.content.decode() for url in urls)


def test_the_seller_is_told_of_the_dispute_once(shipped: Deal, media_dirs: Media) -> None:
    Notification.objects.all().delete()
    assert dispute(shipped, photos=[upload(picture())]).status_code == 302
    kinds = list(Notification.objects.filter(user=shipped.seller).values_list("kind", flat=True))
    assert kinds == ["dispute_opened"]


@pytest.mark.parametrize(
    ("photos", "error"),
    [
        (lambda: [upload(b"not a picture", "x.jpg")], "this file is not one"),
        (lambda: [upload(png_claiming(8000, 6000), "bomb.png", "image/png")], "megapixels"),
        (lambda: [upload(b"\xff" * (5 * 1024 * 1024 + 1), "big.jpg")], "too large"),
        (lambda: [upload(picture(), f"{n}.jpg") for n in range(5)], "At most 4 photos"),
        (lambda: [upload(picture()), upload(b"GIF89a....", "x.gif", "image/gif")], "x.gif"),
    ],
    ids=["not-an-image", "too-many-pixels", "too-large", "too-many", "one-bad-of-two"],
)
def test_a_bad_photo_opens_no_dispute_and_saves_nothing(
    shipped: Deal, media_dirs: Media, photos: Any, error: str
) -> None:
    client = client_for(shipped.buyer)
    before = db_snapshot()
    messages_before = DealMessage.objects.count()
    response = dispute(shipped, client, photos=photos())
    assert response.status_code == 400
    assert error in response.content.decode()
    assert db_snapshot() == before
    assert DealMessage.objects.count() == messages_before
    assert not DealMessagePhoto.objects.exists()
    assert Media.files(media_dirs.private) == Media.files(media_dirs.public) == []
    shipped.refresh_from_db()
    assert shipped.status == Status.SHIPPED


def test_a_message_longer_than_the_conversation_takes_is_a_form_error(
    shipped: Deal, media_dirs: Media
) -> None:
    client = client_for(shipped.buyer)
    before = db_snapshot()
    response = dispute(shipped, client, message="x" * 2001)
    assert response.status_code == 400
    assert "Keep it to 2000 characters" in response.content.decode()
    assert db_snapshot() == before


def test_a_second_dispute_form_sent_again_stores_nothing_more(
    shipped: Deal, media_dirs: Media
) -> None:
    assert dispute(shipped, photos=[upload(picture())]).status_code == 302
    again = dispute(shipped, photos=[upload(picture())])
    assert again.status_code in (302, 400)
    assert Dispute.objects.count() == 1
    assert DealMessagePhoto.objects.count() == 1
    assert len(Media.files(media_dirs.private)) == 1


def legacy_photo(deal: Deal) -> DealMessagePhoto:
    """A photo stored, as before photos were private, in the public media storage."""
    message = deal_message_create(
        deal=deal,
        author=deal.buyer,
        role="buyer",
        text="Before",
        idempotency_key=uuid.uuid4(),
        tell=False,
    )
    name = storages["default"].save("deal-messages/2026/01/old.jpg", ContentFile(picture()))
    return DealMessagePhoto.objects.create(
        message=message, image=name, format="JPEG", width=64, height=48, position=0
    )


def test_photos_stored_publicly_before_are_moved_to_the_private_storage(
    held: Deal, media_dirs: Media
) -> None:
    photo = legacy_photo(held)
    url = reverse("conversations:photo", args=[held.pk, photo.pk])
    # Not moved yet: still shown, from where it is.
    assert client_for(held.seller).get(url).status_code == 200
    call_command("move_photos_private", stdout=io.StringIO())
    assert Media.files(media_dirs.public) == []
    assert (media_dirs.private / photo.image.name).read_bytes() == picture()
    with DealMessagePhoto.objects.get().image.open("rb") as stored:
        assert stored.read() == picture()
    response = client_for(held.seller).get(url)
    assert b"".join(response.streaming_content) == picture()  # type: ignore[attr-defined]


def test_a_move_stopped_half_way_is_finished_by_the_next_run(held: Deal, media_dirs: Media) -> None:
    photo = legacy_photo(held)
    private_storage().save(photo.image.name, ContentFile(picture()))  # copied, not deleted
    out = io.StringIO()
    call_command("move_photos_private", stdout=out)
    assert "0 photos moved, 1 public copies" in out.getvalue()
    assert Media.files(media_dirs.public) == []
    call_command("move_photos_private", stdout=out)  # and again: nothing to do
    assert len(Media.files(media_dirs.private)) == 1


def test_a_dispute_that_fails_after_its_photos_are_stored_leaves_no_file(
    shipped: Deal, media_dirs: Media, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deals import notices

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the notice could not be recorded")

    monkeypatch.setattr(notices, "dispute_opened", broken)
    with pytest.raises(RuntimeError):
        dispute_open(
            deal=shipped,
            buyer=shipped.buyer,
            reason="damaged",
            message="Dent.",
            photos=[image_clean(upload(picture())), image_clean(upload(picture("PNG")))],
        )
    assert not Dispute.objects.exists()
    assert not DealMessagePhoto.objects.exists()
    assert Media.files(media_dirs.private) == []


def test_a_disputed_deal_in_russian_has_no_english_left(
    shipped: Deal, media_dirs: Media, staff_user: User
) -> None:
    from django.conf import settings

    from core.tests.test_russian_pages import PHRASES
    from paylib.admin_language import english_runs, page_text, phrases_in

    assert (
        dispute(shipped, message="Вмятина на крышке.", photos=[upload(picture())]).status_code
        == 302
    )
    for reader in (shipped.buyer, shipped.seller, staff_user):
        client = client_for(reader)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
        text = page_text(
            client.get(f"/ru/deals/{shipped.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        )
        assert "Спор" in text
        known = [shipped.offer_title, shipped.buyer.name, shipped.seller.name, reader.email]
        assert phrases_in(text, PHRASES) == []
        assert english_runs(text, known=known) == []
