"""The comment queue's parts: its status filter (pending by default), its rule filter, rows
that carry only the start of each comment, and the history shown on a comment's page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..discussion.policy import RULE_STATUS, rule_label
from ..models import Comment, CommentStatusChange

# The most characters of a comment the queue reads from the database for one row.
EXCERPT_CHARS = 200


class StatusChangeInline(admin.TabularInline):
    """The comment's history, read-only: the log is append-only."""

    model = CommentStatusChange
    fields = [
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor_name",
        "rule_name",
        "reason",
        "original_body",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("history")

    def has_add_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    @admin.display(description=_("rule"))
    def rule_name(self, obj: CommentStatusChange) -> str:
        return rule_label(obj.rule) if obj.rule else ""


class StatusFilter(admin.SimpleListFilter):
    """The queue opens on pending comments; "all" is one of the choices, not the default."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [*Comment.Status.choices, (self.ALL, _("All"))]

    def __init__(self, request: HttpRequest, *args: Any) -> None:
        super().__init__(request, *args)
        # An action on rows ticked one by one applies to those rows, whatever their
        # status; "select all" applies to what the page showed: pending, unless chosen.
        ticked = request.method == "POST" and request.POST.get("select_across", "0") == "0"
        self.default = self.ALL if ticked else Comment.Status.PENDING

    def value(self) -> str:
        return super().value() or self.default

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:
        # Django's own "All" link would drop the parameter, which here means pending.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() in Comment.Status.values:
            return queryset.filter(status=self.value())
        return queryset


class QueueChangeList(ChangeList):
    """The rows without their full texts: a comment may be 5,000 characters long and
    the list shows 80 of them; of its article, the title is shown."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        queryset = super().get_queryset(request, exclude_parameters)
        queryset = queryset.defer(
            "body",
            "redacted_reason",
            "article__body",
            "article__body_html",
            "article__source_extra",
        )
        return queryset.annotate(
            body_head=Substr("body", 1, EXCERPT_CHARS),
            reason_head=Substr("redacted_reason", 1, EXCERPT_CHARS),
        )


class RuleFilter(admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(rule, rule_label(rule)) for rule in RULE_STATUS]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() in RULE_STATUS:
            return queryset.filter(rules__contains=f" {self.value()} ")
        return queryset
