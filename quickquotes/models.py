"""The QuickQuote: a quote, who said it, where it was said, and a line of context."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from newsroom.models import Publishable


class QuickQuote(Publishable):
    quote = models.TextField(_("quote"))
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Who said it and in what context.")
    )
    citation = models.CharField(
        _("citation"),
        max_length=500,
        blank=True,
        help_text=_("Where it was said or published: a source name or URL."),
    )
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)

    class Meta(Publishable.Meta):
        verbose_name = _("quick quote")
        verbose_name_plural = _("quick quotes")

    def get_absolute_url(self) -> str:
        return reverse("quickquotes:detail", kwargs={"slug": self.slug})

    @property
    def citation_is_url(self) -> bool:
        return self.citation.startswith(("http://", "https://"))
