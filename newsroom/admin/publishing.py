"""The editors' admin: sections, authors, articles (on the Publishable base admin) and tags.

``PublishableAdmin`` and its form are the base other kinds' admins (quick quotes) build on.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.forms import MergeTagsForm
from taggit.models import Tag

from .. import hints, rendering, revisions, search, tagging
from ..models import Article, Author, Comment, ItemNote, Publishable, Revision, Section
from ..pagecache import Fragments
from ..views.articles import render_article
from . import counting
from .concurrency import ConcurrentEditsForm, who
from .counting import BoundedCount, BoundedPaginator
from .drafts import DraftChangesForm, DraftChangesMixin, UnpublishedChangesFilter
from .frontpage import FrontPagePinInline
from .images import preview_html
from .notes import ItemNoteInline, save_notes
from .presence import PresenceMixin
from .review import ReviewMixin
from .revisions import RevisionsMixin
from .shared import URL_FIELDS, IndexedSearchMixin

if TYPE_CHECKING:
    from ..models import PublishableQuerySet

Fieldsets = list[tuple[str | None, dict[str, Any]]]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "in_menu", "menu_order"]
    list_editable = ["in_menu", "menu_order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user", "photo"]


class VisibilityFilter(admin.SimpleListFilter):
    title = _("visibility")
    parameter_name = "visibility"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("published", _("Live")),
            ("scheduled", _("Scheduled")),
            ("expired", _("Expired")),
            ("draft", _("Draft")),
        ]

    def queryset(self, request: HttpRequest, queryset: PublishableQuerySet) -> PublishableQuerySet:
        if self.value() == "published":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "expired":
            return queryset.expired()
        if self.value() == "draft":
            return queryset.drafts()
        return queryset


class HintsFilter(admin.SimpleListFilter):
    """Items an editor should look at (``newsroom.hints``): on an index of those alone."""

    title = _("hints for editors")
    parameter_name = "hint"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("any", _("Any hint")), *hints.LABELS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value != "any" and value not in hints.LABELS:
            return queryset
        # Written as the index's condition, so that the planner takes it.
        with_hints = queryset.exclude(hints="")
        return with_hints if value == "any" else with_hints.filter(hints__contains=f" {value} ")


class PublicationYearFilter(admin.SimpleListFilter):
    """The year an item was (or is to be) published, from the first year to the last.

    It stands where Django's date hierarchy would: that one lists the years by a DISTINCT
    over every row's date, a scan of the archive on each view of the list. The years here
    come from the first and last publication times (two index lookups); a year is a range
    on the indexed time.
    """

    title = _("year published")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        dated = model_admin.model.objects.exclude(published_at=None).order_by("published_at")
        times = dated.values_list("published_at", flat=True)
        first, last = times.first(), times.last()
        if first is None or last is None:
            return []
        zone = timezone.get_current_timezone()
        years = range(last.astimezone(zone).year, first.astimezone(zone).year - 1, -1)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not (value and value.isascii() and value.isdigit() and 1 <= int(value[:5]) < 9999):
            return queryset
        zone = timezone.get_current_timezone()
        year = int(value)
        start = datetime(year, 1, 1, tzinfo=zone)
        return queryset.filter(
            published_at__gte=start, published_at__lt=start.replace(year=year + 1)
        )


class PublishableForm(DraftChangesForm, ConcurrentEditsForm):
    """Renders the body while validating: a body the renderer refuses is the body's error.
    A save made after someone else's is merged with it (see ``ConcurrentEditsForm``)."""

    body_html: str | None = None

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            self.body_html = rendering.render_markdown(body)
        except rendering.MarkdownRefused as refused:
            raise forms.ValidationError(str(refused), code=refused.code) from None
        return body


