"""Old URLs: permanent redirects to the new pages, and 410 Gone for unpublished items."""

from __future__ import annotations

from django.conf import settings
from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponseBadRequest, HttpResponseGone
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from . import kinds


class RejectNulMiddleware:
    """Refuse a URL with a NUL character in it: it names no page, and PostgreSQL refuses
    such text in any query a view might make with it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(
                "A NUL character in the address is not allowed.", content_type="text/plain"
            )
        return self.get_response(request)


def target_is_published(path: str) -> bool:
    """False when the path is an item (of any kind) readers may not see, or no item."""
    try:
        match = resolve(path)
    except Resolver404:
        return True  # not one of ours: let the redirect stand
    kind = kinds.for_view(match.view_name)
    if kind is None:
        return True
    return kind.model.objects.published().filter(slug=match.kwargs.get("slug")).exists()


def names_an_item(path: str) -> bool:
    """Whether the path is an existing item's own (of any kind, published or not)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    kind = kinds.for_view(match.view_name)
    return kind is not None and kind.model.objects.filter(slug=match.kwargs.get("slug")).exists()


class OldUrlMiddleware(RedirectFallbackMiddleware):
    """Django's redirects (301, or 410 for an empty target), plus 410 when the target is an
    item that is no longer published: its old URLs are gone, not moved. A redirect on an
    unpublished item's own address (which imports once made) answers 410 too: that
    address is gone, not moved to whichever item claimed it."""

    def process_response(self, request, response):
        if response.status_code != 404:
            return response
        # One query for the redirect on the path (ours) and on the full path, with the
        # slash appended if need be (Django's): the parent class would query again.
        paths = [request.path, request.get_full_path()]
        if settings.APPEND_SLASH and not request.path.endswith("/"):
            paths.append(request.get_full_path(force_append_slash=True))
        redirects = Redirect.objects.filter(site=get_current_site(request), old_path__in=paths)
        found = dict(redirects.values_list("old_path", "new_path"))
        new_path = found.get(request.path)
        if new_path is not None and (
            (new_path and not target_is_published(new_path)) or names_an_item(request.path)
        ):
            return HttpResponseGone(render_to_string("newsroom/gone.html", request=request))
        new_path = next((found[path] for path in paths[1:] if path in found), None)
        if new_path is None:
            return response
        if new_path == "":
            return self.response_gone_class()
        return self.response_redirect_class(new_path)
