"""What editors put on the front page: pins of published items, in order, each until its
expiry (compared at query time, as items' own expiry is: no cron job)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FrontPagePinQuerySet(models.QuerySet):
    def current(self, now: datetime | None = None) -> FrontPagePinQuerySet:
        """Pins not yet expired, in their order (the lowest position first, the newest pin
        first on a tie)."""
        now = now or timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def next_expiry(self, now: datetime | None = None) -> datetime | None:
        """When the next pin expires: the front page's cache must not outlive it."""
        upcoming = self.filter(expires_at__gt=now or timezone.now()).order_by("expires_at")
        return upcoming.values_list("expires_at", flat=True).first()


class FrontPagePin(models.Model):
    """An item of any publishable kind on the front page at a position; position 1 (the
    lowest) is the lead story. A pin of an item readers cannot see (a draft, a scheduled
    or expired item) shows nothing until they can."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of item"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("item"))
    item = GenericForeignKey("content_type", "object_id")
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=1,
        help_text=_("1 is the lead story, shown with its image; the others follow in order."),
    )
    expires_at = models.DateTimeField(
        _("on the front page until"),
        null=True,
        blank=True,
        help_text=_(
            "From this time on the item leaves the front page (it stays published). "
            "Left empty, it stays pinned until the pin is removed."
        ),
    )
    created_at = models.DateTimeField(_("pinned"), default=timezone.now, editable=False)

    objects = FrontPagePinQuerySet.as_manager()

    class Meta:
        verbose_name = _("front page pin")
        verbose_name_plural = _("front page pins")
        ordering = ["position", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="newsroom_frontpagepin_one_per_item"
            )
        ]
        indexes = [
            # The front page's pins in order, and the next expiry: a few rows each.
            models.Index(fields=["position", "created_at"], name="newsroom_pin_order_idx"),
            models.Index(fields=["expires_at"], name="newsroom_pin_exp_idx"),
        ]

    def __str__(self) -> str:
        return _("Front page position %(position)s") % {"position": self.position}
