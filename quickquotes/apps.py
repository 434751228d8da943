"""The quick quotes app: a short quote with its speaker and source, published through
Newsroom, which learns of it from the kind registered here.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuickQuotesConfig(AppConfig):
    name = "quickquotes"
    verbose_name = _("Quick quotes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from newsroom import kinds

        from .kinds import QuickQuoteKind
        from .models import QuickQuote

        kinds.register(QuickQuoteKind(QuickQuote))
