"""Photos with a message: up to four pictures, checked by their content, stored without their
EXIF, shown only to those who may see the deal; a bad file is a form error and saves nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from conftest import Media, client_for, form_key
from conversations.models import DealMessage, DealMessagePhoto
from deals.models import Deal
from notifications.models import Notification
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(media_dirs: Media) -> Path:
    """The private storage, where messages' photos go."""
    return media_dirs.private


stored_files = Media.files


def jpeg(name: str = "box.jpg", *, size: tuple[int, int] = (64, 48), exif: bool = True) -> Any:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x0132] = "2026:12:01 10:00:00"  # DateTime
        options["exif"] = data.tobytes()
    image.save(out, format="JPEG", **options)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def post(user: User, deal: Deal, **data: Any) -> Any:
    data.setdefault("text", "Here is the box")
    data.setdefault("idempotency_key", form_key())
    return client_for(user).post(reverse("conversations:post", args=[deal.pk]), data)


def test_photos_are_stored_re_encoded_without_their_exif(
    deal: Deal, buyer: User, media: Path
) -> None:
    response = post(
        buyer, deal, photos=[jpeg("my-flat-a.jpg"), jpeg("my-flat-b.jpg", size=(30, 40))]
    )
    assert response.status_code == 302
    photos = list(DealMessage.objects.get().photos.order_by("position"))
    assert [(p.width, p.height, p.format) for p in photos] == [(64, 48, "JPEG"), (30, 40, "JPEG")]
    for photo in photos:
        assert "my-flat" not in photo.image.name  # the uploader's name is gone
        with photo.image.open("rb") as stored, Image.open(stored) as image:
            assert dict(image.getexif()) == {}
    assert len(stored_files(media)) == 2


def test_photos_are_kept_out_of_the_public_media(
    deal: Deal, buyer: User, media_dirs: Media
) -> None:
    post(buyer, deal, photos=[jpeg()])
    photo = DealMessagePhoto.objects.get()
    assert (media_dirs.private / photo.image.name).is_file()
    assert stored_files(media_dirs.public) == []


def bomb() -> Any:
    """A PNG of 8,000 by 6,000 pixels (48 Mpx) that is a small file."""
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG", optimize=True)
    return SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("photos", "error"),
    [
        (
            lambda: [SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")],
            "this file is not one",
        ),
        (lambda: [bomb()], "at most 40 megapixels"),
        (
            lambda: [SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1))],
            "The file is too large",
        ),
        (lambda: [jpeg(f"{n}.jpg") for n in range(5)], "At most 4 photos"),
        (lambda: [jpeg(), SimpleUploadedFile("x.gif", b"GIF89a....")], "x.gif"),
    ],
    ids=["not-an-image", "too-many-pixels", "too-large", "too-many", "one-bad-of-two"],
)
def test_a_bad_photo_is_a_form_error_and_nothing_is_saved(
    deal: Deal, buyer: User, media: Path, photos: Any, error: str
) -> None:
    response = post(buyer, deal, photos=photos())
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not DealMessage.objects.exists()
    assert not DealMessagePhoto.objects.exists()
    assert not Notification.objects.exists()
    assert stored_files(media) == []


def test_a_double_submit_with_photos_stores_them_once(deal: Deal, buyer: User, media: Path) -> None:
    key = form_key()
    for _ in range(2):
        assert post(buyer, deal, photos=[jpeg()], idempotency_key=key).status_code == 302
    assert DealMessagePhoto.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_the_photo_is_shown_to_the_deal_only(
    deal: Deal, buyer: User, seller: User, staff_user: User, other_user: User
) -> None:
    post(buyer, deal, photos=[jpeg()])
    photo = DealMessagePhoto.objects.get()
    url = reverse("conversations:photo", args=[deal.pk, photo.pk])
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302
    assert reverse("users:login") in anonymous["Location"]
    assert client_for(other_user).get(url).status_code == 404
    for reader in (buyer, seller, staff_user):
        response = client_for(reader).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # type: ignore[arg-type]
    page = client_for(seller).get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert f'src="{url}"' in page


def test_a_photo_of_another_deal_is_not_found_through_this_one(
    deal: Deal, buyer: User, seller: User, make_offer: Any
) -> None:
    from deals.services import deal_create

    other = deal_create(buyer=buyer, offer=make_offer(seller, title="Lamp"), quantity=1)
    post(buyer, other, photos=[jpeg()])
    photo = DealMessagePhoto.objects.get()
    url = reverse("conversations:photo", args=[deal.pk, photo.pk])
    assert client_for(buyer).get(url).status_code == 404


def test_a_bad_photo_reads_in_russian(deal: Deal, buyer: User) -> None:
    response = client_for(buyer).post(
        f"/ru{reverse('conversations:post', args=[deal.pk])}",
        {"text": "Вот", "idempotency_key": form_key(), "photos": [bomb()]},
    )
    assert response.status_code == 400
    assert "Слишком большая картинка: не больше 40 мегапикселей." in response.content.decode()


def test_staff_open_the_photos_from_the_deal_admin(
    deal: Deal, buyer: User, staff_user: User
) -> None:
    post(buyer, deal, photos=[jpeg(), jpeg()])
    page = client_for(staff_user).get(reverse("admin:deals_deal_change", args=[deal.pk]))
    html = page.content.decode()
    for photo in DealMessagePhoto.objects.all():
        assert reverse("conversations:photo", args=[deal.pk, photo.pk]) in html
