"""Photos that people upload: checked by their content and re-encoded before they are stored.

One place for every upload of a picture (offer photos, and any other that comes): the type is
read from the bytes (JPEG, PNG or WebP; the file's name and the browser's content type are
ignored), the file is at most ``MAX_IMAGE_BYTES`` and the picture at most
``MAX_IMAGE_PIXELS`` (a small file can unpack into gigabytes: a decompression bomb, refused
from its header before any pixel is decoded). The stored file is a fresh encoding of the
pixels, turned upright by its EXIF orientation, so no metadata (camera, GPS position) of the
original survives.
"""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
#: Pillow's format name -> the stored file's extension.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
#: What ``<input accept>`` offers in the browser's file chooser (a hint; the server decides).
ACCEPT = "image/jpeg,image/png,image/webp"
_MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L", "LA", "P"), "WEBP": ("RGB", "RGBA")}


@dataclass(frozen=True)
class CleanImage:
    """A checked picture, re-encoded: what may be stored."""

    content: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format]

    def as_file(self) -> ContentFile[bytes]:
        """The picture under a fresh random name: the uploader's name is never kept."""
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.{self.extension}")


def _refuse(message: Any, code: str, **params: Any) -> forms.ValidationError:
    return forms.ValidationError(message, code=code, params=params or None)


def _open(data: bytes) -> Image.Image:
    """The picture's header, its pixels not decoded yet; refuses what is not JPEG, PNG or
    WebP and what has more pixels than the limit."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise _refuse(
                _("Upload a JPEG, PNG or WebP picture; this file is not one."), "not_an_image"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()
    return image


def _too_many_pixels() -> forms.ValidationError:
    return _refuse(
        _("The picture is too large: at most %(limit)s megapixels."),
        "too_many_pixels",
        limit=MAX_IMAGE_PIXELS // 1_000_000,
    )


def _reencode(image: Image.Image) -> CleanImage:
    source_format = image.format or ""
    if source_format not in FORMATS:
        raise _refuse(
            _("Upload a JPEG, PNG or WebP picture; this file is not one."), "not_an_image"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
            raise _refuse(
                _("The picture could not be read: the file is damaged."), "damaged"
            ) from None
    if upright.mode not in _MODES[source_format]:
        upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
        if source_format == "JPEG" and upright.mode == "RGBA":
            upright = upright.convert("RGB")
    # A copy of the pixels alone: no info (EXIF, XMP, ICC, comments) goes with them.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P":
        clean.putpalette(upright.getpalette() or [])
    out = io.BytesIO()
    options: dict[str, Any] = {"JPEG": {"quality": 88}, "WEBP": {"quality": 88}}.get(
        source_format, {}
    )
    clean.save(out, format=source_format, **options)
    return CleanImage(
        content=out.getvalue(), format=source_format, width=clean.width, height=clean.height
    )


def image_clean(upload: UploadedFile) -> CleanImage:
    """The uploaded picture, checked and re-encoded; raises ``ValidationError`` with a
    message for the person who sent it."""
    size = upload.size or 0
    if size > MAX_IMAGE_BYTES:
        raise _refuse(
            _("The file is too large: at most %(limit)s."),
            "file_too_large",
            limit=filesizeformat(MAX_IMAGE_BYTES),
        )
    upload.seek(0)
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse(
            _("The file is too large: at most %(limit)s."),
            "file_too_large",
            limit=filesizeformat(MAX_IMAGE_BYTES),
        )
    if not data:
        raise _refuse(_("The file is empty."), "empty")
    return _reencode(_open(data))


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": ACCEPT, **(attrs or {})})


class ImagesField(forms.FileField):
    """Several pictures in one file input, cleaned to a list of ``CleanImage``; at most
    ``max_count`` of them. Each bad file is named in the error."""

    widget = MultipleImageInput

    def __init__(self, *, max_count: int, **kwargs: Any) -> None:
        self.max_count = max_count
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanImage]:
        files: Sequence[Any] = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f not in self.empty_values]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_count:
            raise too_many_images(self.max_count)
        errors: list[forms.ValidationError] = []
        images: list[CleanImage] = []
        for upload in files:
            if not isinstance(upload, UploadedFile):
                errors.append(_refuse(_("Upload a picture file."), "not_a_file"))
                continue
            try:
                images.append(image_clean(upload))
            except forms.ValidationError as error:
                name = (upload.name or "")[:80]
                errors.extend(
                    forms.ValidationError(f"{name}: {message}", code=error.code)
                    for message in error.messages
                )
        if errors:
            raise forms.ValidationError(errors)
        return images


def too_many_images(limit: int) -> forms.ValidationError:
    return _refuse(
        ngettext_lazy(
            "At most %(limit)s photo in all.", "At most %(limit)s photos in all.", "limit"
        ),
        "too_many_images",
        limit=limit,
    )
