"""The baseline for bench/pages.py: the cheapest page Django can serve.

It still goes through the site's whole middleware stack, so a ratio to it measures what a
page adds on top of Django itself.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
