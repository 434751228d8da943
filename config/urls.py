"""URLs of the demo site: the admin plus the Newsroom reader pages."""

from django.contrib import admin
from django.urls import include, path

from newsroom.urls import sitemap_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("quotes/", include("quickquotes.urls")),
    path("", include("newsroom.urls")),
    *sitemap_urlpatterns,
]

handler500 = "newsroom.views.server_error"
