"""What the publishing and the moderation admin have in common.

Form field defaults and the mixin for records that are kept for good.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

# Links typed without a scheme are taken as https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class NeverDeleteMixin:
    """For records that are kept for good: no delete page, no bulk delete action."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
