"""The site's address in the links Newsroom makes: pages, feeds, sitemaps and email.

``NEWSROOM_SITE_DOMAIN`` names it when set, and then every link uses it. Left empty, a link
made in a request uses the request's own host (as Django's ``build_absolute_uri`` does,
``ALLOWED_HOSTS`` guarding it), and a link made outside one (a task) uses the address
its request handed over, or failing that the sites framework's ``Site``.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest

from . import conf


def site_url(request: HttpRequest | None = None) -> str:
    """Scheme and host, e.g. ``https://news.example``: the request's scheme and
    ``SITE_DOMAIN`` or else its host (``get_host()``: a host that ``ALLOWED_HOSTS`` does
    not name is refused); outside a request, HTTPS and ``SITE_DOMAIN`` or else the
    current ``Site``'s domain."""
    domain = conf.get("SITE_DOMAIN")
    if request is not None:
        return f"{request.scheme}://{domain or request.get_host()}"
    if not domain:
        from django.contrib.sites.shortcuts import get_current_site

        domain = get_current_site(None).domain
    return f"https://{domain}"


def absolute_url(request: HttpRequest | None, location: str) -> str:
    """``location`` (a path, or a URL already absolute) as an absolute URL on this site."""
    path = request.path if request is not None else "/"
    return urljoin(site_url(request) + path, location)


def set_site_domain(sender=None, using: str = "default", **kwargs) -> None:
    """After migrating, give the current Site the configured domain and name, if any."""
    domain = conf.get("SITE_DOMAIN")
    if not domain:
        return
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": conf.get("SITE_NAME")}
    )
