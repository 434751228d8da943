"""What readers write and what moderators decide: comments, the moderation log and bans.

Comments, log entries and bans are kept for good: their deletion raises ``DeletionRefused``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Func
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..rendering import safe_url
from .publishing import Article


class ReadingPosition(Func):
    """Where a comment sits among those submitted at the same time: its original position
    (imported comments share timestamps), 0 for comments posted here.

    The 0 is written into the SQL, not passed as a parameter, so that a query ordered by
    this expression matches the same expression in ``comment_thread_idx`` on every database.
    """

    template = "COALESCE(%(expressions)s, 0)"
    output_field = models.PositiveIntegerField()

    def __init__(self) -> None:
        super().__init__(F("position"))


class DeletionRefused(Exception):
    """Comments and their history are never deleted: change a comment's status instead."""


class CommentQuerySet(models.QuerySet):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.APPROVED)

    def shown(self) -> CommentQuerySet:
        """What readers see: approved comments, and reported ones while they wait for a
        moderator if ``NEWSROOM_REPORTED_COMMENTS_SHOWN`` says so."""
        return self.filter(status__in=Comment.shown_statuses())

    def awaiting_moderation(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.PENDING)

    def comments(self) -> CommentQuerySet:
        return self.filter(kind=Comment.Kind.COMMENT)

    def pings(self) -> CommentQuerySet:
        return self.exclude(kind=Comment.Kind.COMMENT)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused(DeletionRefused.__doc__)

    delete.queryset_only = True  # type: ignore[attr-defined]


