"""Image bytes in, safe image bytes out: what every upload and fetched file goes through,
and the resizing and cropping renditions are made with (on Pillow).

Nothing of a file's own bytes is ever served: it is decoded and encoded again, which drops
EXIF (GPS included), XMP, comments and anything appended to it.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image as PillowImage
from PIL import ImageOps, UnidentifiedImageError

from .. import conf

# By content, not by name: what Pillow is allowed to open at all.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# What each accepted format is stored as; a GIF keeps its first frame, as a PNG.
STORED_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 85
WEBP_QUALITY = 80


class ImageRefused(ValueError):
    """A file that is not taken into the library; ``str()`` says why and what to do."""

    def __init__(self, message: str, code: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class CleanImage:
    """A verified image encoded again: ``content`` is what is stored and served."""

    content: bytes
    format: str
    width: int
    height: int
    original_sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _open(data: bytes) -> PillowImage.Image:
    """Pillow's image of ``data`` (header read only), or ``ImageRefused``."""
    limit = conf.get("IMAGE_MAX_PIXELS")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse both.
            warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
            image = PillowImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (UnidentifiedImageError, PillowImage.DecompressionBombWarning) as error:
        if isinstance(error, PillowImage.DecompressionBombWarning):
            raise _too_many_pixels(limit) from None
        raise ImageRefused(
            _(
                "This file is not a JPEG, PNG, WebP or GIF image (its content was read, not "
                "its name). Save it in one of those formats and upload it again."
            ),
            code="not_an_image",
        ) from None
    except PillowImage.DecompressionBombError:
        raise _too_many_pixels(limit) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise _damaged(error) from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > limit:
        raise _too_many_pixels(limit, width, height)
    return image


def _too_many_pixels(limit: int, width: int = 0, height: int = 0) -> ImageRefused:
    size = _(" (%(width)s × %(height)s)") % {"width": width, "height": height} if width else ""
    return ImageRefused(
        _(
            "This image has too many pixels%(size)s: at most %(limit)s million are accepted, "
            "so that decoding it cannot exhaust the server's memory. Scale it down and "
            "upload it again."
        )
        % {"size": size, "limit": f"{limit / 1_000_000:g}"},
        code="too_many_pixels",
    )


def _damaged(error: Exception) -> ImageRefused:
    return ImageRefused(
        _(
            "This image is damaged or truncated and cannot be decoded (%(error)s). Open it "
            "in an image editor, save it again and upload that."
        )
        % {"error": error},
        code="damaged",
    )


def _without_metadata(image: PillowImage.Image) -> PillowImage.Image:
    """The pixels alone, turned upright as the EXIF orientation said, in a mode every
    stored format can hold."""
    image = ImageOps.exif_transpose(image) or image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else ("L" if image.mode in ("1", "L", "I;16") else "RGB")
    pixels = image.convert(mode)
    pixels.info = {}
    return pixels


def encode(image: PillowImage.Image, format: str) -> bytes:
    """``image`` as ``format`` (JPEG, PNG or WebP) with no metadata at all."""
    out = io.BytesIO()
    if format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = _flatten(image)
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif format == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _flatten(image: PillowImage.Image) -> PillowImage.Image:
    """Transparent pixels on white, for JPEG (which has no transparency)."""
    rgba = image.convert("RGBA")
    background = PillowImage.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def clean(data: bytes) -> CleanImage:
    """Verify ``data`` and encode it again; ``ImageRefused`` says why it is not accepted.

    >>> clean(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    Traceback (most recent call last):
    ...
    newsroom.images.processing.ImageRefused: This file is not a JPEG, PNG, WebP or GIF ...
    """
    limit = conf.get("IMAGE_MAX_BYTES")
    if len(data) > limit:
        raise ImageRefused(
            _(
                "This file is %(size)s MB; images of at most %(limit)s MB are accepted. "
                "Save it smaller (fewer pixels or more compression) and upload it again."
            )
            % {"size": f"{len(data) / 1_000_000:.1f}", "limit": f"{limit / 1_000_000:g}"},
            code="too_large",
        )
    image = _open(data)
    source_format = image.format
    try:
        image.verify()  # checksums and structure, without decoding the pixels
        image = _open(data)  # verify() leaves the image unusable: open it again
        image.load()
        pixels = _without_metadata(image)
    except PillowImage.DecompressionBombError:
        raise _too_many_pixels(conf.get("IMAGE_MAX_PIXELS")) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise _damaged(error) from None
    stored = STORED_FORMAT[source_format]
    return CleanImage(
        content=encode(pixels, stored),
        format=stored,
        width=pixels.width,
        height=pixels.height,
        original_sha256=sha256(data),
    )


def load(data: bytes) -> PillowImage.Image:
    """A stored (already cleaned) image, decoded."""
    image = PillowImage.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
    image.load()
    return image


def resized(image: PillowImage.Image, width: int) -> PillowImage.Image:
    """``image`` scaled to ``width`` (never wider than it is), keeping its proportions."""
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), PillowImage.Resampling.LANCZOS)


def cropped(
    image: PillowImage.Image, size: tuple[int, int], focal: tuple[float, float]
) -> PillowImage.Image:
    """``image`` cut to the proportions of ``size`` around the focal point (fractions of
    the width and height, from the top left), then scaled to ``size``."""
    return ImageOps.fit(image, size, PillowImage.Resampling.LANCZOS, centering=focal)
