"""The site's URLs plus the trivial view that bench/pages.py compares the pages with."""

from django.urls import include, path

from . import trivial

urlpatterns = [
    path("bench/trivial/", trivial.ok, name="bench_trivial"),
    path("", include("config.urls")),
]
