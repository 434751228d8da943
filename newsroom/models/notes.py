"""Corrections and updates: dated notes editors add to a published item of any kind.

Notes are kept for good: deleting one raises ``DeletionRefused``, and once saved a note's
text, kind and date stay as readers saw them; a note is retracted with a reason instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .discussion import DeletionRefused
from .records import ItemRecordQuerySet

if TYPE_CHECKING:
    from datetime import datetime


KEPT = "Corrections and updates are kept for good: retract a note, with a reason, instead."


class ItemNoteQuerySet(ItemRecordQuerySet):
    kept = KEPT

    def shown(self) -> ItemNoteQuerySet:
        """The notes readers see: those not retracted."""
        return self.filter(retracted_at__isnull=True)


class ItemNote(models.Model):
    """A correction or an update of a published item, shown dated at the foot of its page."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of item"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("item"))
    item = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.CORRECTION,
        help_text=_("A correction fixes an error; an update adds what is new."),
    )
    noted_at = models.DateTimeField(
        _("date"),
        default=timezone.now,
        help_text=_("Shown with the note; a later date than the item's last change moves it."),
    )
    text = models.TextField(
        _("text"),
        # PostgreSQL cannot store a NUL character, and no reader needs one.
        validators=[ProhibitNullCharactersValidator()],
        help_text=_(
            "Plain text, shown to readers as written. Once saved it stays as it is: to "
            "change it, retract it with a reason and add another."
        ),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    retracted_at = models.DateTimeField(_("retracted"), null=True, blank=True, editable=False)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retracted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    retraction_reason = models.TextField(
        _("retraction reason"),
        blank=True,
        validators=[ProhibitNullCharactersValidator()],
        help_text=_(
            "Why the note no longer applies (superseded, say). Readers then no longer see it; "
            "staff see it here with the reason, for good."
        ),
    )

    objects = ItemNoteQuerySet.as_manager()

    # What a saved note keeps as readers saw it; the retraction may be added once.
    LOCKED = ("content_type_id", "object_id", "kind", "noted_at", "text", "created_at")
    RETRACTION = ("retracted_at", "retraction_reason")

    class Meta:
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")
        ordering = ["-noted_at", "-pk"]
        indexes = [
            # An item's notes, newest first.
            models.Index(fields=["content_type", "object_id", "noted_at"], name="note_item_idx"),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s of %(date)s: %(text)s") % {
            "kind": self.get_kind_display(),
            "date": timezone.localtime(self.noted_at).strftime("%Y-%m-%d %H:%M"),
            "text": Truncator(self.text).chars(60),
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save a new note, or a retraction; refuse any other change. Then keep the item's
        times: its latest note readers see, and its last change (see ``record_on_item``)."""
        loaded = getattr(self, "_as_loaded", None)
        if loaded is not None:
            changed = {name for name, value in loaded.items() if getattr(self, name) != value}
            retracting = loaded["retracted_at"] is None and self.retracted_at is not None
            if changed - set(self.RETRACTION) or (changed and not retracting):
                raise DeletionRefused(KEPT)
            if retracting and not self.retraction_reason.strip():
                raise ValueError("A retraction needs a reason.")
        super().save(*args, **kwargs)
        self._as_loaded = {name: getattr(self, name) for name in (*self.LOCKED, *self.RETRACTION)}
        self.record_on_item(self.retracted_at or self.noted_at)

    @classmethod
    def from_db(cls, db: str | None, field_names: list[str], values: list[Any]) -> ItemNote:
        note = super().from_db(db, field_names, values)
        note._as_loaded = {name: getattr(note, name) for name in (*cls.LOCKED, *cls.RETRACTION)}
        return note

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    def clean(self) -> None:
        from .. import kinds

        super().clean()
        if self.content_type_id is not None:
            model = ContentType.objects.get_for_id(self.content_type_id).model_class()
            try:
                kinds.for_model(model)
            except LookupError:
                raise ValidationError(
                    _("Only published items of a registered kind take notes."),
                    code="not_an_item",
                ) from None
        if self.noted_at is not None and self.noted_at > timezone.now():
            raise ValidationError(
                {
                    "noted_at": ValidationError(
                        _("A correction or update cannot be dated in the future."),
                        code="note_in_future",
                    )
                }
            )

    def record_on_item(self, changed_at: datetime) -> None:
        """Give the item the date of its newest note readers see (pages load notes only for
        items that have one) and move its last change to ``changed_at`` if that is later:
        feeds, sitemaps and search engines then see it updated. One UPDATE, no signals:
        the note's own save tells the page cache."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        newest = (
            ItemNote.objects.shown()
            .filter(content_type_id=self.content_type_id, object_id=OuterRef("pk"))
            .order_by("-noted_at")
            .values("noted_at")[:1]
        )
        later = Value(changed_at, output_field=models.DateTimeField())
        model._base_manager.filter(pk=self.object_id).update(
            last_note_at=Subquery(newest),
            updated_at=Case(
                When(updated_at__lt=changed_at, then=later), default=models.F("updated_at")
            ),
        )
        if ItemNote.item.is_cached(self):
            # The caller's copy of the item (add_note's) shows what the page will.
            self.item.refresh_from_db(fields=["last_note_at", "updated_at"])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused(KEPT)