class Comment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        PINGBACK = "pingback", _("Pingback")
        TRACKBACK = "trackback", _("Trackback")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")
        # Approved, then reported by enough readers: back in the queue for a moderator.
        REPORTED = "reported", _("Reported")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    author_name = models.CharField(_("name"), max_length=100)
    author_email = models.EmailField(_("email"), blank=True)
    author_url = models.URLField(_("website"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsroom_comments",
    )
    body = models.TextField(_("comment"), help_text=_("Plain text."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    time_known = models.BooleanField(
        _("time known"),
        default=True,
        help_text=_(
            "Off for an imported comment whose source gave no time: it is then ordered by "
            "its article's time and its position, and pages show no time for it."
        ),
    )
    position = models.PositiveIntegerField(
        _("original position"),
        null=True,
        blank=True,
        help_text=_("Its number on the old site, for imported comments."),
    )
    ip_hash = models.CharField(
        _("client fingerprint"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A keyed hash of the poster's IP address; the address itself is not kept."),
    )
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Article, author and text hashed: the same comment is not stored twice."),
    )
    rules = models.CharField(
        _("rules"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("The policy rules that fired, space-separated, for filtering the queue."),
    )
    moderation_reasons = models.JSONField(
        _("moderation reasons"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("What the moderation policy found, rule by rule."),
    )
    email_confirmed = models.BooleanField(
        _("address confirmed"),
        default=False,
        editable=False,
        help_text=_(
            "The poster proved the email address is theirs (a confirmation link followed "
            "in this browser): only then does the known-author rule trust it."
        ),
    )
    notify_replies = models.BooleanField(
        _("email replies"),
        default=False,
        editable=False,
        help_text=_("Replies are emailed to the poster's confirmed address, until unsubscribed."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decided_rule = models.CharField(
        _("decided by rule"), max_length=100, blank=True, editable=False
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("reason"), blank=True, editable=False)
    redacted_at = models.DateTimeField(
        _("redacted"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a moderator removed the text; the moderation log keeps the original."),
    )
    redacted_reason = models.TextField(
        _("why the text was removed"),
        blank=True,
        editable=False,
        help_text=_("Shown to readers in place of the comment."),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["submitted_at", "pk"]
        permissions = [("moderate_comment", _("Can moderate comments"))]
        indexes = [
            models.Index(fields=["article", "status", "submitted_at"], name="comment_article_idx"),
            # A comment page: its counts, and its top level in reading order (the order of
            # ``views.comment_pages``), read from the index alone, however long the thread.
            models.Index(
                F("article"),
                F("status"),
                F("kind"),
                F("submitted_at"),
                ReadingPosition(),
                F("id"),
                # After the order: "top level only" filters without breaking it, and the
                # expression's column is there for an index-only scan.
                F("parent"),
                F("position"),
                name="comment_thread_idx",
            ),
            models.Index(fields=["status", "submitted_at"], name="comment_queue_idx"),
            models.Index(fields=["author_email", "status"], name="comment_author_idx"),
            models.Index(fields=["ip_hash", "status"], name="comment_client_idx"),
            # The admin queue: newest first over all statuses, and its name-prefix search
            # (the pattern operator class lets LIKE 'prefix%' use it on PostgreSQL).
            models.Index(fields=["submitted_at", "id"], name="comment_submitted_idx"),
            models.Index(
                fields=["author_name"], name="comment_name_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "fingerprint"],
                condition=~models.Q(fingerprint=""),
                name="comment_unique_fingerprint",
            )
        ]

    def __str__(self) -> str:
        return _("%(name)s on %(article)s") % {"name": self.author_name, "article": self.article}

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @staticmethod
    def shown_statuses() -> list[str]:
        from .. import conf

        if conf.get("REPORTED_COMMENTS_SHOWN"):
            return [Comment.Status.APPROVED, Comment.Status.REPORTED]
        return [Comment.Status.APPROVED]

    @property
    def website(self) -> str:
        """The author's URL, if it is safe to link to."""
        return safe_url(self.author_url)

    @property
    def is_redacted(self) -> bool:
        return self.redacted_at is not None

    @property
    def text_for_readers(self) -> str:
        """The comment as every page, feed and email shows it: the moderator's notice once
        it has been redacted (its ``body`` is then empty; the log keeps the original)."""
        if self.is_redacted:
            return gettext("This comment was removed by a moderator: %(reason)s") % {
                "reason": self.redacted_reason
            }
        return self.body

    @property
    def excerpt(self) -> str:
        return Truncator(self.text_for_readers).chars(80)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused(DeletionRefused.__doc__)


class CommentCount(models.Model):
    """An article's approved comments (pingbacks and trackbacks apart), and how many of them
    are not replies: what its comment pages show and paginate by; its reported ones apart.

    Kept by database triggers (migration 0022) on every insert, update and delete of a
    comment, whatever makes it: the ORM, a bulk insert, a queryset update, raw SQL. A page
    reads one row instead of counting a thread of 100,000 comments. An article with no
    approved comment may have no row.
    """

    article = models.OneToOneField(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    approved = models.IntegerField(_("approved comments"), default=0)
    approved_top = models.IntegerField(_("approved comments that are not replies"), default=0)
    # Reported comments, shown to readers where NEWSROOM_REPORTED_COMMENTS_SHOWN says so.
    reported = models.IntegerField(_("reported comments"), default=0)
    reported_top = models.IntegerField(_("reported comments that are not replies"), default=0)

    class Meta:
        verbose_name = _("comment count")
        verbose_name_plural = _("comment counts")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.article_id}: {self.approved}"


class CommentStatusChangeQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise DeletionRefused("The moderation log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("The moderation log is append-only.")

    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class CommentStatusChange(models.Model):
    """One entry of the append-only moderation log: a comment's status, from and to, or a
    redaction of its text (the status stays; the text the reader wrote is kept here)."""

    class Action(models.TextChoices):
        STATUS = "status", _("Status change")
        REDACTION = "redaction", _("Redaction")

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Comment.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Comment.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(
        _("moderator's name"),
        max_length=150,
        blank=True,
        help_text=_("Kept so the log still names them if their account is removed."),
    )
    rule = models.CharField(
        _("rule"), max_length=100, blank=True, help_text=_("The policy rule that decided.")
    )
    reason = models.TextField(_("reason"), blank=True)
    action = models.CharField(
        _("action"), max_length=20, choices=Action.choices, default=Action.STATUS
    )
    original_body = models.TextField(
        _("original text"),
        blank=True,
        help_text=_("For a redaction: the comment as the reader wrote it, kept for the record."),
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = CommentStatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment status change")
        verbose_name_plural = _("moderation log")
        ordering = ["created_at", "pk"]
        indexes = [
            # The admin log's search: an exact rule, and the start of a moderator's name
            # (the pattern operator class lets LIKE 'prefix%' use it on PostgreSQL).
            models.Index(fields=["rule"], name="log_rule_idx"),
            models.Index(
                fields=["actor_name"], name="log_actor_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        if self.action == self.Action.REDACTION:
            return gettext("text redacted")
        return f"{self.from_status or '—'} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise DeletionRefused("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("The moderation log is append-only.")


class BanQuerySet(models.QuerySet):
    def active(self) -> BanQuerySet:
        return self.filter(lifted_at__isnull=True)

    def matching(self, *, email: str = "", ip_hash: str = "") -> BanQuerySet:
        match = models.Q(pk__in=[])
        if email:
            match |= models.Q(kind=Ban.Kind.EMAIL, value__iexact=email)
        if ip_hash:
            match |= models.Q(kind=Ban.Kind.IP_HASH, value=ip_hash)
        return self.active().filter(match)


class Ban(models.Model):
    """A commenter barred by email address or by client fingerprint. Lifted, never deleted."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        IP_HASH = "ip_hash", _("Client fingerprint (hashed IP address)")

    kind = models.CharField(_("banned by"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=254)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("banned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("banned"), default=timezone.now, editable=False)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True, editable=False)

    objects = BanQuerySet.as_manager()

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "value"], name="ban_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.kind == self.Kind.EMAIL:
            self.value = self.value.strip().lower()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("Bans are lifted, not deleted, so the record stays.")
