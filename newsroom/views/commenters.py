"""The links emailed to commenters: confirming an address (a page with a button, so a mail
scanner that opens links confirms nothing) and stopping reply emails (one click). A link
that was altered answers 400, an expired one 410, each with a page that says so."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from ..discussion import confirmation


def _link_problem(request: HttpRequest, error: confirmation.BadLink) -> HttpResponse:
    expired = isinstance(error, confirmation.ExpiredLink)
    message = (
        _("This link has expired. Links in our emails work for a limited time.")
        if expired
        else _("This link is not one we sent, or it was cut short. Copy the whole link.")
    )
    return _page(
        request, "newsroom/link_problem.html", {"message": message}, 410 if expired else 400
    )


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    # Each answer is about one reader's link: never kept by any cache.
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@csrf_protect
def confirm_address(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the button that confirms; POST: the address confirmed, this browser remembered
    as its owner's, and the reader sent back to their comment."""
    try:
        comment = confirmation.comment_to_confirm(token)
    except confirmation.BadLink as error:
        return _link_problem(request, error)
    if request.method == "GET":
        return _page(request, "newsroom/confirm_address.html", {"comment": comment})
    confirmation.confirm(comment)
    messages.success(
        request, _("Your address is confirmed: you will be emailed when someone replies.")
    )
    response = redirect(comment.get_absolute_url())
    confirmation.remember_browser(response, comment, secure=settings.SESSION_COOKIE_SECURE)
    return response


@require_GET
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click: no more emails about replies to the link's comment."""
    try:
        comment = confirmation.unsubscribe(token)
    except confirmation.BadLink as error:
        return _link_problem(request, error)
    return _page(request, "newsroom/unsubscribed.html", {"comment": comment})
