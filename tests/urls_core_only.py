"""The demo site's URLs without quickquotes' (tests/settings_core_only.py)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from newsroom.urls import sitemap_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("newsroom.urls")),
    *sitemap_urlpatterns,
]

handler500 = "newsroom.views.server_error"
