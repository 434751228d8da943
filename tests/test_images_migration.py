"""The migration of the old featured image columns into the image library, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("newsroom", "0027_images"), ("quickquotes", "0014_images")]
AFTER = [
    ("newsroom", "0029_remove_featured_image_columns"),
    ("quickquotes", "0016_remove_featured_image_columns"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaves())


def executor_leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_old_urls_become_images_to_fetch_and_come_back(old_apps):
    Article = old_apps.get_model("newsroom", "Article")
    QuickQuote = old_apps.get_model("quickquotes", "QuickQuote")
    now = timezone.now()

    def article(slug, **fields):
        return Article.objects.create(
            title=slug, slug=slug, created_at=now, updated_at=now, **fields
        )

    same = {"featured_image_url": "https://old.example/a.jpg", "featured_image_alt": "A"}
    first = article("first", **same, featured_image_caption="Cap", featured_image_credit="AP")
    second = article("second", **same, featured_image_caption="Cap", featured_image_credit="AP")
    other_caption = article("third", **same, featured_image_caption="Other")
    caption_only = article("fourth", featured_image_caption="A screen shot")
    plain = article("fifth")
    quote = QuickQuote.objects.create(
        title="q", slug="q", quote="q", created_at=now, updated_at=now, **same
    )

    apps = migrate(AFTER)
    Article = apps.get_model("newsroom", "Article")
    QuickQuote = apps.get_model("quickquotes", "QuickQuote")
    Image = apps.get_model("newsroom", "Image")
    by_slug = {a.slug: a for a in Article.objects.all()}
    shared = by_slug["first"].featured_image
    assert (shared.source_url, shared.alt_text, shared.caption, shared.credit) == (
        "https://old.example/a.jpg",
        "A",
        "Cap",
        "AP",
    )
    assert shared.fetch_status == "pending" and not shared.file
    assert by_slug["second"].featured_image_id == shared.pk
    # Another caption for the same URL is not lost: an image of its own, same source.
    assert by_slug["third"].featured_image.caption == "Other"
    assert by_slug["third"].featured_image_id != shared.pk
    assert QuickQuote.objects.get().featured_image.source_url == "https://old.example/a.jpg"
    assert by_slug["fourth"].featured_image_id is None
    assert by_slug["fourth"].source_extra == {"featured_image.caption": "A screen shot"}
    assert by_slug["fifth"].featured_image_id is None
    assert Image.objects.count() == 3

    apps = migrate(BEFORE)
    Article = apps.get_model("newsroom", "Article")
    back = {a.slug: a for a in Article.objects.all()}
    for original in (first, second, other_caption, caption_only, plain):
        restored = back[original.slug]
        for name in ("url", "alt", "caption", "credit"):
            field = f"featured_image_{name}"
            assert getattr(restored, field) == getattr(original, field), (original.slug, field)
    assert back["fourth"].source_extra in ({}, None)
    quote_back = apps.get_model("quickquotes", "QuickQuote").objects.get()
    assert quote_back.featured_image_url == quote.featured_image_url
