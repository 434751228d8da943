"""Renditions: each stored image in a few widths, as WebP and JPEG, and a social card.

Made once (when the image is stored, or on first need for an image stored before) and kept
in storage with a ``Rendition`` row each; pages only read their URLs. Widths are never
larger than the image itself: a 700-pixel image has 480- and 700-pixel renditions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from ..models import Image, Rendition
from ..models.images import generated_name
from . import processing

logger = logging.getLogger(__name__)

WIDTHS = (480, 960, 1600)
# Formats in the order a <picture> offers them: the last is the <img> fallback.
FORMATS = ("WEBP", "JPEG")
# Open Graph and Twitter's large card: 1.91:1.
CARD = "card.jpg"
CARD_SIZE = (1200, 630)


@dataclass(frozen=True)
class Spec:
    name: str
    format: str
    width: int
    crop: tuple[int, int] | None = None


def specs(image: Image) -> list[Spec]:
    """What renditions ``image`` has: a width per size (none wider than the image) and
    format, and the card."""
    widths = sorted({min(width, image.width or width) for width in WIDTHS})
    found = [
        Spec(f"w{width}.{processing.EXTENSIONS[format]}", format, width)
        for format in FORMATS
        for width in widths
    ]
    return [*found, Spec(CARD, "JPEG", CARD_SIZE[0], crop=CARD_SIZE)]


def _make(image: Image, source, spec: Spec) -> Rendition:
    if spec.crop:
        picture = processing.cropped(source, spec.crop, (image.focal_x, image.focal_y))
    else:
        picture = processing.resized(source, spec.width)
    content = processing.encode(picture, spec.format)
    rendition = Rendition(
        image=image,
        spec=spec.name,
        width=picture.width,
        height=picture.height,
        format=spec.format,
    )
    extension = processing.EXTENSIONS[spec.format]
    rendition.file.save(generated_name("renditions", extension), ContentFile(content), save=False)
    return rendition


def ensure(image: Image, have: list[Rendition] | None = None) -> dict[str, Rendition]:
    """``image``'s renditions by spec name, making (and storing) those it lacks. ``have``
    is what the caller already read (a prefetch). An image with no file has none."""
    if not image.file:
        return {}
    if have is None:
        have = list(Rendition.objects.filter(image=image))
    by_spec = {rendition.spec: rendition for rendition in have}
    missing = [spec for spec in specs(image) if spec.name not in by_spec]
    if not missing:
        return by_spec
    try:
        with image.file.open("rb") as stored:
            source = processing.load(stored.read())
    except (OSError, ValueError, SyntaxError):
        # The file is gone from storage or unreadable: the page shows the image's own URL
        # rather than failing; the log says which.
        logger.exception("Image #%s: cannot read %s to make its renditions.", image.pk, image.file)
        return by_spec
    made = [_make(image, source, spec) for spec in missing]
    # Two requests may make the same rendition at once: the first row stays.
    Rendition.objects.bulk_create(made, ignore_conflicts=True)
    return {rendition.spec: rendition for rendition in Rendition.objects.filter(image=image)}


@transaction.atomic
def remake(image: Image, *, crops_only: bool = False) -> dict[str, Rendition]:
    """Replace ``image``'s renditions after its file changed, or only its crops (the
    card) after its focal point did: the widths' URLs, which bodies' HTML holds, stay."""
    old = Rendition.objects.filter(image=image)
    if crops_only:
        old = old.filter(spec__in=[spec.name for spec in specs(image) if spec.crop])
    gone = list(old)
    old.delete()
    transaction.on_commit(lambda: [r.file.delete(save=False) for r in gone])
    return ensure(image)


@dataclass(frozen=True)
class Picture:
    """What a <picture> element needs: srcsets per format, the fallback, the size."""

    sources: list[tuple[str, str]]  # (MIME type, srcset), WebP first
    src: str
    srcset: str
    width: int | None
    height: int | None


def _srcset(renditions: list[Rendition]) -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in sorted(renditions, key=lambda r: r.width))


def picture(image: Image, have: list[Rendition] | None = None) -> Picture | None:
    """The <picture> of ``image``: renditions if it is stored, its source URL if it is
    still to be fetched, or None when there is nothing safe to show."""
    found = ensure(image, have)
    if not found:
        src = image.url
        return Picture([], src, "", None, None) if src else None
    widths = [r for name, r in found.items() if name != CARD]
    jpeg = [r for r in widths if r.format == "JPEG"]
    webp = [r for r in widths if r.format == "WEBP"]
    largest = max(jpeg, key=lambda r: r.width)
    return Picture(
        sources=[("image/webp", _srcset(webp))] if webp else [],
        src=largest.url,
        srcset=_srcset(jpeg),
        width=largest.width,
        height=largest.height,
    )


def card_url(image: Image | None, have: list[Rendition] | None = None) -> str:
    """The 1200×630 social card's URL (relative), or the image's source URL if it has
    no file yet, or ""."""
    if image is None:
        return ""
    found = ensure(image, have)
    return found[CARD].url if CARD in found else image.url
