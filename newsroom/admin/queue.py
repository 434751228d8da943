"""The comment queue's parts: its status filter (pending by default), its rule filter, its
cards' rows, and the history shown on a comment's page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import F, QuerySet
from django.db.models.functions import Substr
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..discussion.policy import RULE_STATUS, WORD_RULES, join_reasons, rule_label
from ..models import Comment, CommentReport, CommentStatusChange
from .desk import record, with_records

# The most characters of a comment the queue reads from the database for one row.
EXCERPT_CHARS = 200
# A card shows this much of a longer comment, and the rest folded.
FOLD_CHARS = 600
# The rules whose evidence is words of the comment, marked in its text.
TEXT_RULES = frozenset({"blocked_words", "moderation_words", *WORD_RULES})


def highlight(text: str, words: list[str]) -> str:
    """Escape the text and mark the words a rule matched."""
    escaped = escape(text)
    words = sorted({escape(w) for w in words if w.strip()}, key=len, reverse=True)
    if not words:
        return escaped
    # Evidence is quoted with its spaces collapsed: any run of spaces in the text matches.
    spans = (r"\s+".join(re.escape(part) for part in w.split()) for w in words)
    pattern = re.compile("|".join(spans), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308


def evidence(comment: Comment) -> list[str]:
    """The words of the comment that a word rule matched."""
    return [
        r.get("evidence", "")
        for r in comment.moderation_reasons
        if isinstance(r, dict) and r.get("rule") in TEXT_RULES
    ]


def reasons(comment: Comment) -> list[dict[str, str]]:
    """The comment's reasons, each once (a word matched twice is one reason)."""
    seen, unique = set(), []
    for reason in comment.moderation_reasons:
        if not isinstance(reason, dict) or not reason.get("message"):
            continue
        key = (reason.get("rule", ""), reason["message"])
        if key not in seen:
            seen.add(key)
            unique.append(reason)
    return unique


def reason_messages(comment: Comment) -> list[str]:
    """The reasons' messages, then the decision's own reason if it says something else.

    The policy's verdict is also stored joined, as the decision's reason (before they were
    joined cleanly, with ".;"): shown once, with a moderator's own reason."""
    messages = [reason["message"] for reason in reasons(comment)]
    verdict = {join_reasons(messages), join_reasons(["; ".join(messages)])}
    if comment.decision_reason and join_reasons([comment.decision_reason]) not in verdict:
        messages.append(comment.decision_reason)
    return messages


@dataclass
class Card:
    """What a comment's card shows besides the comment's own fields."""

    opening: str  # the text, highlighted; its start when the rest is folded
    rest: str  # the rest of a long text, highlighted (shown on demand); else ""
    reasons: list[str]  # each once, the decision's own last
    reports: list[dict]  # open readers' reports: reason, label, count


def card(comment: Comment, reports: list[dict]) -> Card:
    text, words = comment.text_for_readers, evidence(comment)
    cut = len(text)
    if cut > FOLD_CHARS:
        # At the last space before the limit (or at it, in a text without one).
        space = text.rfind(" ", 0, FOLD_CHARS)
        cut = space if space > FOLD_CHARS // 2 else FOLD_CHARS
    return Card(
        opening=highlight(text[:cut], words),
        rest=highlight(text[cut:], words) if cut < len(text) else "",
        reasons=reason_messages(comment),
        reports=reports,
    )


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
    """The queue's cards: each comment whole, of its article the title, of the comment it
    answers the name and first characters, and its commenter's record."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
        queryset = super().get_queryset(request, exclude_parameters)
        queryset = queryset.defer(
            "article__body",
            "article__body_html",
            "article__source_extra",
        )
        return with_records(queryset).annotate(
            parent_name=F("parent__author_name"),
            parent_head=Substr("parent__body", 1, EXCERPT_CHARS),
        )

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # Reports, for the page's reported comments: one query, and none without them.
        reported = [c.pk for c in self.result_list if c.status == Comment.Status.REPORTED]
        reports = CommentReport.objects.open().reasons_by_comment(reported) if reported else {}
        for comment in self.result_list:
            comment.record = record(comment)
            comment.card = card(comment, reports.get(comment.pk, []))


class RuleFilter(admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(rule, rule_label(rule)) for rule in RULE_STATUS]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() in RULE_STATUS:
            return queryset.filter(rules__contains=f" {self.value()} ")
        return queryset
