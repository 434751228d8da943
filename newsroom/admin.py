"""Admin screens: content editing for editors and the moderation queue for moderators."""

from __future__ import annotations

import contextlib
import ipaddress
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from . import rendering
from .discussion import decisions, posting
from .discussion.policy import RULE_STATUS
from .models import Article, Author, Ban, Comment, CommentStatusChange, Publishable, Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


class VisibilityFilter(admin.SimpleListFilter):
    title = _("visibility")
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [
            ("published", _("Live")),
            ("scheduled", _("Scheduled")),
            ("draft", _("Draft")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "published":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "draft":
            return queryset.drafts()
        return queryset


# Links typed without a scheme are taken as https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class PublishableForm(forms.ModelForm):
    """Renders the body while validating: a body the renderer refuses is the body's error."""

    body_html: str | None = None

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            self.body_html = rendering.render_markdown(body)
        except rendering.MarkdownRefused as refused:
            raise forms.ValidationError(str(refused), code=refused.code) from None
        return body


class PublishableAdmin(admin.ModelAdmin):
    """What the Article and QuickQuote admins share: list, filters and publishing actions."""

    form = PublishableForm
    formfield_overrides = URL_FIELDS
    list_display = ["title", "section", "visibility", "published_at", "is_breaking", "updated_at"]
    list_filter = [VisibilityFilter, "status", "section", "is_breaking", "published_at"]
    list_select_related = ["section"]
    search_fields = ["title", "description", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section", "authors"]
    readonly_fields = ["created_at", "updated_at", "source_path", "source_hash", "source_extra"]
    actions = ["publish", "unpublish"]
    save_on_top = True

    content_fieldset = (
        None,
        {"fields": ["title", "slug", "section", "authors", "tags", "description"]},
    )
    publishing_fieldset = (
        _("Publishing"),
        {"fields": ["status", "published_at", "is_breaking", "created_at", "updated_at"]},
    )
    image_fieldset = (
        _("Featured image"),
        {
            "fields": [
                "featured_image_url",
                "featured_image_alt",
                "featured_image_caption",
                "featured_image_credit",
            ]
        },
    )
    provenance_fieldset = (
        _("Provenance"),
        {
            "classes": ["collapse"],
            "fields": ["source_path", "source_hash", "source_extra"],
        },
    )

    def get_queryset(self, request):
        # The list shows no body: leave the largest columns in the database.
        return super().get_queryset(request).defer("body", "body_html", "source_extra")

    def save_model(self, request, obj, form, change):
        # The form rendered the body already; rendering it again could take as long.
        obj.save(body_html=getattr(form, "body_html", None))
        if obj.featured_image_url and not obj.featured_image_alt.strip():
            self.message_user(
                request,
                _(
                    "“%(title)s” has a featured image without alt text: readers who cannot "
                    "see it are told nothing. Describe the image in “featured image alt text”."
                )
                % {"title": obj.title},
                messages.WARNING,
            )

    @admin.display(description=_("visibility"), ordering="status")
    def visibility(self, obj: Publishable) -> str:
        if obj.is_scheduled:
            return _("Scheduled")
        if obj.is_published:
            return _("Live")
        return _("Draft")

    @admin.action(description=_("Publish selected items"), permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        count = 0
        for item in queryset.exclude(status=Publishable.Status.PUBLISHED):
            item.status = Publishable.Status.PUBLISHED
            item.published_at = item.published_at or now
            item.save(update_fields=["status"])
            count += 1
        self.message_user(
            request,
            ngettext("Published %d item.", "Published %d items.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected items (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for item in queryset.filter(status=Publishable.Status.PUBLISHED):
            item.status = Publishable.Status.DRAFT
            item.save(update_fields=["status"])
            count += 1
        self.message_user(
            request,
            ngettext("Unpublished %d item.", "Unpublished %d items.", count) % count,
            messages.SUCCESS,
        )


def _count_comments(**filters) -> Coalesce:
    counts = (
        Comment.objects.filter(article=OuterRef("pk"), **filters)
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts), 0)


@admin.register(Article)
class ArticleAdmin(PublishableAdmin):
    list_display = [*PublishableAdmin.list_display, "comment_count", "pending_count"]
    list_filter = [*PublishableAdmin.list_filter, "comment_mode"]
    search_fields = [*PublishableAdmin.search_fields, "dateline"]

    def get_fieldsets(self, request, obj=None):
        return [
            self.content_fieldset,
            (None, {"fields": ["dateline", "body"]}),
            self.publishing_fieldset,
            self.image_fieldset,
            (_("Comments"), {"fields": ["comment_mode", "discussion_policy"]}),
            self.provenance_fieldset,
        ]

    def get_queryset(self, request):
        # Subqueries rather than a join: the changelist's counts and date hierarchy then
        # leave the comments table alone.
        return (
            super()
            .get_queryset(request)
            .annotate(
                comment_total=_count_comments(),
                comment_pending=_count_comments(status=Comment.Status.PENDING),
            )
        )

    @admin.display(description=_("comments"), ordering="comment_total")
    def comment_count(self, obj: Article) -> int:
        return obj.comment_total

    @admin.display(description=_("pending"), ordering="comment_pending")
    def pending_count(self, obj: Article) -> int:
        return obj.comment_pending


class StatusChangeInline(admin.TabularInline):
    """The comment's history, read-only: the log is append-only."""

    model = CommentStatusChange
    fields = [
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor_name",
        "rule",
        "reason",
        "original_body",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RuleFilter(admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [(rule, rule.replace("_", " ")) for rule in RULE_STATUS]

    def queryset(self, request, queryset):
        if self.value() in RULE_STATUS:
            return queryset.filter(rules__contains=f" {self.value()} ")
        return queryset


def highlight(text: str, words: list[str]) -> str:
    """Escape the text and mark the words a rule matched."""
    escaped = escape(text)
    words = sorted({escape(w) for w in words if w}, key=len, reverse=True)
    if not words:
        return escaped
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308


class NeverDeleteMixin:
    """For records that are kept for good: no delete page, no bulk delete action."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RedactionForm(forms.Form):
    """The one thing a moderator writes when redacting: the reason readers are shown."""

    reason = forms.CharField(
        label=_("Reason shown to readers"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Readers see “This comment was removed by a moderator:” and this reason instead "
            "of the text. The original text stays in the comment's history."
        ),
        error_messages={"required": _("Give the reason for removing the comment.")},
    )


@admin.register(Comment)
class CommentAdmin(NeverDeleteMixin, admin.ModelAdmin):
    """The moderation queue: pending comments first, decided in bulk through the log.

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
    list_filter = [
        "status",
        RuleFilter,
        "kind",
        "submitted_at",
        ("article", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["article"]
    search_fields = ["author_name", "author_email", "body", "article__title"]
    date_hierarchy = "submitted_at"
    raw_id_fields = ["article", "parent", "user"]
    readonly_fields = [
        "highlighted_body",
        "submitted_at",
        "position",
        "ip_hash",
        "reasons",
        "decided_by",
        "decided_rule",
        "decided_at",
        "decision_reason",
    ]
    # The change page: the status is the only field its form has (the rest are shown).
    change_fields = [
        "status",
        "highlighted_body",
        "redaction",
        "author_name",
        "author_email",
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
        "decided_rule",
        "decided_at",
        "decision_reason",
    ]
    inlines = [StatusChangeInline]
    actions = ["approve", "reject", "mark_spam", "ban_authors"]

    def changelist_view(self, request, extra_context=None):
        counts = Comment.objects.aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in Comment.Status.values}
        )
        status_counts = [(value, label, counts[value]) for value, label in Comment.Status.choices]
        extra_context = {**(extra_context or {}), "status_counts": status_counts}
        return super().changelist_view(request, extra_context)

    def get_ordering(self, request):
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "-submitted_at", "-pk"]

    def has_moderate_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.moderate_{opts.model_name}")

    def has_redact_permission(self, request, obj: Comment | None = None) -> bool:
        return self.has_change_permission(request, obj) and self.has_moderate_permission(request)

    def has_add_permission(self, request) -> bool:
        # Comments are readers' words: nobody writes one here under a name of their
        # choosing. Staff comment on the site, as themselves.
        return False

    def get_fields(self, request, obj=None):
        return self.change_fields

    def get_readonly_fields(self, request, obj=None):
        readonly = [name for name in self.change_fields if name != "status"]
        # A status changes only through the decision functions, so it is logged.
        if not self.has_moderate_permission(request):
            readonly.append("status")
        return readonly

    @staticmethod
    def _evidence(obj: Comment) -> list[str]:
        return [
            r.get("evidence", "")
            for r in obj.moderation_reasons
            if isinstance(r, dict) and r.get("rule") in {"blocked_words", "moderation_words"}
        ]

    @admin.display(description=_("comment"))
    def comment_text(self, obj: Comment) -> str:
        return highlight(obj.excerpt, self._evidence(obj))

    @admin.display(description=_("comment as posted"))
    def highlighted_body(self, obj: Comment) -> str:
        if obj.is_redacted:
            return _("(Removed: the original text is in the history below.)")
        return highlight(obj.body, self._evidence(obj))

    @admin.display(description=_("redaction"))
    def redaction(self, obj: Comment) -> str:
        if not obj.is_redacted:
            return "—"
        return obj.text_for_readers

    @admin.display(description=_("reasons"))
    def reasons(self, obj: Comment) -> str:
        reasons = [r.get("message", "") for r in obj.moderation_reasons if isinstance(r, dict)]
        if obj.decision_reason and obj.decision_reason not in reasons:
            reasons.append(obj.decision_reason)
        return "; ".join(filter(None, reasons)) or "—"

    def save_model(self, request, obj, form, change):
        # The row is never saved from this form: its only field is the status, and the
        # decision function writes that (and the log entry) itself. Whatever else a POST
        # carries therefore cannot reach the database.
        if "status" in form.changed_data:
            decisions.decide(
                [obj], obj.status, actor=request.user, reason=_("Changed in the admin.")
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_redact"] = (
            obj is not None and not obj.is_redacted and self.has_redact_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_redact"
        redact = path(
            "<path:object_id>/redact/", self.admin_site.admin_view(self.redact_view), name=name
        )
        return [redact, *super().get_urls()]

    def redact_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ask for the reason, then redact the comment through the decision function.

        ``admin_view`` has checked staff login and CSRF; the permission is checked here,
        on the server, whatever the change page offered.
        """
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_redact_permission(request, comment):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[comment.pk]
        )
        if comment.is_redacted:
            self.message_user(request, _("This comment has been redacted already."))
            return redirect(change_url)
        form = RedactionForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                redacted = decisions.redact(comment, reason=reason, actor=request.user)
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                # False: another moderator redacted it since this page was opened.
                done = _("The comment's text is removed; readers see the reason instead.")
                self.message_user(
                    request,
                    done if redacted else _("This comment has been redacted already."),
                    messages.SUCCESS if redacted else messages.INFO,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Redact this comment"),
            "subtitle": None,
            "opts": self.opts,
            "original": comment,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/newsroom/comment/redact.html", context)

    def _decide(self, request, queryset, status: str, verb: str) -> None:
        changed = decisions.decide(queryset, status, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d comment %(verb)s.", "%(count)d comments %(verb)s.", len(changed))
            % {"count": len(changed), "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve(self, request, queryset):
        self._decide(request, queryset, Comment.Status.APPROVED, _("approved"))

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject(self, request, queryset):
        self._decide(request, queryset, Comment.Status.REJECTED, _("rejected"))

    @admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._decide(request, queryset, Comment.Status.SPAM, _("marked as spam"))

    @admin.action(
        description=_("Ban the authors of selected comments (email and client)"),
        permissions=["moderate"],
    )
    def ban_authors(self, request, queryset):
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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "kind", "value"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        value = obj.value.strip()
        if obj.kind == Ban.Kind.IP_HASH:
            # A typed address is hashed; a fingerprint copied from a comment is kept.
            with contextlib.suppress(ValueError):
                value = posting.hash_ip(str(ipaddress.ip_address(value)))
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
    def lift(self, request, queryset):
        for ban in queryset.active():
            decisions.lift_ban(ban)


@admin.register(CommentStatusChange)
class CommentStatusChangeAdmin(admin.ModelAdmin):
    """The moderation log, read-only for everyone."""

    list_display = [
        "created_at",
        "comment_link",
        "from_status",
        "to_status",
        "actor_name",
        "rule",
        "reason",
        "action",
    ]
    list_filter = ["action", "to_status", "from_status", "rule", "created_at"]
    list_select_related = ["comment"]
    search_fields = ["actor_name", "rule", "reason", "comment__author_name"]
    date_hierarchy = "created_at"

    @admin.display(description=_("comment"))
    def comment_link(self, obj: CommentStatusChange) -> str:
        url = reverse("admin:newsroom_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">{}</a>', url, obj.comment.excerpt)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# taggit's tag admin lets any staff user open its merge page; ours asks for the permission.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    """Tags, with merging for those who may change tags, and only of tags that exist."""

    @admin.action(description=_("Merge selected tags"), permissions=["change"])
    def render_tag_form(self, request, queryset):
        return super().render_tag_form(request, queryset)

    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        chosen = request.session.get("selected_tag_ids", "").split(",")
        existing = Tag.objects.filter(pk__in=[i for i in chosen if i.isdigit()])
        ids = [str(pk) for pk in existing.values_list("pk", flat=True)]
        if not ids:
            self.message_user(request, _("Choose the tags to merge first."), messages.WARNING)
            return redirect("admin:taggit_tag_changelist")
        request.session["selected_tag_ids"] = ",".join(ids)
        return super().merge_tags_view(request)
