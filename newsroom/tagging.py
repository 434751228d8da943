"""Merging tags: every item tagged with one of them is tagged with the one they become, in
a few statements however many items that is, and each publishable item changed gets a
revision (its tags are part of what a revision keeps).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from taggit.models import Tag, TaggedItem

from . import kinds, revisions
from .models import Revision
from .pagecache.signals import site_changed

# Items read (with what their revisions keep) and written at a time.
CHUNK = 500


def merge_tags(tags: list[Tag], name: str, *, user: AbstractBaseUser | None = None) -> int:
    """Merge ``tags`` into the tag named ``name`` (made if there is none); return how many
    items changed. The merged tags stay (empty), as taggit's own merge leaves them."""
    with transaction.atomic():
        target, _created = Tag.objects.get_or_create(name=name)
        sources = [tag.pk for tag in tags if tag.pk != target.pk]
        rows = TaggedItem.objects.filter(tag_id__in=sources)
        changed = defaultdict(set)
        for content_type, object_id in rows.values_list("content_type_id", "object_id").distinct():
            changed[content_type].add(object_id)
        # An item that has the new tag already loses the old ones; an item with several of
        # the old ones keeps one row (its first), which then points at the new tag.
        has_target = TaggedItem.objects.filter(
            tag=target, content_type=OuterRef("content_type"), object_id=OuterRef("object_id")
        )
        rows.filter(Exists(has_target)).delete()
        first = (
            TaggedItem.objects.filter(tag_id__in=sources)
            .values("content_type", "object_id")
            .annotate(first=Min("pk"))
            .values("first")
        )
        rows.exclude(pk__in=first).delete()
        rows.update(tag=target)
        # Updates send no signals: the cached pages are told here.
        site_changed()
        for content_type_id, ids in changed.items():
            _record(content_type_id, sorted(ids), user)
    return sum(len(ids) for ids in changed.values())


def _record(content_type_id: int, ids: list[int], user: AbstractBaseUser | None) -> None:
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None or model not in {kind.model for kind in kinds.registered()}:
        return  # tags of something that keeps no revisions
    for start in range(0, len(ids), CHUNK):
        items = (
            model._default_manager.filter(pk__in=ids[start : start + CHUNK])
            .select_related("section")
            .prefetch_related("authors", "tags")
            .defer("body_html", "source_extra")
        )
        revisions.save_all(
            [revisions.build(item, via=Revision.Via.ACTION, user=user) for item in items]
        )
