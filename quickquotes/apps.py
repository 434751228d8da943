from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuickQuotesConfig(AppConfig):
    name = "quickquotes"
    verbose_name = _("Quick quotes")
    default_auto_field = "django.db.models.BigAutoField"
