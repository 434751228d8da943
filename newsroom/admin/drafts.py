"""Draft changes to a live item: "Save draft" keeps what readers see and stores the change
as the item's newest revision; staff preview it on the site's own page; "Publish changes"
(the form's usual save) makes it live, and only then are the item's cached pages rebuilt.

The item points at its pending draft (``draft_revision``); its change form then holds the
draft, the list marks it, and a save, a revert or "Discard draft" ends it. The draft itself
stays in the history whatever becomes of it.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from taggit.models import Tag

from .. import rendering, revisions
from ..models import Author, Publishable, Revision
from ..revisions import restore_fields
from .shared import seen_object

SAVE_DRAFT = "_save_draft"
# Whether and when an item is shown: never taken from a draft.
PUBLISHING_FIELDS = ("status", "published_at", "expires_at")


def is_live(obj: Publishable | None) -> bool:
    """Whether saving ``obj`` changes what readers are shown (or will be, once its time
    comes): a published item, as stored."""
    return obj is not None and obj.pk is not None and obj.status == Publishable.Status.PUBLISHED


def drafted(obj: Publishable, draft: Revision) -> Publishable:
    """A copy of ``obj`` with the content ``draft`` holds, its bylines and tags included
    (for a page that shows them), its body rendered. Nothing is saved."""
    shown = copy.copy(obj)
    shown._state = copy.copy(obj._state)
    shown._prefetched_objects_cache = {}
    fields = draft.snapshot.get("fields", {})
    restore_fields(shown, {k: v for k, v in fields.items() if k not in PUBLISHING_FIELDS})
    shown.body_html = rendering.render_markdown(shown.body)
    pks = [pk for pk, _name in draft.snapshot.get("authors", [])]
    names = draft.snapshot.get("tags", [])
    # Read where the page reads them (``obj.authors.all()``), as a prefetch would leave them.
    shown._prefetched_objects_cache = {
        "authors": Author.objects.filter(pk__in=pks).order_by("name"),
        "tags": Tag.objects.filter(name__in=names).order_by("name"),
    }
    return shown


class DraftChangesForm(forms.ModelForm):
    """Opened on an item with unpublished changes, the form holds those changes (``draft``)
    rather than what readers see."""

    draft: Revision | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        draft_id = getattr(self.instance, "draft_revision_id", None)
        if self.is_bound or draft_id is None:
            return
        self.draft = Revision.objects.select_related("user").filter(pk=draft_id).first()
        if self.draft is None:
            return
        snapshot = self.draft.snapshot
        # The publishing fields are the item's own: a draft changes what it says, not
        # whether or when it is shown (an item unpublished since must not come back).
        fields = {
            name: value
            for name, value in snapshot.get("fields", {}).items()
            if name not in PUBLISHING_FIELDS
        }
        shown = copy.copy(self.instance)
        restore_fields(shown, fields)
        columns = [name for name in fields if name in self.fields]
        self.initial.update(model_to_dict(shown, fields=columns))
        if "authors" in self.fields:
            pks = [pk for pk, _name in snapshot.get("authors", [])]
            self.initial["authors"] = list(Author.objects.filter(pk__in=pks))
        if "tags" in self.fields:
            # The tag widget shows tags by name; a name not yet a tag is shown all the same.
            self.initial["tags"] = [Tag(name=name) for name in snapshot.get("tags", [])]


class UnpublishedChangesFilter(admin.SimpleListFilter):
    title = gettext_lazy("unpublished changes")
    parameter_name = "draft"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Waiting to be published"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            # On the partial index of the few items that have a draft.
            return queryset.filter(draft_revision__isnull=False)
        return queryset


class DraftChangesMixin:
    """For a publishable kind's ``ModelAdmin``: "Save draft" on a live item, the preview of
    its draft (``…/preview/``, for whoever may see the item), "Discard draft"
    (``…/draft/discard/``, a POST, for whoever may change it), and the list's marks."""

    def _drafting(self, request: HttpRequest, obj: Publishable | None) -> bool:
        """Whether this POST saves a draft: asked for, on an item that is live as stored.
        (Asked for on an item that is not, it is a save like any other.)"""
        if request.method != "POST" or SAVE_DRAFT not in request.POST or obj is None:
            return False
        stored = type(obj)._default_manager.filter(pk=obj.pk).values_list("status", flat=True)
        return stored.first() == Publishable.Status.PUBLISHED

    @admin.display(description=gettext_lazy("unpublished changes"), boolean=True)
    def has_draft(self, obj: Publishable) -> bool:
        return obj.draft_revision_id is not None

    def save_draft(self, request: HttpRequest, obj: Publishable, form: Any) -> None:
        """Record what the form holds as the item's draft, leaving the item as it is."""
        cleaned = form.cleaned_data
        draft = revisions.record(
            obj,
            via=Revision.Via.FORM,
            user=request.user,
            is_draft=True,
            authors=cleaned.get("authors"),
            tags=cleaned.get("tags"),
        )
        # An update, not a save: no signal, so no cached page or search entry is touched.
        type(obj)._default_manager.filter(pk=obj.pk).update(draft_revision=draft)
        obj._saved_draft = draft

    def save_draft_related(self, request: HttpRequest, form: Any, formsets: Any) -> None:
        """After ``save_draft``: the bylines and tags stay as readers see them (the draft's
        are in its revision). Notes are no part of a draft: a correction is shown to
        readers once it is saved."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=True)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        message = super().construct_change_message(request, form, formsets, add)
        draft = getattr(form.instance, "_saved_draft", None)
        if draft is None:
            return message
        changed = LogEntry(change_message=message).get_change_message()
        return _("Saved as a draft (revision %(id)s), not published. %(changed)s") % {
            "id": draft.pk,
            "changed": changed,
        }

    def response_change(self, request: HttpRequest, obj: Publishable) -> HttpResponse:
        if getattr(obj, "_saved_draft", None) is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            _(
                "Your changes to “%(item)s” are saved as a draft: readers still see the "
                "published version. Preview them, or publish them when they are ready."
            )
            % {"item": obj},
            messages.SUCCESS,
        )
        return redirect(request.get_full_path())

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Publishable | None = None,
    ) -> HttpResponse:
        if change and obj is not None:
            info = f"{self.opts.app_label}_{self.opts.model_name}"
            form = context["adminform"].form
            may_change = self.has_change_permission(request, obj)
            context["draft"] = getattr(form, "draft", None)
            context["live_item"] = is_live(obj) and may_change
            context["may_discard"] = may_change
            context["preview_url"] = reverse(f"admin:{info}_preview", args=[obj.pk])
            context["discard_url"] = reverse(f"admin:{info}_discard_draft", args=[obj.pk])
            live = Revision.objects.of(obj).filter(is_draft=False).values_list("pk", flat=True)
            context["live_revision"] = live.first() if obj.draft_revision_id else None
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The preview and the discard

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view  # staff login and CSRF
        return [
            path("<path:object_id>/preview/", wrap(self.preview_view), name=f"{info}_preview"),
            path(
                "<path:object_id>/draft/discard/",
                wrap(self.discard_draft_view),
                name=f"{info}_discard_draft",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The item's page as readers would see it with its draft published (or, without a
        draft, as it stands), with a banner saying so. Never cached."""
        obj = seen_object(self, request, object_id)
        draft = None
        if obj.draft_revision_id is not None:
            draft = Revision.objects.filter(pk=obj.draft_revision_id).first()
        response = self.render_preview(request, obj if draft is None else drafted(obj, draft))
        add_never_cache_headers(response)
        return response

    def render_preview(self, request: HttpRequest, obj: Publishable) -> HttpResponse:
        """Render the kind's reader page for ``obj`` as a preview (each kind's admin)."""
        raise NotImplementedError

    def discard_draft_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = seen_object(self, request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        draft_id = obj.draft_revision_id
        if draft_id is not None:
            type(obj)._default_manager.filter(pk=obj.pk, draft_revision=draft_id).update(
                draft_revision=None
            )
            self.log_change(
                request,
                obj,
                _("Discarded the unpublished changes (revision %(id)s, kept in the history).")
                % {"id": draft_id},
            )
            self.message_user(
                request,
                _(
                    "The unpublished changes are discarded: the form holds what readers see. "
                    "The draft is kept in the history."
                ),
                messages.SUCCESS,
            )
        return redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )
