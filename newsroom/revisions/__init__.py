"""Revisions of articles and quick quotes: one per save, written here for the admin form, its
actions, the importer and a revert alike (``compare.py`` shows what changed between two).

A revision keeps what an editor edits: the item's editable fields, its bylines and its tags.
The rendered body and the import's provenance are left out (the first is made again from the
body, the second describes the file, which the import's revision names).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from taggit.models import Tag

from ..models import Author, Publishable, Revision
from ..rendering import MarkdownRefused

User = AbstractBaseUser | AnonymousUser | None
Snapshot = dict[str, Any]


class RevertRefused(Exception):
    """The item cannot take a revision's content back; the message says why."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def tracked_fields(model: type[Publishable]) -> list[models.Field]:
    """The fields a revision keeps: the columns an editor edits (bylines and tags apart)."""
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def _stored(field: models.Field, obj: Publishable) -> Any:
    if field.is_relation:  # the section: its name too, for a comparison after it is gone
        related = getattr(obj, field.name)
        return None if related is None else [related.pk, str(related)]
    value = field.value_from_object(obj)
    if isinstance(value, datetime | date):
        return field.value_to_string(obj)  # ISO 8601, to the microsecond
    return value


def snapshot(
    obj: Publishable,
    *,
    authors: Iterable[Author] | None = None,
    tags: Iterable[Tag | str] | None = None,
) -> Snapshot:
    """What a revision of ``obj`` keeps, as JSON-ready data.

    ``authors`` and ``tags`` are the item's bylines and tags when the caller has them (the
    importer just wrote them); otherwise they are read (from a prefetch, if there is one).
    Tags may be given by name (as a form has them).
    """
    authors = obj.authors.all() if authors is None else authors
    tags = obj.tags.all() if tags is None else tags
    return {
        "fields": {field.name: _stored(field, obj) for field in tracked_fields(type(obj))},
        "authors": sorted(([a.pk, a.name] for a in authors), key=lambda a: (a[1], a[0])),
        "tags": sorted((t if isinstance(t, str) else t.name for t in tags), key=str.casefold),
    }


def build(
    obj: Publishable,
    *,
    via: str,
    user: User = None,
    source_path: str = "",
    reverted_from: Revision | None = None,
    is_draft: bool = False,
    authors: Iterable[Author] | None = None,
    tags: Iterable[Tag | str] | None = None,
) -> Revision:
    """An unsaved revision of ``obj`` as it is now (see ``snapshot``), for ``save_all``.

    ``is_draft``: ``obj`` holds changes to a live item that are not saved to it (see
    ``newsroom.admin.drafts``); bylines and tags are then given, as the form has them."""
    return Revision(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        user=user if user is not None and user.is_authenticated else None,
        via=via,
        source_path=source_path,
        reverted_from=reverted_from,
        is_draft=is_draft,
        snapshot=snapshot(obj, authors=authors, tags=tags),
    )


def record(obj: Publishable, **options: Any) -> Revision:
    """Record a revision of ``obj`` as saved just now (options as for ``build``)."""
    revision = build(obj, **options)
    revision.save()
    return revision


def save_all(revisions: list[Revision]) -> None:
    """Write revisions made with ``build`` in one insert (the importer's, a batch's)."""
    Revision.objects.bulk_create(revisions)


def revert(revision: Revision, *, user: User) -> tuple[Publishable, Revision, list[str]]:
    """Give the item the content ``revision`` kept, as a new save recorded as a new revision.

    Returns the item, its new revision and warnings (a section or byline deleted since,
    left out). Raises ``RevertRefused`` when the item cannot take that content now (another
    item has taken its slug since) and ``model.DoesNotExist`` when the item is gone.
    """
    model = revision.content_type.model_class()
    with transaction.atomic():
        # Locked against a concurrent save or revert (the item's row, not its section's).
        items = model.objects.select_for_update(of=("self",)).select_related("section")
        obj = items.get(pk=revision.object_id)
        warnings = restore_fields(obj, revision.snapshot.get("fields", {}))
        # What the item says now is the revert's: a draft of changes made before it is
        # no longer pending (it stays in the history).
        obj.draft_revision = None
        try:
            obj.validate_unique()
        except ValidationError as error:
            raise RevertRefused(
                _("This revision cannot be restored: %(problem)s Change that first.")
                % {"problem": " ".join(error.messages)},
                code="unique",
            ) from None
        try:
            obj.save()
        except MarkdownRefused as refused:
            raise RevertRefused(str(refused), code=refused.code) from None
        authors, missing = _existing_authors(revision.snapshot.get("authors", []))
        warnings += [
            _("The byline “%(name)s” no longer exists: left out.") % {"name": name}
            for name in missing
        ]
        obj.authors.set(authors)
        obj.tags.set(revision.snapshot.get("tags", []))
        new = record(
            obj, via=Revision.Via.REVERT, user=user, reverted_from=revision, authors=authors
        )
    return obj, new, warnings


def restore_fields(obj: Publishable, stored: dict[str, Any]) -> list[str]:
    """Give ``obj`` the field values a snapshot ``stored``; warnings for a section gone."""
    warnings = []
    for field in tracked_fields(type(obj)):
        if field.name not in stored:  # a field added since the revision: left as it is
            continue
        value = stored[field.name]
        if not field.is_relation:
            setattr(obj, field.attname, field.to_python(value))
            continue
        related = None
        if value is not None:
            related = field.related_model._default_manager.filter(pk=value[0]).first()
            if related is None:
                warnings.append(
                    _("The %(field)s “%(name)s” no longer exists: %(field)s left empty.")
                    % {"field": field.verbose_name, "name": value[1]}
                )
        setattr(obj, field.name, related)
    return warnings


def _existing_authors(stored: list[list[Any]]) -> tuple[list[Author], list[str]]:
    found = Author.objects.in_bulk([pk for pk, _name in stored])
    return [found[pk] for pk, _name in stored if pk in found], [
        name for pk, name in stored if pk not in found
    ]
