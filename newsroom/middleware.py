"""Old URLs: permanent redirects to the new pages, and 410 Gone for unpublished items."""

from __future__ import annotations

from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponseGone
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from quickquotes.models import QuickQuote

from .models import Article

DETAIL_VIEWS = {"newsroom:article_detail": Article, "quickquotes:detail": QuickQuote}


def target_is_published(path: str) -> bool:
    """False when the path is an article or quick quote readers may not see (or no item)."""
    try:
        match = resolve(path)
    except Resolver404:
        return True  # not one of ours: let the redirect stand
    model = DETAIL_VIEWS.get(match.view_name)
    if model is None:
        return True
    return model.objects.published().filter(slug=match.kwargs.get("slug")).exists()


class OldUrlMiddleware(RedirectFallbackMiddleware):
    """Django's redirects (301, or 410 for an empty target), plus 410 when the target is an
    item that is no longer published: its old URLs are gone, not moved."""

    def process_response(self, request, response):
        if response.status_code != 404:
            return response
        redirect = (
            Redirect.objects.filter(site=get_current_site(request), old_path=request.path)
            .only("new_path")
            .first()
        )
        if (
            redirect is not None
            and redirect.new_path
            and not target_is_published(redirect.new_path)
        ):
            return HttpResponseGone(render_to_string("newsroom/gone.html", request=request))
        return super().process_response(request, response)
