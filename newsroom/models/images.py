"""The media library: images (uploaded, or fetched from a URL) and their stored renditions.

Files go through Django's storage API under generated names; what is stored is always the
re-encoded image (``newsroom.images.processing``), never the bytes that came in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..rendering import safe_url


def generated_name(folder: str, extension: str) -> str:
    """A new file name nobody chose: ``images/ab/ab12….jpg``."""
    token = uuid.uuid4().hex
    return f"{folder}/{token[:2]}/{token}.{extension}"


class ImageQuerySet(models.QuerySet):
    def to_fetch(self) -> ImageQuerySet:
        """Images known by their URL only, waiting for ``fetch_images``."""
        return self.filter(fetch_status=Image.FetchStatus.PENDING)

    def missing_alt_text(self) -> ImageQuerySet:
        return self.filter(alt_text="")


class Image(models.Model):
    """One picture of the library. An image to be fetched has a source URL and no file
    yet: pages show it from that URL until ``fetch_images`` brings it home."""

    class FetchStatus(models.TextChoices):
        NONE = "", _("Uploaded")
        PENDING = "pending", _("To be fetched")
        FETCHED = "fetched", _("Fetched")
        FAILED = "failed", _("Fetch failed")

    file = models.FileField(_("file"), max_length=200, blank=True, editable=False)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_(
            "Describes the image for readers who cannot see it: what it shows that matters "
            "to the story, in a sentence."
        ),
    )
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    focal_x = models.FloatField(
        _("focal point, across"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("From 0 (left edge) to 1 (right edge): crops keep this point in view."),
    )
    focal_y = models.FloatField(
        _("focal point, down"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("From 0 (top edge) to 1 (bottom edge)."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("SHA-256 of the file as it came in: the same file is stored once."),
    )
    source_url = models.URLField(
        _("source URL"),
        max_length=1000,
        blank=True,
        db_index=True,
        help_text=_("Where the image was (or is to be) fetched from."),
    )
    fetch_status = models.CharField(
        _("fetch status"),
        max_length=10,
        choices=FetchStatus.choices,
        default=FetchStatus.NONE,
        blank=True,
        editable=False,
    )
    fetch_error = models.CharField(_("fetch error"), max_length=500, blank=True, editable=False)

    objects = ImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(fields=["-uploaded_at", "-id"], name="newsroom_image_newest"),
            models.Index(fields=["fetch_status", "id"], name="newsroom_image_fetch"),
        ]

    def __str__(self) -> str:
        label = self.alt_text or self.caption or self.file.name or self.source_url
        return f"{label[:80]} (#{self.pk})" if self.pk else label[:80]

    @property
    def is_stored(self) -> bool:
        return bool(self.file)

    @property
    def url(self) -> str:
        """Where a browser gets the full image: the stored file, or else its source URL."""
        if self.file:
            return self.file.url
        return safe_url(self.source_url)


class Rendition(models.Model):
    """A stored resized or cropped copy of an image, made once per spec (``w960.webp``,
    ``card.jpg``): see ``newsroom.images.renditions``."""

    image = models.ForeignKey(
        Image, verbose_name=_("image"), on_delete=models.CASCADE, related_name="renditions"
    )
    spec = models.CharField(_("spec"), max_length=40)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    format = models.CharField(_("format"), max_length=10)
    file = models.FileField(_("file"), max_length=200)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        ordering = ["image", "width"]
        constraints = [
            models.UniqueConstraint(fields=["image", "spec"], name="newsroom_rendition_once")
        ]

    def __str__(self) -> str:
        return f"{self.image_id} {self.spec}"

    @property
    def url(self) -> str:
        return self.file.url
