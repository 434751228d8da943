from django.urls import path

from . import views

app_name = "newsroom"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("articles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
]
