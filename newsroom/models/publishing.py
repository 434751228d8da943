"""What editors publish: sections, authors, the Publishable base and articles.

Who may see an item lives on ``PublishableQuerySet`` (``published()``, ``visible_to()``):
an item is shown from its publication time until its expiry time, decided at query time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .. import hints
from ..rendering import render_markdown

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from taggit.models import Tag


class Section(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    in_menu = models.BooleanField(
        _("in the menu"),
        default=False,
        help_text=_(
            "Listed in every page's section menu and on the front page, with its latest items."
        ),
    )
    menu_order = models.PositiveSmallIntegerField(
        _("menu order"), default=0, help_text=_("Lower numbers come first in the menu.")
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    bio = models.TextField(_("biography"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsroom_author",
        help_text=_("The staff account of this author, if they have one."),
    )
    photo = models.ForeignKey(
        "newsroom.Image",
        verbose_name=_("photo"),
        on_delete=models.PROTECT,  # as an item's featured image: an image in use stays
        null=True,
        blank=True,
        related_name="+",
        help_text=_("From the image library; shown on the author's page."),
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PublishableQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None) -> PublishableQuerySet:
        """Items readers may see: published, with a publication time that has come and no
        expiry time that has. No cron job: the times are compared in every query."""
        now = now or timezone.now()
        return self.filter(status=Publishable.Status.PUBLISHED, published_at__lte=now).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def expired(self, now: datetime | None = None) -> PublishableQuerySet:
        """Published items whose expiry time has passed: gone for readers (410)."""
        return self.filter(
            status=Publishable.Status.PUBLISHED, expires_at__lte=now or timezone.now()
        )

    def scheduled(self, now: datetime | None = None) -> PublishableQuerySet:
        return self.filter(
            status=Publishable.Status.PUBLISHED, published_at__gt=now or timezone.now()
        )

    def drafts(self) -> PublishableQuerySet:
        return self.filter(status=Publishable.Status.DRAFT)

    def breaking(self, now: datetime | None = None) -> PublishableQuerySet:
        return self.published(now).filter(is_breaking=True)

    def tagged(self, tag: Tag) -> PublishableQuerySet:
        """Items carrying ``tag``, as a semi-join on taggit's (content type, object, tag)
        index. The planner can then walk the newest items and stop after a page when the tag
        is common; a join through the tag's slug hides how common it is, and the id cast of
        taggit's generic relation keeps that walk from using the index."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=models.OuterRef("pk"),
            tag=tag,
        )
        return self.filter(models.Exists(tagged))

    def visible_to(self, user: AbstractBaseUser | AnonymousUser | None) -> PublishableQuerySet:
        """Staff preview drafts, scheduled and expired items; everyone else sees what is
        published."""
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published()

    def for_listing(self) -> PublishableQuerySet:
        """Everything a list of items shows (section, bylines, the featured image with its
        renditions) in a fixed number of queries.

        Tags are left out: lists do not show them, and taggit's prefetch builds a queryset
        per item. Feeds attach them with ``tag_names()``.
        """
        return self.select_related("section", "featured_image").prefetch_related(
            "authors", "featured_image__renditions"
        )

    def for_page(self) -> PublishableQuerySet:
        """Everything an item's own page shows, tags and the featured image's renditions
        included."""
        return self.for_listing().prefetch_related("tags")


