"""What the publishing and the moderation admin have in common.

Form field defaults, the object an extra page is about, the mixin for lists searched
through indexes only, and the mixin for records that are kept for good.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

# Links typed without a scheme are taken as https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def seen_object(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Any:
    """The object an extra admin page is about (from its URL), for someone who may see it:
    404 if there is none in the admin's queryset, 403 without the view or change
    permission on it."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404(_("There is no such item."))
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    return obj


class IndexedSearchMixin:
    """For a list of many rows: Django's own search reads every row of every search field
    (``LIKE '%term%'``). Here a term matches what ``search_condition`` says, on indexed
    columns; ``search_help_text`` should tell editors what that is."""

    def search_condition(self, request: HttpRequest, term: str) -> Q:
        raise NotImplementedError

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(self.search_condition(request, term)), False


class NeverDeleteMixin:
    """For records that are kept for good: no delete page, no bulk delete action."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
