"""Who else has an item's change form open: a record per item in the shared cache, renewed
by each opening of the form and by a small script's ping while the page stays open.

Only a courtesy: a save made after someone else's is checked whatever this says
(``concurrency``), with or without JavaScript.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, path, reverse

# A ping every PING_SECONDS; someone not heard from for SEEN_SECONDS has left.
PING_SECONDS = 20
SEEN_SECONDS = 60


def _key(obj: models.Model) -> str:
    return f"newsroom:presence:{obj._meta.label_lower}:{obj.pk}"


def here(obj: models.Model, user: models.Model) -> list[str]:
    """Note that ``user`` has ``obj``'s form open; the names of the others who have it open.

    The record is read and written again without a lock: two pings at one moment can lose
    one of them until its next ping, which is all a notice like this needs.
    """
    now = time.time()
    seen: dict[str, list] = {
        pk: entry
        for pk, entry in (cache.get(_key(obj)) or {}).items()
        if now - entry[1] < SEEN_SECONDS
    }
    seen[str(user.pk)] = [user.get_username(), now]
    cache.set(_key(obj), seen, SEEN_SECONDS)
    return sorted(name for pk, (name, _when) in seen.items() if pk != str(user.pk))


class PresenceMixin:
    """For a ``ModelAdmin``: its change form names who else has the item open, and
    ``…/presence/`` (a POST, CSRF-checked, by someone who may view the item) renews the
    caller's record and answers the others' names as JSON."""

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/presence/",
                self.admin_site.admin_view(self.presence_view),  # staff login and CSRF
                name=f"{info}_presence",
            ),
            *super().get_urls(),
        ]

    def presence_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
        except (ValueError, ValidationError):
            obj = None
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return JsonResponse({"others": here(obj, request.user)})

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: models.Model | None = None,
    ) -> HttpResponse:
        if change and obj is not None:
            info = f"{self.opts.app_label}_{self.opts.model_name}"
            context["others_here"] = here(obj, request.user)
            context["presence_url"] = reverse(f"admin:{info}_presence", args=[obj.pk])
            context["presence_seconds"] = PING_SECONDS
        return super().render_change_form(request, context, add, change, form_url, obj)