class Publishable(models.Model):
    """What articles and quick quotes share: text, bylines, image, publishing and provenance."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, help_text=_("The last part of the item's URL.")
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss",
    )
    authors = models.ManyToManyField(
        Author, verbose_name=_("bylines"), blank=True, related_name="%(class)ss"
    )
    tags = TaggableManager(_("tags"), blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("A sentence or two for listings and search.")
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    body_html = models.TextField(_("body (HTML)"), blank=True, editable=False)

    featured_image = models.ForeignKey(
        "newsroom.Image",
        verbose_name=_("featured image"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("From the image library; its alt text, caption and credit are shown with it."),
    )

    is_breaking = models.BooleanField(
        _("breaking news"), default=False, help_text=_("Shown first, with a banner.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_(
            "A future time schedules the item: readers see it from then on. "
            "Left empty, publishing sets it to now."
        ),
    )
    expires_at = models.DateTimeField(
        _("expiry time"),
        null=True,
        blank=True,
        help_text=_(
            "From this time on readers no longer see the item: it leaves the listings, "
            "feeds, search and sitemaps, and its address answers “gone” (410). "
            "Left empty, it stays up."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last modified"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Who added the item in the admin: a reporter may change only their own."),
    )
    submitted_at = models.DateTimeField(
        _("submitted for review"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set while the draft waits in the editors' review list."),
    )
    draft_revision = models.ForeignKey(
        "newsroom.Revision",
        verbose_name=_("unpublished changes"),
        on_delete=models.PROTECT,  # revisions are kept for good anyway
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # the partial index below
        help_text=_(
            "Changes saved as a draft of the live item: readers see the item as it was "
            "published until an editor publishes them."
        ),
    )
    hints = models.CharField(
        _("hints for editors"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_(
            "What a reader would find odd (a title all in lower case, a description that "
            "repeats the quote): found at each save, see newsroom.hints."
        ),
    )
    last_note_at = models.DateTimeField(
        _("latest correction or update"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The date of the newest note readers see (kept by the notes themselves)."),
    )

    source_path = models.CharField(
        _("source file"),
        max_length=500,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("The archive file this item was imported from."),
    )
    source_hash = models.CharField(
        _("source content hash"), max_length=64, blank=True, editable=False
    )
    imported_at = models.DateTimeField(
        _("imported"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the importer last wrote this item; a later change is an editor's."),
    )
    source_extra = models.JSONField(
        _("other source fields"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Fields of the source file that have no column here, kept as they were."),
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        # "publish": publish, unpublish, schedule and approve; without it (a reporter) only
        # one's own drafts are changed (newsroom.admin.review).
        default_permissions = ("add", "change", "delete", "view", "publish")
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        indexes = [
            # What readers see, newest first; with the id, a window of it (a sitemap part) is
            # found from the index alone, and with the expiry time, so is whether it is shown.
            models.Index(
                fields=["status", "published_at", "id", "expires_at"],
                name="%(app_label)s_%(class)s_pub_idx",
            ),
            # The next expiry, which cached listings must not outlive; few items have one.
            models.Index(
                fields=["expires_at"],
                condition=models.Q(expires_at__isnull=False),
                name="%(app_label)s_%(class)s_exp_idx",
            ),
            models.Index(
                fields=["is_breaking", "published_at"], name="%(app_label)s_%(class)s_brk_idx"
            ),
            # The admin list's order, newest first over every status.
            models.Index(fields=["published_at", "id"], name="%(app_label)s_%(class)s_ls_idx"),
            # The sitemap index's lastmod: the newest change, found without a scan.
            models.Index(fields=["updated_at"], name="%(app_label)s_%(class)s_upd_idx"),
            # The editors' review list: the few drafts waiting, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(submitted_at__isnull=False),
                name="%(app_label)s_%(class)s_rev_idx",
            ),
            # The admin list's hints filter: the items that have one.
            models.Index(
                fields=["published_at", "id"],
                condition=~models.Q(hints=""),
                name="%(app_label)s_%(class)s_hnt_idx",
            ),
            # The admin list's "unpublished changes" filter: the few items with a draft.
            models.Index(
                fields=["draft_revision"],
                condition=models.Q(draft_revision__isnull=False),
                name="%(app_label)s_%(class)s_drf_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(
        self, *args: Any, touch: bool = True, body_html: str | None = None, **kwargs: Any
    ) -> None:
        """Render the body once, here, and stamp the modification time.

        ``touch=False`` keeps ``updated_at`` as set by the caller (the importer sets it from
        the source's own last-modified date). ``body_html`` is the body as
        ``render_markdown()`` rendered it already (the importer renders in a worker).
        """
        update_fields = kwargs.get("update_fields")
        # A save that leaves the body alone (publishing, say) keeps its rendering.
        renders = update_fields is None or "body" in update_fields
        if renders:
            self.body_html = render_markdown(self.body) if body_html is None else body_html
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if touch:
            self.updated_at = timezone.now()
        # Hints follow the words they are about; a save of other fields leaves them.
        hinted = update_fields is None or not hints.SOURCES.isdisjoint(update_fields)
        if hinted:
            self.hints = hints.stored(hints.hints_for(self))
        if update_fields is not None:
            extra = ({"body_html"} if renders else set()) | ({"hints"} if hinted else set())
            kwargs["update_fields"] = {*update_fields, *extra, "updated_at", "published_at"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.expires_at is None:
            return
        # Left empty, the publication time becomes the time of publishing: now.
        publication = self.published_at or timezone.now()
        if self.expires_at <= publication:
            raise ValidationError(
                {
                    "expires_at": ValidationError(
                        _(
                            "The expiry time must be after the publication time "
                            "(%(publication)s): readers would never see the item."
                        ),
                        code="expires_before_publication",
                        params={
                            "publication": timezone.localtime(publication).strftime(
                                "%Y-%m-%d %H:%M"
                            )
                        },
                    )
                }
            )

    @property
    def image_src(self) -> str:
        """The featured image's social card (1200×630) URL, or its source URL while it is
        still to be fetched; "" without one."""
        from ..images.renditions import card_url

        image = self.featured_image
        if image is None:
            return ""
        cache = getattr(image, "_prefetched_objects_cache", {})
        return card_url(image, cache.get("renditions"))

    @property
    def modified_at(self) -> datetime:
        """The modification time readers are shown: the last change, or the newest
        correction or update if that is later."""
        if self.last_note_at is not None and self.last_note_at > self.updated_at:
            return self.last_note_at
        return self.updated_at

    @property
    def is_published(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def is_expired(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )


class Article(Publishable):
    class CommentMode(models.TextChoices):
        OPEN = "open", _("Open: the moderation policy decides")
        PREMODERATED = "premoderated", _("Pre-moderated: every comment waits for a moderator")
        CLOSED = "closed", _("Closed: no new comments")

    dateline = models.CharField(
        _("dateline"), max_length=200, blank=True, help_text=_("For example “BAKU”.")
    )
    comment_mode = models.CharField(
        _("comments"), max_length=20, choices=CommentMode.choices, default=CommentMode.OPEN
    )
    discussion_policy = models.TextField(
        _("discussion policy"),
        blank=True,
        help_text=_("Shown above the comments of this article. Empty: the site's policy."),
    )

    class Meta(Publishable.Meta):
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def get_absolute_url(self) -> str:
        return reverse("newsroom:article_detail", kwargs={"slug": self.slug})
