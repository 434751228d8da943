"""Revisions: who saved an article or quick quote, when, how, and what it then said.

Written by ``newsroom.revisions`` (the admin, its actions, the importer, a revert); kept for good.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CompressedJSONField(models.BinaryField):
    """JSON data kept as zlib-compressed UTF-8 bytes, read back as Python data.

    A revision's snapshot is mostly prose, which compresses to about half. On SQLite it
    matters most: a row of 2 KiB or more fills a 4 KiB page alone, so a revision of a
    250-word article took 4 KiB as JSON text and takes about 1 KiB compressed. (PostgreSQL
    compresses such a value itself; there the two are about the same.) The data cannot
    be searched in SQL; nothing needs to.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(zlib.decompress(value))

    def to_python(self, value: Any) -> Any:
        # Deserialization (loaddata) hands over the text value_to_string() made.
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> bytes | None:
        if value is None:
            return None
        return zlib.compress(self._dumps(value).encode())

    def value_to_string(self, obj: models.Model) -> str:
        return self._dumps(self.value_from_object(obj))

    @staticmethod
    def _dumps(value: Any) -> str:
        # Letters of every script as themselves (not \uXXXX escapes), no padding.
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


class RevisionQuerySet(models.QuerySet):
    def of(self, obj: models.Model) -> RevisionQuerySet:
        """The revisions of one item, newest first (on ``revision_item_idx``)."""
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(content_type=content_type, object_id=obj.pk).order_by("-pk")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RevisionsKept(RevisionsKept.__doc__)

    delete.queryset_only = True  # type: ignore[attr-defined]


class RevisionsKept(Exception):
    """Revisions are never deleted: an item's history outlives any change made to it."""


class Revision(models.Model):
    """One save of a publishable item, with a snapshot of its content at that moment.

    ``snapshot`` holds the item's editable fields by name (a section as ``[id, name]``), its
    bylines as ``[[id, name], ...]`` and its tags' names: what an editor sees and can
    restore, not what is derived from it (the rendered body) or the import's provenance.
    """

    class Via(models.TextChoices):
        FORM = "form", _("admin form")
        ACTION = "action", _("admin action")
        IMPORT = "import", _("import")
        REVERT = "revert", _("revert")

    # Indexed by revision_item_idx (below), with the item's id.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("kind"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # No foreign key: the revisions of a deleted item stay.
    object_id = models.PositiveBigIntegerField(_("item id"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who saved it; empty for the importer."),
    )
    via = models.CharField(_("made by"), max_length=10, choices=Via.choices)
    source_path = models.CharField(
        _("source file"),
        max_length=500,
        blank=True,
        help_text=_("For an import: the archive file it came from."),
    )
    reverted_from = models.ForeignKey(
        "self",
        verbose_name=_("reverted to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up by: revisions are not deleted
        help_text=_("For a revert: the revision whose content was restored."),
    )
    is_draft = models.BooleanField(
        _("draft"),
        default=False,
        help_text=_(
            "Saved as a draft of a live item: the item itself kept what readers saw "
            "(see the item's “unpublished changes”)."
        ),
    )
    snapshot = CompressedJSONField(_("content"))

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-pk"]
        # Access follows the item's own permissions (view, change), not permissions of
        # this model's.
        default_permissions = ()
        indexes = [
            models.Index(fields=["content_type", "object_id", "id"], name="revision_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_via_display()}, {self.created_at:%Y-%m-%d %H:%M}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RevisionsKept(RevisionsKept.__doc__)
