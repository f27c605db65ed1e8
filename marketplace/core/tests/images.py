"""Pictures made for the tests: real files of each kind, and files that only pretend."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F


def picture(fmt: str = "JPEG", *, size: tuple[int, int] = (64, 48), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[MAKE] = "SpyCam"
        data[0x0112] = 1  # orientation: upright
        data.get_ifd(GPS_IFD)[2] = (55.0, 45.0, 0.0)  # latitude
        options["exif"] = data.tobytes()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def upload(
    content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb's
    shape: a few bytes that would unpack into gigabytes)."""
    raw = bytearray(picture("PNG", size=(8, 8)))
    ihdr = raw.index(b"IHDR")
    raw[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    chunk = bytes(raw[ihdr : ihdr + 17])
    raw[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return bytes(raw)
