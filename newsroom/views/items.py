"""What an item's own address answers, for every kind: the item to those who may see it,
410 Gone to readers once it has expired, 404 otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseGone
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ..models import Publishable, PublishableQuerySet


class Gone(Exception):
    """The item at this address has expired: readers are told it is gone, not missing."""


def gone(request: HttpRequest) -> HttpResponseGone:
    return HttpResponseGone(render_to_string("newsroom/gone.html", request=request))


def item_for(request: HttpRequest, items: PublishableQuerySet, slug: str) -> Publishable:
    """The item with this slug that the user may see (staff: any, for a preview).

    Raises ``Gone`` for an item readers no longer see because it has expired, and
    ``Http404`` for any other they may not see; only then is the expiry looked up.
    """
    try:
        return items.visible_to(request.user).get(slug=slug)
    except items.model.DoesNotExist:
        raise not_shown(items.model, slug) from None


def not_shown(model: type[Publishable], slug: str) -> Exception:
    """What to raise for an address of the item with this slug that readers are not shown:
    ``Gone`` if it has expired, ``Http404`` otherwise."""
    if model.objects.expired().filter(slug=slug).exists():
        return Gone()
    return Http404(_("There is no such page."))


def answers_gone(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 410 Gone when the view finds its item ``Gone``. Put it under the page cache's
    decorator: only 200s are kept."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Gone:
            return gone(request)

    return wrapper
