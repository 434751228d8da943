"""The front page in the admin: a pin on each item's change form (its position and how
long it stays), and the list of pins, where editors reorder them and end them."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import FrontPagePin


class FrontPagePinInline(GenericTabularInline):
    model = FrontPagePin
    fields = ["position", "expires_at"]
    extra = 1
    max_num = 1
    verbose_name = _("front page pin")
    verbose_name_plural = _(
        "Front page: pin this item (position 1 is the lead story; it shows once published)"
    )


@admin.register(FrontPagePin)
class FrontPagePinAdmin(admin.ModelAdmin):
    """Pins are made on an item's own page; here they are put in order and ended."""

    list_display = ["item_link", "kind", "position", "expires_at", "current"]
    list_editable = ["position", "expires_at"]
    list_display_links = None
    ordering = ["position", "-created_at", "-pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FrontPagePin]:
        # The items of every kind: one query per kind on the page, not one per pin.
        return super().get_queryset(request).select_related("content_type").prefetch_related("item")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("item"))
    def item_link(self, pin: FrontPagePin) -> str:
        if pin.item is None:
            return _("(deleted)")
        meta = pin.item._meta
        url = f"admin:{meta.app_label}_{meta.model_name}_change"
        return format_html('<a href="{}">{}</a>', reverse(url, args=[pin.item.pk]), pin.item)

    @admin.display(description=_("kind"))
    def kind(self, pin: FrontPagePin) -> str:
        return str(pin.content_type.model_class()._meta.verbose_name)

    @admin.display(description=_("on the front page now"), boolean=True)
    def current(self, pin: FrontPagePin) -> bool:
        live = pin.item is not None and pin.item.is_published
        return live and (pin.expires_at is None or pin.expires_at > timezone.now())
