"""Corrections and updates on an item's change form: an inline for every publishable kind.

A note is added once and kept as readers saw it: a saved row's kind, date and text are
shown but not taken from the form, and the only change it accepts is a retraction with a
reason. There is no delete, for anyone.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .. import corrections
from ..models import ItemNote, Publishable


class ItemNoteForm(forms.ModelForm):
    class Meta:
        model = ItemNote
        fields = ["kind", "noted_at", "text", "retraction_reason"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3, "cols": 50}),
            "retraction_reason": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        saved = self.instance.pk is not None
        # Disabled fields ignore whatever a request sends for them.
        self.locked = ["kind", "noted_at", "text"] if saved else []
        if not saved or self.instance.is_retracted:
            self.locked.append("retraction_reason")
        for name in self.locked:
            if name in self.fields:
                self.fields[name].disabled = True

    def clean(self) -> dict:
        cleaned = super().clean()
        # A disabled field gives back its value as shown (a time without its microseconds,
        # a text without its outer spaces): the saved note keeps its own, exactly.
        for name in self.locked:
            if self.instance.pk is not None and name in cleaned:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def clean_retraction_reason(self) -> str:
        return self.cleaned_data.get("retraction_reason", "").strip()


def save_notes(request: HttpRequest, formset: forms.BaseModelFormSet) -> None:
    """Save the inline's new notes as the user's, and its retractions through
    ``corrections.retract_note`` (which stamps who and when)."""
    for note in formset.save(commit=False):
        if note.pk is None:
            note.created_by = request.user
            note.save()
        elif note.retraction_reason and not note.is_retracted:
            corrections.retract_note(note, note.retraction_reason, by=request.user)


class ItemNoteInline(GenericTabularInline):
    model = ItemNote
    form = ItemNoteForm
    fields = ["kind", "noted_at", "text", "retraction_reason", "record"]
    readonly_fields = ["record"]
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ItemNote]:
        return super().get_queryset(request).select_related("created_by", "retracted_by")

    def has_delete_permission(self, request: HttpRequest, obj: Publishable | None = None) -> bool:
        return False

    @admin.display(description=_("record"))
    def record(self, note: ItemNote) -> str:
        if note.pk is None:
            return "—"
        lines = [(_("Added"), note.created_at, note.created_by)]
        if note.is_retracted:
            lines.append((_("Retracted, no longer shown"), note.retracted_at, note.retracted_by))
        return format_html_join(
            mark_safe("<br>"),
            "{} {}{}",
            (
                (
                    label,
                    timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                    f" ({by})" if by else "",
                )
                for label, when, by in lines
            ),
        )
