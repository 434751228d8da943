"""The data migration from the old featured-image columns (a URL, alt text, caption and
credit on each item) to the image library, and back.

Each distinct URL with its texts becomes one image "to be fetched" (``fetch_images``); items
with the same URL and texts share it. Texts without a URL (a page dump's caption of a
picture it did not keep) go to the item's provenance (``source_extra``), as other
fields without a column do. Nothing is lost either way.
"""

from __future__ import annotations

from collections import defaultdict

OLD_FIELDS = ("featured_image_alt", "featured_image_caption", "featured_image_credit")
IMAGE_FIELDS = ("alt_text", "caption", "credit")
# Where texts without a URL are kept in ``source_extra``, as the importer names them.
EXTRA_KEYS = ("featured_image.alt", "featured_image.caption", "featured_image.credit")
CHUNK = 1000


def urls_to_images(apps, app_label: str, model_name: str) -> None:
    Item = apps.get_model(app_label, model_name)
    Image = apps.get_model("newsroom", "Image")
    images: dict[tuple[str, ...], int] = {}
    items_of: dict[int, list[int]] = defaultdict(list)
    rows = Item.objects.order_by("pk").values_list("pk", "featured_image_url", *OLD_FIELDS)
    for pk, url, *texts in rows.iterator(chunk_size=CHUNK):
        url = url.strip()
        if not url:
            if any(texts):
                _texts_to_extra(Item, pk, texts)
            continue
        key = (url, *texts)
        if key not in images:
            found = Image.objects.filter(
                source_url=url, **dict(zip(IMAGE_FIELDS, texts, strict=True))
            ).first()
            if found is None:
                found = Image.objects.create(
                    source_url=url,
                    fetch_status="pending",
                    **dict(zip(IMAGE_FIELDS, texts, strict=True)),
                )
            images[key] = found.pk
        items_of[images[key]].append(pk)
    for image_pk, pks in items_of.items():
        for start in range(0, len(pks), CHUNK):
            Item.objects.filter(pk__in=pks[start : start + CHUNK]).update(featured_image=image_pk)


def _texts_to_extra(Item, pk: int, texts: list[str]) -> None:
    item = Item.objects.only("source_extra").get(pk=pk)
    extra = dict(item.source_extra or {})
    for key, text in zip(EXTRA_KEYS, texts, strict=True):
        if text:
            extra[key] = text
    Item.objects.filter(pk=pk).update(source_extra=extra)


def images_to_urls(apps, app_label: str, model_name: str) -> None:
    """Back to the columns: an image's source URL (or, for an upload, its file's path on
    the site) and its texts."""
    Item = apps.get_model(app_label, model_name)
    Image = apps.get_model("newsroom", "Image")
    used = Item.objects.exclude(featured_image=None).values_list("featured_image", flat=True)
    for image in Image.objects.filter(pk__in=used.distinct()).iterator(chunk_size=CHUNK):
        url = image.source_url or (image.file.url if image.file else "")
        Item.objects.filter(featured_image=image.pk).update(
            featured_image_url=url[:1000],
            **dict(zip(OLD_FIELDS, (image.alt_text, image.caption, image.credit), strict=True)),
        )
    with_texts = Item.objects.filter(source_extra__has_any_keys=list(EXTRA_KEYS))
    for item in with_texts.only("source_extra").iterator(chunk_size=CHUNK):
        extra = dict(item.source_extra)
        texts = [extra.pop(key, "") for key in EXTRA_KEYS]
        Item.objects.filter(pk=item.pk).update(
            source_extra=extra, **dict(zip(OLD_FIELDS, texts, strict=True))
        )


def migration_operation(app_label: str, model_name: str):
    """The reversible data migration of one kind's items (``RunPython``)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        urls_to_images(apps, app_label, model_name)

    def backward(apps, schema_editor):
        images_to_urls(apps, app_label, model_name)

    return migrations.RunPython(forward, backward)
