from django.urls import path

from . import views

app_name = "quickquotes"

urlpatterns = [
    path("<slug:slug>/", views.quote_detail, name="detail"),
]