class PublishableAdmin(
    ReviewMixin,
    DraftChangesMixin,
    PresenceMixin,
    RevisionsMixin,
    IndexedSearchMixin,
    admin.ModelAdmin,
):
    """What the Article and QuickQuote admins share: list, filters, publishing actions,
    reporters and review (``review.py``), draft changes to live items (``drafts.py``),
    revisions (each save records one; the history page lists them) and the change form's
    notice of who else has the item open."""

    form = PublishableForm
    change_form_template = "admin/newsroom/publishable/change_form.html"
    formfield_overrides = URL_FIELDS
    list_display = [
        "title",
        "section",
        "visibility",
        "has_draft",
        "published_at",
        "is_breaking",
        "updated_at",
        "image_alt_flag",
    ]
    list_filter = [
        VisibilityFilter,
        UnpublishedChangesFilter,
        HintsFilter,
        "status",
        "section",
        "is_breaking",
        "published_at",
        PublicationYearFilter,
    ]
    list_select_related = ["section", "featured_image"]
    # Read by search_condition: these match exactly, the text through the search index.
    search_fields = ["slug", "source_path"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["section", "authors"]
    raw_id_fields = ["featured_image"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "source_path",
        "source_hash",
        "source_extra",
        "featured_image_preview",
    ]
    actions = ["publish", "unpublish"]
    inlines = [ItemNoteInline, FrontPagePinInline]
    save_on_top = True
    # Never COUNT(*) the whole table: counts stop at NEWSROOM_ADMIN_EXACT_COUNT_LIMIT.
    paginator = BoundedPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    class Media:
        css = {"all": ["newsroom/admin.css"]}  # the list's "No alt text" flag, among others

    content_fieldset = (
        None,
        {"fields": ["title", "slug", "section", "authors", "tags", "description"]},
    )
    publishing_fieldset = (
        _("Publishing"),
        {
            "fields": [
                "status",
                "published_at",
                "expires_at",
                "is_breaking",
                "review_status",
                "created_at",
                "updated_at",
            ]
        },
    )
    image_fieldset = (
        _("Featured image"),
        {"fields": ["featured_image", "featured_image_preview"]},
    )
    provenance_fieldset = (
        _("Provenance"),
        {
            "classes": ["collapse"],
            "fields": ["source_path", "source_hash", "source_extra"],
        },
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Publishable]:
        # The list shows no body: leave the largest columns in the database.
        return super().get_queryset(request).defer("body", "body_html", "source_extra")

    def search_condition(self, request: HttpRequest, term: str) -> Q:
        # The words go through the search index (drafts and scheduled items too), a pasted
        # slug or source file through its own index. The list keeps its order: newest
        # first, not by rank.
        exact = Q.create([(name, term) for name in self.get_search_fields(request)], "OR")
        return search.matches(self.model, term) | exact

    @property
    def search_help_text(self) -> str:
        def names(fields: list[str]) -> str:
            labels = [str(self.model._meta.get_field(name).verbose_name) for name in fields]
            return str(get_text_list(labels, gettext("or")))

        return gettext(
            "Whole words, all of them, in the %(indexed)s, in any order (drafts and "
            "scheduled items too); or an exact %(exact)s."
        ) % {
            "indexed": names(search.indexed_fields(self.model)),
            "exact": names(self.search_fields),
        }

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Publishable | None:
        """The item; for a form posted back (the change view runs in a transaction), with
        its row locked until the save is done: two saves cannot both pass the form's check
        for another save in between (``ConcurrentEditsForm``)."""
        if request.method != "POST" or not transaction.get_connection().in_atomic_block:
            return super().get_object(request, object_id, from_field)
        queryset = self.get_queryset(request).select_for_update(of=("self",))
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    def save_model(
        self, request: HttpRequest, obj: Publishable, form: PublishableForm, change: bool
    ) -> None:
        if change and self._drafting(request, obj):
            self.save_draft(request, obj, form)
            return
        obj.draft_revision = None  # what the form holds is what readers see from now on
        # The form rendered the body already; rendering it again could take as long.
        obj.save(body_html=getattr(form, "body_html", None))
        theirs, paragraphs = form.merged_labels()
        if form.other_revision is not None and (theirs or paragraphs):
            parts = []
            if theirs:
                parts.append(
                    _("their changes to %(fields)s are kept")
                    % {"fields": get_text_list(theirs, gettext("and"))}
                )
            if paragraphs:
                parts.append(
                    _("the paragraphs each of you changed in %(fields)s are merged")
                    % {"fields": get_text_list(paragraphs, gettext("and"))}
                )
            self.message_user(
                request,
                _("%(who)s saved this item after you opened it. Your changes are saved; %(what)s.")
                % {"who": who(form.other_revision), "what": "; ".join(parts)},
                messages.INFO,
            )
        for code in obj.hints.split():
            self.message_user(
                request,
                _("“%(title)s”: %(hint)s") % {"title": obj.title, "hint": hints.MESSAGES[code]},
                messages.WARNING,
            )
        if obj.featured_image and not obj.featured_image.alt_text.strip():
            url = reverse("admin:newsroom_image_change", args=[obj.featured_image.pk])
            self.message_user(
                request,
                format_html(
                    _(
                        "“{}” has a featured image without alt text: readers who cannot see "
                        'it are told nothing. Describe the image in its <a href="{}">alt '
                        "text</a> in the image library."
                    ),
                    obj.title,
                    url,
                ),
                messages.WARNING,
            )

    def save_formset(
        self, request: HttpRequest, form: PublishableForm, formset: Any, change: bool
    ) -> None:
        if formset.model is ItemNote:
            save_notes(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """An item with corrections or updates is not deleted: they are kept for good, and
        the admin lists them as what stands in the way (as it does protected objects)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        content_type = ContentType.objects.get_for_model(self.model)
        notes = ItemNote.objects.filter(
            content_type=content_type, object_id__in=[obj.pk for obj in objs]
        )
        return deleted, counts, perms_needed, [*protected, *map(str, notes)]

    def save_related(
        self, request: HttpRequest, form: PublishableForm, formsets: Any, change: bool
    ) -> None:
        if getattr(form.instance, "_saved_draft", None) is not None:
            self.save_draft_related(request, form, formsets)
            return
        # The revision is recorded here, once the bylines and tags are saved too.
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, via=Revision.Via.FORM, user=request.user)

    @admin.display(description=_("preview"))
    def featured_image_preview(self, obj: Publishable) -> str:
        image = obj.featured_image if obj.pk else None
        if image is None or image.alt_text.strip():
            return preview_html(image)
        flag = format_html('<strong class="missing-alt">{}</strong>', gettext("No alt text"))
        return format_html("{}<br>{}", preview_html(image), flag)

    @admin.display(description=_("featured image"))
    def image_alt_flag(self, obj: Publishable) -> str:
        if obj.featured_image is None:
            return ""
        if obj.featured_image.alt_text.strip():
            return gettext("Yes")
        return format_html('<strong class="missing-alt">{}</strong>', gettext("No alt text"))

    @admin.display(description=_("visibility"), ordering="status")
    def visibility(self, obj: Publishable) -> str:
        if obj.is_scheduled:
            return _("Scheduled")
        if obj.is_expired:
            return _("Expired")
        if obj.is_published:
            return _("Live")
        return _("Draft")

    @admin.action(description=_("Publish selected items"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Publishable]) -> None:
        count = self._set_status(request, queryset, Publishable.Status.PUBLISHED)
        message = ngettext("Published %d item.", "Published %d items.", count) % count
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(
        description=_("Unpublish selected items (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Publishable]) -> None:
        count = self._set_status(request, queryset, Publishable.Status.DRAFT)
        message = ngettext("Unpublished %d item.", "Unpublished %d items.", count) % count
        self.message_user(request, message, messages.SUCCESS)

    # Items an action saves together, with their revisions: a bounded number in memory.
    action_chunk_size = 500

    def _set_status(
        self, request: HttpRequest, queryset: QuerySet[Publishable], status: str
    ) -> int:
        """Give the selected items ``status``, one save each (so each sends its signals and
        keeps its body's rendering) and a revision each; a first publication is stamped now."""
        now = timezone.now()
        ids = list(queryset.exclude(status=status).values_list("pk", flat=True))
        for start in range(0, len(ids), self.action_chunk_size):
            # Read whole (the list's queryset leaves the body out), with what a revision
            # keeps: a fixed number of queries per chunk, however many items it holds.
            items = list(
                self.model._default_manager.filter(
                    pk__in=ids[start : start + self.action_chunk_size]
                )
                .select_related("section")
                .prefetch_related("authors", "tags")
                .defer("body_html", "source_extra")
            )
            with transaction.atomic():
                for item in items:
                    item.status = status
                    if status == Publishable.Status.PUBLISHED:
                        item.published_at = item.published_at or now
                    else:
                        # Unpublished: its draft of changes is no longer pending (it stays
                        # in the history); the next save starts from what the item says.
                        item.draft_revision = None
                    item.save(update_fields=["status", "draft_revision"])
                revisions.save_all(
                    [
                        revisions.build(item, via=Revision.Via.ACTION, user=request.user)
                        for item in items
                    ]
                )
        return len(ids)


def _count_comments(**filters: Any) -> BoundedCount:
    # Per shown row (the changelist evaluates one page), through comment_article_idx, and
    # stopping past the threshold: a thread of 100,000 comments costs what one of 10,000 does.
    rows = Comment.objects.filter(article=OuterRef("pk"), **filters).order_by().values("pk")
    return BoundedCount(Subquery(rows[: counting.threshold() + 1]))


@admin.register(Article)
class ArticleAdmin(PublishableAdmin):
    list_display = [*PublishableAdmin.list_display, "comment_count", "pending_count"]
    list_filter = [*PublishableAdmin.list_filter, "comment_mode"]
    readonly_fields = [*PublishableAdmin.readonly_fields, "comment_summary"]

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> Fieldsets:
        return [
            self.content_fieldset,
            (None, {"fields": ["dateline", "body"]}),
            self.publishing_fieldset,
            self.image_fieldset,
            (_("Comments"), {"fields": ["comment_mode", "discussion_policy", "comment_summary"]}),
            self.provenance_fieldset,
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
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

    def render_preview(self, request: HttpRequest, obj: Article) -> HttpResponse:
        # Nothing read from or kept in the shared cache: the draft is not what readers
        # see, and its slug may be another item's by now.
        return render_article(request, obj, preview=True, fragments=Fragments(obj.slug, {}))

    # Not sortable: sorting by a count would count the comments of every article, where
    # the list counts those of its page's rows only (the subqueries run per shown row).
    @admin.display(description=_("comments"))
    def comment_summary(self, obj: Article) -> str:
        if obj.pk is None:
            return "—"
        # Bounded counts over comment_article_idx, not the whole thread of a busy article.
        comments = Comment.objects.filter(article=obj)
        url = reverse("admin:newsroom_comment_changelist")
        return format_html(
            '<a href="{}?article__id__exact={}&amp;status=all">{}</a>',
            url,
            obj.pk,
            _("%(total)s comments, %(pending)s pending")
            % {
                "total": counting.bounded_count(comments),
                "pending": counting.bounded_count(comments.awaiting_moderation()),
            },
        )

    @admin.display(description=_("comments"))
    def comment_count(self, obj: Article) -> int:
        return counting.at_most(obj.comment_total)

    @admin.display(description=_("pending"))
    def pending_count(self, obj: Article) -> int:
        return counting.at_most(obj.comment_pending)


# taggit's tag admin lets any staff user open its merge page; ours asks for the permission.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    """Tags, with merging for those who may change tags, and only of tags that exist."""

    @admin.action(description=_("Merge selected tags"), permissions=["change"])
    def render_tag_form(self, request: HttpRequest, queryset: QuerySet[Tag]) -> HttpResponse:
        return super().render_tag_form(request, queryset)

    def merge_tags_view(self, request: HttpRequest) -> HttpResponse:
        """taggit's page for the new tag's name; the merge itself is ours
        (``newsroom.tagging``): a few statements rather than two per tagged item, and a
        revision for each item whose tags it changes."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        chosen = request.session.get("selected_tag_ids", "").split(",")
        existing = list(Tag.objects.filter(pk__in=[i for i in chosen if i.isdigit()]))
        if not existing:
            self.message_user(request, _("Choose the tags to merge first."), messages.WARNING)
            return redirect("admin:taggit_tag_changelist")
        request.session["selected_tag_ids"] = ",".join(str(tag.pk) for tag in existing)
        if request.method != "POST":
            return super().merge_tags_view(request)
        form = MergeTagsForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("Give the name of the tag to merge into."), messages.ERROR)
            return redirect("admin:taggit_tag_merge_tags")
        count = tagging.merge_tags(existing, form.cleaned_data["new_tag_name"], user=request.user)
        request.session.pop("selected_tag_ids", None)
        self.message_user(
            request,
            ngettext(
                "The tags are merged: %(count)d item changed.",
                "The tags are merged: %(count)d items changed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return redirect("admin:taggit_tag_changelist")
