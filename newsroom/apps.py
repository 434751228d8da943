"""The Newsroom app: on start it registers the article as a publishable kind, connects
the page cache's invalidation, registers the comment form's token with the page cache,
keeps the database's triggers in place after migrations and gives the admin its title.
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

        from . import kinds, pagecache, sites, triggers
        from .discussion import forms
        from .models import Article
        from .pagecache import signals

        kinds.register(kinds.ArticleKind(Article))
        signals.connect()
        # Cached article pages hold the comment form's token as a placeholder.
        pagecache.register_placeholder(
            forms.FORM_PLACEHOLDER, forms.placeholder_token, numbered=True
        )
        post_migrate.connect(sites.set_site_domain, sender=self)
        # After the migrations of every app (quick quotes' included): a SQLite table rebuilt
        # by one of them has lost its triggers.
        post_migrate.connect(triggers.heal, dispatch_uid="newsroom.triggers.heal")
        self.name_admin()

    def name_admin(self) -> None:
        """Call the admin site what it is, "Newsroom" by default (``NEWSROOM_ADMIN_TITLE``)."""
        from django.contrib import admin

        from . import conf

        title = conf.get("ADMIN_TITLE")
        if title:
            admin.site.site_header = admin.site.site_title = title
