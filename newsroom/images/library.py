"""Adding images to the library: one verified, re-encoded file per distinct content."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from ..models import Image
from ..models.images import generated_name
from . import processing, renditions


@transaction.atomic
def store(image: Image, clean: processing.CleanImage) -> None:
    """Give ``image`` the cleaned file (under a generated name) and its renditions."""
    name = generated_name("images", clean.extension)
    image.file.save(name, ContentFile(clean.content), save=False)
    image.width, image.height = clean.width, clean.height
    image.content_hash = clean.original_sha256
    image.save()
    renditions.remake(image)


def shares_file(image: Image, name: str) -> bool:
    """Whether another image uses the stored file ``name`` (fetched twice, say)."""
    return Image.objects.filter(file=name).exclude(pk=image.pk).exists()


def same_content(clean: processing.CleanImage) -> Image | None:
    """An image already stored from the same bytes, if any."""
    return (
        Image.objects.exclude(file="")
        .filter(content_hash=clean.original_sha256)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def add(data: bytes, **fields: Any) -> tuple[Image, bool]:
    """The library's image of ``data`` and whether it is new: bytes already stored are
    not stored again. ``processing.ImageRefused`` when ``data`` is not accepted."""
    clean = processing.clean(data)
    existing = same_content(clean)
    if existing is not None:
        return existing, False
    image = Image(**fields)
    store(image, clean)
    return image, True


def to_fetch(url: str, *, alt_text: str = "", caption: str = "", credit: str = "") -> Image:
    """The library's image of ``url`` with these texts, recorded to be fetched if it is
    new (``fetch_images``). The same URL and texts are one image, fetched or not."""
    texts = {"alt_text": alt_text[:300], "caption": caption[:500], "credit": credit[:200]}
    url = url.strip()[:1000]
    found = Image.objects.filter(source_url=url, **texts).order_by("pk").first()
    if found is not None:
        return found
    return Image.objects.create(source_url=url, fetch_status=Image.FetchStatus.PENDING, **texts)
