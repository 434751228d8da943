"""URLs of the demo site: the admin plus the Newsroom reader pages."""

from django.conf import settings
from django.conf.urls.static import static as media_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from newsroom.urls import sitemap_urlpatterns


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's, feeds). Looked
    # up per request: the fingerprinted name exists only once `collectstatic` has run.
    return HttpResponseRedirect(static("newsroom/favicon.svg"))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("quotes/", include("quickquotes.urls")),
    path("", include("newsroom.urls")),
    *sitemap_urlpatterns,
    path("favicon.ico", favicon),
]
# The demo site serves the image library's files itself (DEBUG only: static() adds nothing
# otherwise); a production site serves MEDIA_ROOT from its web server or a storage's CDN.
urlpatterns = media_patterns(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler500 = "newsroom.views.server_error"
