"""A URLconf whose front page is not a cached page (tests/test_caching.py)."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("", lambda request: HttpResponse("plain"), name="home")]
