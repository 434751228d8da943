"""URLs of the demo site: the admin plus the Newsroom reader pages."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from newsroom.urls import sitemap_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("quotes/", include("quickquotes.urls")),
    path("", include("newsroom.urls")),
    *sitemap_urlpatterns,
]
# The demo site serves the image library's files itself (DEBUG only: static() adds nothing
# otherwise); a production site serves MEDIA_ROOT from its web server or a storage's CDN.
urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler500 = "newsroom.views.server_error"
