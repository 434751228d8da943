"""Merging tags: every item tagged with one of them is tagged with the one they become, in
a few statements however many items that is, and each publishable item changed gets a
revision (its tags are part of what a revision keeps); a pending draft gets the merge too.
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
        target = _target(tags, name)
        sources = [tag.pk for tag in tags if tag.pk != target.pk]
        merged_names = {tag.name for tag in tags if tag.pk != target.pk}
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
            _record(content_type_id, sorted(ids), user, merged_names, target.name)
    return sum(len(ids) for ids in changed.values())


def _target(tags: list[Tag], name: str) -> Tag:
    """The tag to merge into: the one of that name whatever its case, one of those chosen
    first (renamed to the name as typed), else a new one."""
    chosen = [tag for tag in tags if tag.name.casefold() == name.casefold()]
    target = chosen[0] if chosen else Tag.objects.filter(name__iexact=name).first()
    if target is None:
        return Tag.objects.create(name=name)
    if target.name != name:
        target.name = name
        target.save(update_fields=["name"])
    return target


def _record(
    content_type_id: int,
    ids: list[int],
    user: AbstractBaseUser | None,
    merged_names: set[str],
    name: str,
) -> None:
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
        items = list(items)
        revisions.save_all(
            [revisions.build(item, via=Revision.Via.ACTION, user=user) for item in items]
        )
        _merge_into_drafts([i for i in items if i.draft_revision_id], merged_names, name, user)


def _merge_into_drafts(
    items: list, merged_names: set[str], name: str, user: AbstractBaseUser | None
) -> None:
    """An item's pending draft gets the merge too, as a new draft: publishing it must not
    bring a merged tag back."""
    drafts = Revision.objects.in_bulk([item.draft_revision_id for item in items])
    for item in items:
        draft = drafts[item.draft_revision_id]
        tags = draft.snapshot.get("tags", [])
        if not merged_names.intersection(tags):
            continue
        kept = [tag for tag in tags if tag not in merged_names]
        snapshot = {
            **draft.snapshot,
            "tags": sorted({*kept, name}, key=str.casefold),
        }
        new = Revision.objects.create(
            content_type_id=draft.content_type_id,
            object_id=draft.object_id,
            user=user,
            via=Revision.Via.ACTION,
            is_draft=True,
            snapshot=snapshot,
        )
        type(item)._default_manager.filter(pk=item.pk).update(draft_revision=new)
