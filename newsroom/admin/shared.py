"""What the publishing and the moderation admin have in common.

Form field defaults, the mixin for lists searched through indexes only, and the mixin for
records that are kept for good.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest

# Links typed without a scheme are taken as https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


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
