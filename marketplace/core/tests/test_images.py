"""core.images: what may be stored as a photo, decided by the content alone."""

from __future__ import annotations

import io

import pytest
from django import forms
from PIL import Image

from core.images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, ImagesField, image_clean
from core.tests.images import GPS_IFD, MAKE, picture, png_claiming, upload


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_each_allowed_kind_is_kept_in_its_kind(fmt: str) -> None:
    clean = image_clean(upload(picture(fmt, size=(30, 20)), name="x.bin"))
    assert (clean.format, clean.width, clean.height) == (fmt, 30, 20)
    assert Image.open(io.BytesIO(clean.content)).format == fmt


def test_the_kind_is_read_from_the_content_not_the_name() -> None:
    clean = image_clean(upload(picture("PNG"), name="holiday.jpg", content_type="image/jpeg"))
    assert clean.format == "PNG"
    assert clean.as_file().name.endswith(".png")
    assert "holiday" not in (clean.as_file().name or "")


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "PNG"])
def test_exif_is_stripped(fmt: str) -> None:
    original = picture(fmt, exif=True)
    assert Image.open(io.BytesIO(original)).getexif().get(MAKE) == "SpyCam"
    clean = image_clean(upload(original))
    stored = Image.open(io.BytesIO(clean.content))
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert b"SpyCam" not in clean.content


def test_a_sideways_photo_is_stored_upright() -> None:
    image = Image.new("RGB", (40, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to show
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    clean = image_clean(upload(out.getvalue()))
    assert (clean.width, clean.height) == (10, 40)


def _half(content: bytes) -> bytes:
    return content[: len(content) // 2]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"just some text, named like a photo", "not_an_image"),
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 40, "not_an_image"),
        (picture("GIF"), "not_an_image"),
        (picture("BMP"), "not_an_image"),
        (_half(picture("JPEG", size=(400, 300))), "damaged"),
    ],
    ids=["text", "empty", "fake-gif", "gif", "bmp", "truncated-jpeg"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused(content: bytes, code: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        image_clean(upload(content))
    assert refused.value.code == code


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    big = upload(picture("PNG") + b"\x00" * MAX_IMAGE_BYTES)
    with pytest.raises(forms.ValidationError) as refused:
        image_clean(big)
    assert refused.value.code == "file_too_large"
    assert "5" in str(refused.value.message % refused.value.params)


@pytest.mark.parametrize(
    ("width", "height"), [(8000, 6000), (100_000, 100_000), (MAX_IMAGE_PIXELS + 1, 1)]
)
def test_too_many_pixels_is_refused_from_the_header(width: int, height: int) -> None:
    bomb = png_claiming(width, height)
    assert len(bomb) < 1000
    with pytest.raises(forms.ValidationError) as refused:
        image_clean(upload(bomb, name="bomb.png"))
    assert refused.value.code == "too_many_pixels"


def test_exactly_the_pixel_limit_passes_the_header_check() -> None:
    # The header alone is checked here: the pixels of this fake are missing, so it is
    # refused later as damaged, not as too large.
    with pytest.raises(forms.ValidationError) as refused:
        image_clean(upload(png_claiming(8000, 5000)))
    assert refused.value.code == "damaged"


def test_the_field_takes_several_files_and_names_each_bad_one() -> None:
    field = ImagesField(max_count=3)
    good = [upload(picture("JPEG"), name=f"{n}.jpg") for n in range(2)]
    assert len(field.clean(good)) == 2
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([upload(picture("JPEG")), upload(b"nope", name="notes.txt")])
    assert any("notes.txt" in message for message in refused.value.messages)


def test_the_field_refuses_more_files_than_its_limit() -> None:
    field = ImagesField(max_count=2)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([upload(picture("JPEG")) for _ in range(3)])
    assert refused.value.error_list[0].code == "too_many_images"


def test_no_file_is_no_photo() -> None:
    assert ImagesField(max_count=2).clean([]) == []
    assert ImagesField(max_count=2).clean(None) == []
