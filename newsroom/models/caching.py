"""The page cache's record in the database: invalidations the shared cache missed.

Every app server delivers them once the cache is back (see ``newsroom.pagecache.versions``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UndeliveredInvalidation(models.Model):
    """A page-cache invalidation that could not reach the shared cache while it was down.

    Kept in the database so that every app server delivers it once the cache is back,
    not only the one that made the change.
    """

    key = models.CharField(_("cache key"), max_length=250, unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("undelivered cache invalidation")
        verbose_name_plural = _("undelivered cache invalidations")

    def __str__(self) -> str:
        return self.key
