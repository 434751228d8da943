"""The moderators' admin: the comment queue with its history, bans and the moderation log.

Every status change goes through the decision functions (``discussion.decisions``), which log it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..discussion import decisions, posting
from ..discussion.policy import RULE_LABELS, join_reasons, rule_label
from ..models import Ban, Comment, CommentStatusChange
from .counting import BoundedPaginator, bounded_count
from .desk import ModeratorsDeskMixin, QueueActionForm, action_reason, reason_choices
from .queue import (
    EXCERPT_CHARS,
    QueueChangeList,
    RuleFilter,
    StatusChangeInline,
    StatusFilter,
    evidence,
    highlight,
    reason_messages,
)
from .redaction import RedactionMixin
from .reports import ReportInline
from .shared import URL_FIELDS, IndexedSearchMixin, NeverDeleteMixin


@admin.register(Comment)
class CommentAdmin(
    ModeratorsDeskMixin, IndexedSearchMixin, NeverDeleteMixin, RedactionMixin, admin.ModelAdmin
):
    """The moderation queue: pending comments first, as cards decided one by one (``desk``)
    or in bulk, always through the log.

    What a reader wrote (and what was derived from it) is shown, never edited, for every
    role: the change form edits the status alone, and the text can only be redacted.
    """

    formfield_overrides = URL_FIELDS
    change_form_template = "admin/newsroom/comment/change_form.html"
    change_list_template = "admin/newsroom/comment/change_list.html"
    list_display = [
        "status",
        "comment_text",
        "author_name",
        "article",
        "kind",
        "submitted_at",
        "reasons",
    ]
    list_display_links = ["comment_text"]
    # No date hierarchy and no article filter: each lists distinct values of the whole
    # table. An article's comments are one link away: ?article__id__exact=<id>.
    list_filter = [StatusFilter, RuleFilter, "kind", "submitted_at"]
    list_select_related = ["article"]
    # Read by search_condition, which searches indexed columns only.
    search_fields = ["author_email", "author_name"]
    search_help_text = _("An exact email address, or the start of a name (case matters).")
    # Newest first, served by the (status, submitted_at) and (submitted_at, id) indexes.
    ordering = ["-submitted_at", "-pk"]
    paginator = BoundedPaginator
    # Cards show each comment whole (up to NEWSROOM_COMMENT_MAX_LENGTH characters).
    list_per_page = 50
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    action_form = QueueActionForm
    raw_id_fields = ["article", "parent", "user"]
    # The change page: the status is the only field its form has (the rest are shown).
    change_fields = [
        "status",
        "highlighted_body",
        "redaction",
        "author_name",
        "author_email",
        "email_confirmed",
        "notify_replies",
        "author_url",
        "user",
        "article",
        "parent",
        "kind",
        "submitted_at",
        "position",
        "ip_hash",
        "reasons",
        "decided_by",
        "decided_rule_name",
        "decided_at",
        "decision_reason",
    ]
    inlines = [ReportInline, StatusChangeInline]
    actions = ["approve", "reject", "mark_spam", "ban_authors"]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # One index-only count per status, each stopping at the threshold.
        status_counts = [
            (value, label, bounded_count(Comment.objects.filter(status=value)))
            for value, label in Comment.Status.choices
        ]
        extra_context = {
            **(extra_context or {}),
            "status_counts": status_counts,
            "reason_choices": reason_choices(),
        }
        return super().changelist_view(request, extra_context)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

    def search_condition(self, request: HttpRequest, term: str) -> Q:
        # An exact email uses comment_author_idx and a name prefix comment_name_idx.
        # Full-text search of bodies belongs to the site's search index, not to this list.
        if "@" in term:
            return Q(author_email=term)
        return Q(author_name__startswith=term)

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.moderate_{opts.model_name}")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments are readers' words: nobody writes one here under a name of their
        # choosing. Staff comment on the site, as themselves.
        return False

    def get_fields(self, request: HttpRequest, obj: Comment | None = None) -> list[str]:
        return self.change_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Comment | None = None) -> list[str]:
        readonly = [name for name in self.change_fields if name != "status"]
        # A status changes only through the decision functions, so it is logged.
        if not self.has_moderate_permission(request):
            readonly.append("status")
        return readonly

    @admin.display(description=_("comment"))
    def comment_text(self, obj: Comment) -> str:
        return highlight(Truncator(obj.text_for_readers).chars(80), evidence(obj))

    @admin.display(description=_("comment as posted"))
    def highlighted_body(self, obj: Comment) -> str:
        if obj.is_redacted:
            return _("(Removed: the original text is in the history below.)")
        return highlight(obj.body, evidence(obj))

    @admin.display(description=_("redaction"))
    def redaction(self, obj: Comment) -> str:
        if not obj.is_redacted:
            return "—"
        return obj.text_for_readers

    @admin.display(description=_("reasons"))
    def reasons(self, obj: Comment) -> str:
        return join_reasons(reason_messages(obj)) or "—"

    @admin.display(description=_("decided by rule"))
    def decided_rule_name(self, obj: Comment) -> str:
        return rule_label(obj.decided_rule) if obj.decided_rule else "—"

    def save_model(self, request: HttpRequest, obj: Comment, form: ModelForm, change: bool) -> None:
        # The row is never saved from this form: its only field is the status, and the
        # decision function writes that (and the log entry) itself. Whatever else a POST
        # carries therefore cannot reach the database.
        if "status" in form.changed_data:
            decisions.decide(
                [obj], obj.status, actor=request.user, reason=_("Changed in the admin.")
            )

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Comment], status: str, verb: str
    ) -> None:
        changed = decisions.decide(
            queryset, status, actor=request.user, reason=action_reason(request)
        )
        self.message_user(
            request,
            ngettext("%(count)d comment %(verb)s.", "%(count)d comments %(verb)s.", len(changed))
            % {"count": len(changed), "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._decide(request, queryset, Comment.Status.APPROVED, _("approved"))

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._decide(request, queryset, Comment.Status.REJECTED, _("rejected"))

    @admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._decide(request, queryset, Comment.Status.SPAM, _("marked as spam"))

    @admin.action(
        description=_("Ban the authors of selected comments (email and client)"),
        permissions=["moderate"],
    )
    def ban_authors(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        bans, held = 0, 0
        reason = _("Banned from the moderation queue.")
        for email, ip_hash in queryset.values_list("author_email", "ip_hash").distinct():
            for kind, value in [(Ban.Kind.EMAIL, email), (Ban.Kind.IP_HASH, ip_hash)]:
                if value:
                    _ban, count = decisions.ban(kind, value, actor=request.user, reason=reason)
                    bans, held = bans + 1, held + count
        self.message_user(
            request,
            _("%(bans)d bans in force; %(held)d pending comments flagged.")
            % {"bans": bans, "held": held},
            messages.SUCCESS,
        )


@admin.register(Ban)
class BanAdmin(NeverDeleteMixin, admin.ModelAdmin):
    """Bans by email or client fingerprint. A ban is lifted, never deleted."""

    list_display = ["value", "kind", "reason", "created_by", "created_at", "lifted_at"]
    list_filter = ["kind", ("lifted_at", admin.EmptyFieldListFilter), "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["value", "reason"]
    readonly_fields = ["created_by", "created_at", "lifted_at"]
    actions = ["lift"]

    def get_readonly_fields(self, request: HttpRequest, obj: Ban | None = None) -> list[str]:
        if obj is not None:
            return [*self.readonly_fields, "kind", "value"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Ban, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        value = obj.value.strip()
        if obj.kind == Ban.Kind.IP_HASH:
            # A typed address is hashed; a fingerprint copied from a comment is kept.
            with contextlib.suppress(ValueError):
                value = posting.hash_ip(posting.client_address(value))
        ban, count = decisions.ban(obj.kind, value, actor=request.user, reason=obj.reason)
        obj.pk, obj._state.adding = ban.pk, False
        if count:
            self.message_user(
                request,
                ngettext(
                    "%d pending comment by this author is flagged.",
                    "%d pending comments by this author are flagged.",
                    count,
                )
                % count,
            )

    @admin.action(description=_("Lift selected bans"), permissions=["change"])
    def lift(self, request: HttpRequest, queryset: QuerySet[Ban]) -> None:
        for ban in queryset.active():
            decisions.lift_ban(ban)


@admin.register(CommentStatusChange)
class CommentStatusChangeAdmin(IndexedSearchMixin, admin.ModelAdmin):
    """The moderation log, read-only for everyone."""

    list_display = [
        "created_at",
        "comment_link",
        "from_status",
        "to_status",
        "actor_name",
        "rule_name",
        "reason",
        "action",
    ]
    # No "rule" filter and no date hierarchy: both list distinct values of the whole log.
    list_filter = ["action", "to_status", "from_status", "created_at"]
    # Read by search_condition, which searches indexed columns only.
    search_fields = ["rule", "actor_name"]
    search_help_text = _(
        "A rule's name, such as “blocked words”, or the start of a moderator's user name "
        "(case matters). To find a reader's comments, search the comment list."
    )
    ordering = ["-created_at", "-pk"]
    paginator = BoundedPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommentStatusChange]:
        # The first characters of the comment, not the whole comment row, per entry; the
        # entry's own copy of a redacted text stays in the database too.
        return (
            super()
            .get_queryset(request)
            .defer("original_body")
            .annotate(comment_head=Substr("comment__body", 1, EXCERPT_CHARS))
        )

    def search_condition(self, request: HttpRequest, term: str) -> Q:
        # A rule uses log_rule_idx and a name prefix log_actor_idx; substrings of the
        # reason or of the reader's name would read the whole log and every comment it
        # joins. A rule may be typed as the comment list's rule filter shows it.
        readable = " ".join(term.lower().split())
        names = {str(label): rule for rule, label in RULE_LABELS.items()}
        rule = names.get(readable, readable.replace(" ", "_"))
        return Q(rule=rule) | Q(actor_name__startswith=term)

    @admin.display(description=_("rule"), ordering="rule")
    def rule_name(self, obj: CommentStatusChange) -> str:
        return rule_label(obj.rule) if obj.rule else ""

    @admin.display(description=_("comment"))
    def comment_link(self, obj: CommentStatusChange) -> str:
        url = reverse("admin:newsroom_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(obj.comment_head).chars(80))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: CommentStatusChange | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: CommentStatusChange | None = None
    ) -> bool:
        return False
