"""No lost edits: a change form says which revision it was opened from, and a save made after
someone else's is merged with theirs (``revisions.merge``) or, where both changed the same
thing, shown side by side for the editor to settle instead of being saved.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db.models import DateTimeField
from django.forms.widgets import ChoiceWidget
from django.utils.translation import gettext as _

from .. import rendering, revisions
from ..models import Author, Publishable, Revision
from ..revisions import compare, merge, restore_fields
from .drafts import SAVE_DRAFT
from .revisions import revision_id

_FRACTION = re.compile(r"(?<=:\d\d)\.\d+")


class ConcurrentEditsForm(forms.ModelForm):
    """The base of a publishable kind's admin form (its admin locks the item's row on POST).

    ``base_revision`` is the item's newest revision when the form was rendered. If the item
    has a newer one when the form comes back, the two saves are merged: ``merged`` then
    holds what was taken from the other save, for the admin to tell the editor. If they
    collide, the form is invalid (code ``edit_conflict``), ``conflicts`` holds the colliding
    fields (theirs as ``old``, the editor's as ``new``), and the form's data becomes the
    merge with the editor's text in the colliding fields and the newest revision as base.

    A form that comes back without a base (an older page, a script) on an item that has a
    revision cannot be merged: every field it would change is shown as a collision.
    """

    # Texts merged paragraph by paragraph when both editors changed them.
    paragraph_fields: tuple[str, ...] = ("body",)

    base_revision = forms.CharField(required=False, widget=forms.HiddenInput)

    merged: merge.Merge | None = None
    other_revision: Revision | None = None
    conflicts: list[compare.Change]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflicts = []
        if not self.is_bound and not self.instance._state.adding:
            latest = Revision.objects.of(self.instance).values_list("pk", flat=True).first()
            self.initial["base_revision"] = "" if latest is None else str(latest)

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self.instance._state.adding and not self._errors:
            self._check_other_saves()

    def _check_other_saves(self) -> None:
        latest = Revision.objects.of(self.instance).select_related("user").first()
        posted = self.data.get(self.add_prefix("base_revision"))
        base_id = revision_id(posted)
        if latest is None or base_id == latest.pk:
            return  # nobody saved since the form was opened (or ever)
        base = None
        if base_id is not None:
            base = Revision.objects.of(self.instance).filter(pk=base_id).first()
        names = self._tracked_names()
        model = type(self.instance)
        theirs = _only(model, latest.snapshot, names)
        mine = _only(model, self._submitted(), names)
        result = merge.merge(
            base and _only(model, base.snapshot, names),
            theirs,
            mine,
            paragraph_fields=self.paragraph_fields,
        )
        self.other_revision = latest
        if result.collisions:
            self.conflicts = [
                change
                for change in compare.changes(type(self.instance), theirs, mine)
                if change.name in result.collisions
            ]
            self._rebind(result, latest)
            self.add_error(
                None,
                ValidationError(
                    _(
                        "%(who)s saved this item after you opened it, and changed some of "
                        "what you changed: nothing was saved. Their version and yours are "
                        "shown below; your text is still in the form. Choose, then save again."
                    )
                    % {"who": who(latest)},
                    code="edit_conflict",
                ),
            )
            return
        if latest.is_draft and SAVE_DRAFT not in self.data:
            # Someone's unpublished changes: publishing them takes a decision, not a merge
            # the editor would only be told about afterwards.
            self._rebind(result, latest)
            self.add_error(
                None,
                ValidationError(
                    _(
                        "%(who)s saved unpublished changes to this item after you opened it: "
                        "nothing was saved. The form now holds their changes merged with "
                        "yours. Check them, then publish them with yours, or save a draft."
                    )
                    % {"who": who(latest)},
                    code="draft_pending",
                ),
            )
            return
        self._apply(result)
        self.merged = result

    def _tracked_names(self) -> set[str]:
        tracked = {field.name for field in revisions.tracked_fields(type(self.instance))}
        return {name for name in self.fields if name in tracked or name in merge.RELATED}

    def _submitted(self) -> revisions.Snapshot:
        cleaned = self.cleaned_data
        return revisions.snapshot(
            self.instance,
            authors=cleaned.get("authors") if "authors" in cleaned else None,
            tags=cleaned.get("tags") if "tags" in cleaned else None,
        )

    def _apply(self, result: merge.Merge) -> None:
        """Give the instance (and the bylines and tags to be saved) the merged values."""
        changed = [*result.theirs, *result.paragraphs]
        fields = {name: result.values[name] for name in changed if name not in merge.RELATED}
        restore_fields(self.instance, fields)
        if "authors" in changed:
            pks = [pk for pk, _name in result.values["authors"]]
            self.cleaned_data["authors"] = Author.objects.filter(pk__in=pks)
        if "tags" in changed:
            self.cleaned_data["tags"] = list(result.values["tags"])
        if "body" in fields and hasattr(self, "body_html"):
            try:
                self.body_html = rendering.render_markdown(self.instance.body)
            except rendering.MarkdownRefused as refused:
                self.add_error("body", ValidationError(str(refused), code=refused.code))

    def _rebind(self, result: merge.Merge, latest: Revision) -> None:
        """The form's data: the merge, the editor's own text where they collide, the newest
        revision as the base of the next save."""
        self.data = self.data.copy()
        self.data[self.add_prefix("base_revision")] = str(latest.pk)
        changed = [*result.theirs, *result.paragraphs]
        if not changed:
            return
        merged = copy.copy(self.instance)
        merged.draft_revision_id = None  # shown as merged, not as the pending draft
        restore_fields(
            merged, {name: result.values[name] for name in changed if name not in merge.RELATED}
        )
        # Bylines and tags as the other editor saved them: what the item has now.
        shown = type(self)(instance=merged, prefix=self.prefix)
        for name in changed:
            _put(self.data, self.add_prefix(name), self.fields[name], shown[name].value())

    def merged_labels(self) -> tuple[list[str], list[str]]:
        """The labels of the fields taken from the other save, and of those merged by
        paragraph."""
        if self.merged is None:
            return [], []
        model = type(self.instance)
        return (
            [label(model, name) for name in self.merged.theirs],
            [label(model, name) for name in self.merged.paragraphs],
        )


def label(model: type[Publishable], name: str) -> str:
    """A merged value's name as the form labels it."""
    if name == "authors":
        return _("bylines")
    if name == "tags":
        return _("tags")
    return str(model._meta.get_field(name).verbose_name)


def who(revision: Revision) -> str:
    """Who made a revision, as a sentence's subject."""
    if revision.user is not None:
        return revision.user.get_username()
    if revision.via == Revision.Via.IMPORT:
        return _("The importer")
    return _("An account since deleted")


def _only(
    model: type[Publishable], snapshot: revisions.Snapshot, names: set[str]
) -> revisions.Snapshot:
    """The values of the form's fields, times to the second (the form shows no finer)."""
    fields = {}
    for name, value in snapshot.get("fields", {}).items():
        if name in names:
            if isinstance(value, str) and isinstance(model._meta.get_field(name), DateTimeField):
                value = _FRACTION.sub("", value)
            fields[name] = value
    return {
        "fields": fields,
        **{name: snapshot.get(name, []) for name in merge.RELATED if name in names},
    }


def _put(data: Any, key: str, field: forms.Field, value: Any) -> None:
    """Write ``value`` into posted ``data`` as ``field``'s widget would read it back."""
    widget = field.widget
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        for suffix, part in zip(widget.widgets_names, widget.decompress(value), strict=True):
            data[f"{key}{suffix}"] = "" if part is None else str(part)
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif isinstance(widget, ChoiceWidget):
        chosen = widget.format_value(value)
        if widget.allow_multiple_selected:
            data.setlist(key, chosen)
        else:
            data[key] = chosen[0] if chosen else ""
    else:
        formatted = widget.format_value(value)
        data[key] = "" if formatted is None else str(formatted)
