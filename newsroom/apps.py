"""The Newsroom app: on start it registers the article as a publishable kind and connects
the page cache's invalidation.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = _("Newsroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import kinds, signals, sites
        from .models import Article

        kinds.register(kinds.ArticleKind(Article))
        signals.connect()
        post_migrate.connect(sites.set_site_domain, sender=self)
