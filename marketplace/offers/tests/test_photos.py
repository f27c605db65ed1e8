"""Photos of offers: uploaded with the new and edit forms, reordered, shown on the card and
the offer's page; a bad file is refused with a message and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import SettlementAccount
from conftest import client_for, db_snapshot, form_key
from core.images import MAX_IMAGE_BYTES
from core.tests.images import picture, png_claiming, upload
from offers.models import MAX_PHOTOS, Category, Offer, OfferPhoto
from users.models import User

pytestmark = pytest.mark.django_db


def media_files() -> set[Path]:
    """The uploaded files (not the thumbnails, a cache that a page view may fill)."""
    root = Path(settings.MEDIA_ROOT)
    files = {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    cache = root / settings.IMAGEKIT_CACHEFILE_DIR
    return {p for p in files if cache not in p.parents}


def offer_data(category: Category, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Camera",
        "description": "Old but good",
        "price": "2500",
        "quantity": "1",
        "category": str(category.pk),
        "idempotency_key": form_key(),
        **extra,
    }


def colour_of(photo: OfferPhoto) -> tuple[int, ...]:
    with photo.image.open("rb") as f, Image.open(f) as image:
        return tuple(image.convert("RGB").getpixel((2, 2)))


def coloured(rgb: tuple[int, int, int], name: str) -> Any:
    from io import BytesIO

    out = BytesIO()
    Image.new("RGB", (40, 30), rgb).save(out, format="PNG")
    return upload(out.getvalue(), name=name, content_type="image/png")


@pytest.fixture
def seller(user: User, make_linked_account: Callable[..., SettlementAccount]) -> User:
    make_linked_account(user)
    return user


@pytest.mark.smoke
def test_an_offer_is_published_with_its_photos_in_order(seller: User, category: Category) -> None:
    red, green = coloured((250, 0, 0), "red.png"), coloured((0, 250, 0), "green.png")
    response = client_for(seller).post(
        reverse("offers:create"), offer_data(category, photos=[red, green])
    )
    offer = Offer.objects.get()
    assert response.status_code == 302
    photos = list(offer.photos.all())
    assert [p.position for p in photos] == [0, 1]
    assert colour_of(photos[0])[0] > 200
    assert colour_of(photos[1])[1] > 200
    assert all(p.image.name.startswith(f"offers/{offer.pk}/") for p in photos)
    assert not any("red" in p.image.name for p in photos)  # the uploader's names are not kept


@pytest.mark.smoke
def test_the_card_shows_the_first_photo_and_the_page_a_gallery(
    seller: User, category: Category
) -> None:
    photos = [upload(picture("JPEG"), name=f"{n}.jpg") for n in range(3)]
    client_for(seller).post(reverse("offers:create"), offer_data(category, photos=photos))
    offer = Offer.objects.get()
    catalogue = Client().get(reverse("offers:catalogue")).content.decode()
    first = offer.photos.get(position=0)
    assert first.thumbnail.url in catalogue
    assert offer.photos.get(position=1).thumbnail.url not in catalogue
    page = Client().get(reverse("offers:detail", args=[offer.pk])).content.decode()
    assert page.count('class="gallery-item"') == 3
    assert first.large.url in page
    # The thumbnail is a real picture of the card's size, served like any media file.
    served = Client().get(first.thumbnail.url)
    assert served.status_code == 200
    thumbnail = Image.open(Path(settings.MEDIA_ROOT) / first.thumbnail.name)
    assert thumbnail.size == (480, 360)


BAD_UPLOADS: dict[str, Callable[[], list[Any]]] = {
    "not an image": lambda: [upload(b"%PDF-1.4 not a photo", name="scan.jpg")],
    "a gif": lambda: [upload(picture("GIF"), name="anim.gif", content_type="image/gif")],
    "too large": lambda: [upload(picture("PNG") + b"\0" * MAX_IMAGE_BYTES, name="big.png")],
    "too many pixels": lambda: [upload(png_claiming(20_000, 20_000), name="bomb.png")],
    "too many files": lambda: [
        upload(picture("JPEG"), name=f"{n}.jpg") for n in range(MAX_PHOTOS + 1)
    ],
    "one bad among good": lambda: [upload(picture("JPEG")), upload(b"text", name="x.png")],
}


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_a_bad_upload_on_the_new_form_saves_nothing(
    seller: User, category: Category, kind: str
) -> None:
    client = client_for(seller)
    before, files_before = db_snapshot(), media_files()
    response = client.post(
        reverse("offers:create"), offer_data(category, photos=BAD_UPLOADS[kind]())
    )
    assert response.status_code == 200
    assert response.context["form"].errors["photos"]
    assert 'id="id_photos_error"' in response.content.decode()
    assert db_snapshot() == before
    assert media_files() == files_before
    assert not Offer.objects.exists()


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_a_bad_upload_on_the_edit_form_changes_nothing(
    seller: User, category: Category, make_offer: Callable[..., Offer], kind: str
) -> None:
    offer = make_offer(seller)
    data = {**offer_data(category, title="Renamed"), "photos": BAD_UPLOADS[kind]()}
    client = client_for(seller)
    before, files_before = db_snapshot(), media_files()
    response = client.post(reverse("offers:edit", args=[offer.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["photos"]
    assert db_snapshot() == before
    assert media_files() == files_before


def _publish_with(seller: User, category: Category, count: int) -> Offer:
    photos = [coloured((30 * n, 0, 0), f"{n}.png") for n in range(count)]
    client_for(seller).post(reverse("offers:create"), offer_data(category, photos=photos))
    return Offer.objects.get()


def _edit_data(offer: Offer, category: Category, **extra: Any) -> dict[str, Any]:
    data = offer_data(category)
    data.pop("idempotency_key")
    for index, photo in enumerate(offer.photos.all()):
        data[f"photo_{photo.pk}_place"] = str(index + 1)
    data.update(extra)
    return data


def test_photos_are_reordered_and_removed_on_the_edit_form(
    seller: User, category: Category, django_capture_on_commit_callbacks: Any
) -> None:
    offer = _publish_with(seller, category, 3)
    first, second, third = offer.photos.all()
    data = _edit_data(offer, category)
    data[f"photo_{third.pk}_place"] = "1"  # the third becomes the cover
    data[f"photo_{second.pk}_remove"] = "on"
    removed_file = Path(settings.MEDIA_ROOT) / second.image.name
    with_new = {**data, "photos": [coloured((0, 0, 250), "blue.png")]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(seller).post(reverse("offers:edit", args=[offer.pk]), with_new)
    assert response.status_code == 302
    photos = list(offer.photos.all())
    assert [p.pk for p in photos[:2]] == [third.pk, first.pk]
    assert [p.position for p in photos] == [0, 1, 2]
    assert colour_of(photos[2])[2] > 200
    assert not OfferPhoto.objects.filter(pk=second.pk).exists()
    assert not removed_file.exists()


def test_the_edit_form_refuses_more_than_eight_in_all_and_changes_nothing(
    seller: User, category: Category
) -> None:
    offer = _publish_with(seller, category, MAX_PHOTOS - 1)
    data = _edit_data(offer, category, photos=[coloured((1, 2, 3), f"{n}.png") for n in range(2)])
    client = client_for(seller)
    before, files_before = db_snapshot(), media_files()
    response = client.post(reverse("offers:edit", args=[offer.pk]), data)
    assert response.status_code == 200
    assert "At most 8 photos" in response.content.decode()
    assert db_snapshot() == before
    assert media_files() == files_before


def test_a_place_out_of_range_is_explained(seller: User, category: Category) -> None:
    offer = _publish_with(seller, category, 2)
    first = offer.photos.first()
    assert first is not None
    data = _edit_data(offer, category, **{f"photo_{first.pk}_place": "99"})
    client = client_for(seller)
    before = db_snapshot()
    response = client.post(reverse("offers:edit", args=[offer.pk]), data)
    assert response.status_code == 200
    assert response.context["photo_form"].errors
    assert db_snapshot() == before


def test_a_repeat_of_the_new_form_keeps_the_first_ones_photos(
    seller: User, category: Category
) -> None:
    data = offer_data(category)
    client = client_for(seller)
    client.post(reverse("offers:create"), {**data, "photos": [upload(picture("JPEG"))]})
    files = media_files()
    client.post(reverse("offers:create"), {**data, "photos": [upload(picture("PNG"))]})
    assert Offer.objects.count() == 1
    assert OfferPhoto.objects.count() == 1
    assert media_files() == files
