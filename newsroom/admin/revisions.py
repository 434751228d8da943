"""An item's revisions in the admin: its history page lists them, a page compares any two, and
"revert" (a POST, by someone who may change the item) restores one as a new revision.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import revisions
from ..models import Publishable, Revision
from ..revisions import compare
from .shared import seen_object

# Revision ids are BigAutoField values: at most 19 digits (and int() of a longer string
# of digits can be refused or slow).
_ID_DIGITS = 19


def revision_id(value: str | None) -> int | None:
    """A revision id a request sent, or None for anything else (missing, empty, no number)."""
    if value and value.isascii() and value.isdigit() and len(value) <= _ID_DIGITS:
        return int(value)
    return None


class RevisionsMixin:
    """For a ``ModelAdmin`` of a publishable kind: the history page lists the item's
    revisions, ``…/history/compare/?a=ID&b=ID`` compares two and
    ``…/history/ID/revert/`` restores one. Who may view the item sees its revisions; who
    may change it may revert."""

    revisions_per_page = 50

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view  # staff login and CSRF
        return [
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_view),
                name=f"{info}_compare",
            ),
            path(
                "<path:object_id>/history/<int:revision_id>/revert/",
                wrap(self.revert_view),
                name=f"{info}_revert",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, obj: Publishable, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "may_revert": self.has_change_permission(request, obj),
            "change_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
            ),
            "history_url": self._history_url(obj),
        }

    def _history_url(self, obj: Publishable) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk])

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The item's revisions, newest first, a page at a time, each with what it changed."""
        obj = seen_object(self, request, object_id)
        all_revisions = Revision.objects.of(obj)
        page = Paginator(all_revisions.select_related("user"), self.revisions_per_page).get_page(
            request.GET.get("p")
        )
        rows = list(page.object_list)
        # What the oldest on the page changed is read against the one before it.
        before = all_revisions.filter(pk__lt=rows[-1].pk).first() if rows else None
        older = [*rows[1:], before] if rows else []
        context = {
            **self._context(request, obj, _("Revisions of “%(item)s”") % {"item": obj}),
            "page": page,
            # (revision, the labels of the fields it changed, whether it is the first)
            "rows": [
                (
                    revision,
                    compare.changed_labels(self.model, o and o.snapshot, revision.snapshot),
                    o is None,
                )
                for revision, o in zip(rows, older, strict=True)
            ],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/newsroom/revisions/history.html", context)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Two revisions side by side (``?a=ID&b=ID``, the older first whatever the order);
        without them, the newest revision against the one before it."""
        obj = seen_object(self, request, object_id)
        all_revisions = Revision.objects.of(obj).select_related("user")
        wanted = [revision_id(request.GET.get(key)) for key in ("a", "b")]
        if wanted == [None, None]:
            pair = list(all_revisions[:2])
        else:
            if None in wanted:
                raise Http404(_("Choose two revisions to compare."))
            pair = list(all_revisions.filter(pk__in=wanted))
            if len(pair) != len(set(wanted)):
                raise Http404(_("There is no such revision of this item."))
        pair.sort(key=lambda revision: revision.pk)
        old, new = (pair[0], pair[-1]) if pair else (None, None)
        context = {
            **self._context(request, obj, _("Compare revisions of “%(item)s”") % {"item": obj}),
            "old": old,
            "new": new,
            "changes": compare.changes(self.model, old.snapshot, new.snapshot)
            if old is not None and old.pk != new.pk
            else [],
        }
        return TemplateResponse(request, "admin/newsroom/revisions/compare.html", context)

    def revert_view(self, request: HttpRequest, object_id: str, revision_id: int) -> HttpResponse:
        """Restore a revision's content as a new save. POST only; the change permission is
        checked here, on the server, whatever the pages offered."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = seen_object(self, request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(Revision.objects.of(obj), pk=revision_id)
        try:
            obj, _new, warnings = revisions.revert(revision, user=request.user)
        except revisions.RevertRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return redirect(self._history_url(obj))
        when = formats.date_format(timezone.localtime(revision.created_at), "DATETIME_FORMAT")
        self.log_change(request, obj, _("Reverted to the revision of %(when)s.") % {"when": when})
        self.message_user(
            request,
            _("“%(item)s” is back as it was on %(when)s; that is a new revision.")
            % {"item": obj, "when": when},
            messages.SUCCESS,
        )
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)
        return redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )
