"""Corrections and updates of published items: the functions that add and retract notes
(the admin and any other code go through them), and the notes an item's page shows.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ItemNote, Publishable

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def add_note(
    item: Publishable,
    text: str,
    *,
    kind: str = ItemNote.Kind.CORRECTION,
    noted_at: datetime | None = None,
    by: AbstractBaseUser | None = None,
) -> ItemNote:
    """Add a correction or update to ``item``, dated ``noted_at`` (now by default). Raises
    ``ValidationError`` for an empty text, an unknown kind or a date in the future."""
    note = ItemNote(item=item, kind=kind, text=text, created_by=by)
    if noted_at is not None:
        note.noted_at = noted_at
    note.full_clean()
    note.save()
    return note


def retract_note(note: ItemNote, reason: str, *, by: AbstractBaseUser | None = None) -> ItemNote:
    """Withdraw a note from readers, for good, saying why (superseded, say); staff keep
    seeing it with the reason, who retracted it and when."""
    reason = reason.strip()
    if note.is_retracted:
        raise ValidationError(_("This note was retracted already."), code="already_retracted")
    if not reason:
        raise ValidationError(_("Say why the note is retracted."), code="reason_required")
    note.retracted_at = timezone.now()
    note.retracted_by = by
    note.retraction_reason = reason
    note.save()
    return note


def notes_for(item: Publishable) -> list[ItemNote]:
    """The notes readers see at the foot of the item's page, newest first. An item that
    has none (most) costs no query."""
    if item.last_note_at is None:
        return []
    return list(ItemNote.objects.for_item(item).shown())
