"""The page cache's middleware: anonymous readers' cached pages served before the
middleware they do not need runs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware

from .pages import CachedPage, cached_page_route, page_state, reader_may_be_cached


class PageCacheMiddleware:
    """Serve anonymous readers' cached pages before the middleware they do not need runs.

    A cached page (``pagecache.cache_public_page``) is the same for every reader but for its
    tokens, so sessions, authentication and messages have nothing to add to it. Placed
    after ``CommonMiddleware``, this serves a hit at once, running only what such a page
    does need of the rest: CSRF's cookie and the X-Frame-Options header, by Django's own
    middleware. Middleware listed after this one does not see a hit; put any that adds
    headers to every response (a Content-Security-Policy, say) before it. Without this
    middleware the views serve the same entries, later in the request; so do they when
    the CSRF secret lives in the session (``CSRF_USE_SESSIONS``), which this middleware
    runs before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self.clickjacking = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if reader_may_be_cached(request) and not settings.CSRF_USE_SESSIONS:
            urlconf = getattr(request, "urlconf", None)
            route = cached_page_route(request.path_info, urlconf)
            if route is not None:
                page = CachedPage.look_up(request, *route)
                if page is not None and page.stored is not None:
                    self.csrf.process_request(request)
                    response = page.response(request)
                    if response is not None:
                        response = self.csrf.process_response(request, response)
                        return self.clickjacking.process_response(request, response)
                # A miss (or a page that could not be filled in): the view renders it,
                # and stores it in the entry looked up here.
                page_state(request).page = page
        return self.get_response(request)
