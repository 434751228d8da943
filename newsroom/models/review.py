"""The review log: every step of a reporter's draft through the editors' review (submitted,
approved, scheduled, sent back with a comment), kept for good."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .discussion import DeletionRefused
from .records import ItemRecordQuerySet

if TYPE_CHECKING:
    pass

KEPT = "Review steps are kept for good: the log is append-only."


class ReviewStepQuerySet(ItemRecordQuerySet):
    kept = KEPT


class ReviewStep(models.Model):
    """One step of an item's review, by whom and when, with the editor's comment if any."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved and published")
        SCHEDULED = "scheduled", _("Approved and scheduled")
        SENT_BACK = "sent_back", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn by its author")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of item"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("item"))
    item = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(
        _("comment"), blank=True, help_text=_("What the editor asks the reporter to change.")
    )

    objects = ReviewStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="review_item_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused(KEPT)
