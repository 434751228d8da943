"""Image files made in the tests with Pillow: ordinary, hostile, and with metadata."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags
from PIL import Image as PillowImage

PAYLOAD = b"<?php system($_GET['c']); ?><script>alert(1)</script>"


def picture(width: int = 2000, height: int = 1000, format: str = "JPEG", **options) -> bytes:
    """A picture with some detail: a gradient, so that encoders have work to do."""
    image = PillowImage.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def halves(width: int, height: int, first: str, second: str, *, vertical: bool) -> bytes:
    """Top and bottom halves (or left and right) in two colours, as PNG."""
    image = PillowImage.new("RGB", (width, height), second)
    box = (0, 0, width, height // 2) if vertical else (0, 0, width // 2, height)
    image.paste(first, box)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def with_gps_and_orientation() -> bytes:
    """A 300×100 JPEG whose EXIF says "rotate 90° clockwise" and where it was taken."""
    exif = PillowImage.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    return picture(300, 100, exif=exif)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` × ``height`` pixels in a few dozen bytes: the shape of
    a decompression bomb (its pixel data would be gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def gif_with_comment(comment: bytes) -> bytes:
    image = PillowImage.new("P", (40, 30), 1)
    out = io.BytesIO()
    image.save(out, "GIF", comment=comment)
    return out.getvalue()


def png_with_text(text: str) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", text)
    image = PillowImage.new("RGBA", (40, 30), (10, 20, 30, 128))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def opened(data: bytes) -> PillowImage.Image:
    image = PillowImage.open(io.BytesIO(data))
    image.load()
    return image
