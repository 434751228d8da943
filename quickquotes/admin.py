from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from newsroom.admin.publishing import PublishableAdmin

from .models import QuickQuote
from .views import render_quote


@admin.register(QuickQuote)
class QuickQuoteAdmin(PublishableAdmin):
    list_display = ["title", "speaker", *PublishableAdmin.list_display[1:]]

    def render_preview(self, request, obj):
        return render_quote(request, obj, preview=True)

    def get_fieldsets(self, request, obj=None):
        return [
            self.content_fieldset,
            (_("Quote"), {"fields": ["quote", "speaker", "citation", "summary"]}),
            (None, {"fields": ["body"]}),
            self.publishing_fieldset,
            self.image_fieldset,
            self.provenance_fieldset,
        ]
