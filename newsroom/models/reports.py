"""Readers' reports on approved comments, and the addresses commenters have confirmed.

Both are kept for good: a report is settled by a moderator's decision, an address's
confirmation is withdrawn; neither is deleted (``DeletionRefused``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .discussion import Comment, DeletionRefused


class CommentReportQuerySet(models.QuerySet):
    def open(self) -> CommentReportQuerySet:
        """Reports no moderator has settled yet: those that count towards a review."""
        return self.filter(settled_at__isnull=True)

    def reasons(self) -> list[dict[str, Any]]:
        """Each reason reported, how often, most often first, with its label: what a
        moderator's view of a comment shows (``comment.reports.open().reasons()``)."""
        return self.reasons_by_comment().get(None, [])

    def reasons_by_comment(self, comment_ids: Iterable[int] | None = None) -> dict:
        """``reasons()`` for many comments in one query, by comment id: for a page of the
        queue, ``CommentReport.objects.open().reasons_by_comment(ids)``. Without ids, the
        reports of this queryset together, under the key None."""
        labels = dict(report_reasons())
        rows = self if comment_ids is None else self.filter(comment__in=list(comment_ids))
        group = ["reason"] if comment_ids is None else ["comment", "reason"]
        rows = rows.values(*group).annotate(count=Count("pk")).order_by("-count", "reason")
        found: dict = {}
        for row in rows:
            key = row.pop("comment", None)
            label = labels.get(row["reason"], row["reason"])
            found.setdefault(key, []).append({**row, "label": label})
        return found

    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("Reports are settled, not deleted.")

    delete.queryset_only = True  # type: ignore[attr-defined]


def report_reasons() -> list[tuple[str, str]]:
    from .. import conf

    return [(key, str(label)) for key, label in conf.get("REPORT_REASONS")]


class CommentReport(models.Model):
    """A reader's report that an approved comment breaks the discussion policy."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.PROTECT, related_name="reports"
    )
    reason = models.CharField(
        _("reason"), max_length=40, help_text=_("One of NEWSROOM_REPORT_REASONS.")
    )
    text = models.TextField(_("reader's note"), blank=True, max_length=500)
    client = models.CharField(
        _("client fingerprint"),
        max_length=64,
        help_text=_("A keyed hash of the reporter's IP address: one report per client."),
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=Comment.Status.choices,
        blank=True,
        help_text=_("The status the moderator's decision gave the comment."),
    )

    objects = CommentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "client"], name="report_once_per_client")
        ]
        indexes = [
            # A comment's open reports: counted at each report, listed on its admin page.
            models.Index(fields=["comment", "settled_at"], name="report_comment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reason_label} ({self.created_at:%Y-%m-%d})"

    @property
    def reason_label(self) -> str:
        return dict(report_reasons()).get(self.reason, self.reason)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("Reports are settled, not deleted.")


class ConfirmedAddressQuerySet(models.QuerySet):
    def active(self) -> ConfirmedAddressQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("Confirmations are withdrawn, not deleted.")

    delete.queryset_only = True  # type: ignore[attr-defined]


class ConfirmedAddress(models.Model):
    """An email address whose owner followed the link we sent to it. Only a keyed hash of
    the address is kept here (``discussion.confirmation.address_hash``)."""

    address_hash = models.CharField(_("address (keyed hash)"), max_length=64, unique=True)
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = ConfirmedAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("confirmed address")
        verbose_name_plural = _("confirmed addresses")
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return self.address_hash[:12]

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused("Confirmations are withdrawn, not deleted.")
