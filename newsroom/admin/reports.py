"""Readers' reports on a comment, shown on its admin page: read-only, since reports are
settled by deciding the comment (``discussion.decisions``), never edited or deleted."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Comment, CommentReport


class ReportInline(admin.TabularInline):
    model = CommentReport
    fields = ["created_at", "reason_label", "text", "settled_at", "settled_by", "outcome"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("readers' reports")

    @admin.display(description=_("reason"))
    def reason_label(self, obj: CommentReport) -> str:
        return obj.reason_label

    def has_add_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False
