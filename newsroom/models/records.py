"""What corrections and updates, and review steps, share: records about one publishable item
of any kind (by content type and id) that are kept for good."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .discussion import DeletionRefused


class ItemRecordQuerySet(models.QuerySet):
    """An item's records, never deleted or rewritten through a queryset: each is history."""

    # What the refusal says; each kind of record says why it is kept.
    kept = "These records are kept for good."

    def for_item(self, item: models.Model) -> ItemRecordQuerySet:
        content_type = ContentType.objects.get_for_model(type(item))
        return self.filter(content_type=content_type, object_id=item.pk)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused(self.kept)

    def update(self, **kwargs: Any) -> int:
        # Every change goes through save(), which checks it.
        raise DeletionRefused(self.kept)

    delete.queryset_only = True  # type: ignore[attr-defined]
    update.queryset_only = True  # type: ignore[attr-defined]
