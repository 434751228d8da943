"""The site's domain, for links made outside a request (feeds, sitemaps, email)."""

from __future__ import annotations

from django.conf import settings

from . import conf


def set_site_domain(sender=None, using: str = "default", **kwargs) -> None:
    """After migrating, give the current Site the configured domain and name, if any."""
    domain = conf.get("SITE_DOMAIN")
    if not domain:
        return
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": conf.get("SITE_NAME")}
    )
