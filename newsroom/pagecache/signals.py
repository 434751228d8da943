"""Keep the page cache honest: any change to what readers see invalidates it, once the
transaction that made it commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.redirects.models import Redirect
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag, TaggedItem

from ..models import (
    Article,
    Author,
    Comment,
    FrontPagePin,
    Image,
    ItemNote,
    Publishable,
    Section,
)
from .versions import bump_articles, bump_site

# A note (a correction or update) changes its item's page, its times in the feeds and
# sitemaps, and where it is listed: as a change of the item itself does. A pin moves
# items on the front page (pages are versioned site-wide). An image (its alt text, caption,
# a fetched file) shows on the pages of every item that uses it.
SITE_WIDE = (Section, Author, Tag, TaggedItem, Redirect, ItemNote, FrontPagePin, Image)


def site_changed() -> None:
    """Invalidate every page once the transaction commits (once, however many saves).

    A rolled-back transaction drops its commit hooks, and the invalidation with them.
    """
    hooks = transaction.get_connection().run_on_commit
    if not any(hook[1] is bump_site for hook in hooks):
        transaction.on_commit(bump_site)


def _saved_or_deleted(sender, **kwargs) -> None:
    if issubclass(sender, (Publishable, *SITE_WIDE)):
        site_changed()


def _relation_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, (Publishable, Author)):
        site_changed()


def _comment_saved(sender, instance: Comment, **kwargs) -> None:
    # A pending comment changes no public page; its poster bypasses the cache anyway.
    if instance.status == Comment.Status.APPROVED:
        comments_changed([instance.article_id])


def comments_changed(article_ids: Iterable[int]) -> None:
    """The comments of these articles changed: refresh their pages after the commit."""
    ids = set(article_ids)

    def bump() -> None:
        bump_articles(Article.objects.filter(pk__in=ids).values_list("slug", flat=True))

    transaction.on_commit(bump)


def connect() -> None:
    post_save.connect(_saved_or_deleted, dispatch_uid="newsroom.cache.save")
    post_delete.connect(_saved_or_deleted, dispatch_uid="newsroom.cache.delete")
    m2m_changed.connect(_relation_changed, dispatch_uid="newsroom.cache.m2m")
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="newsroom.cache.comment")
